package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/partnercenter-go/devicebatches/internal/pchttp"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// authFlags select and configure the credential.
type authFlags struct {
	auth                     string
	tenant                   string
	clientID                 string
	disableInstanceDiscovery bool
}

// authMethods are the --auth values, in the order the help lists them.
var authMethods = []string{"env", "cli", "device-code", "browser", "managed-identity", "default"}

func (a *app) addAuthFlags(pf interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	pf.StringVar(&a.auth.auth, "auth", "", "credential: "+strings.Join(authMethods, ", ")+" (env PARTNER_CENTER_AUTH; default: PARTNER_CENTER_TOKEN when set, else default)")
	pf.StringVar(&a.auth.tenant, "tenant", "", "partner tenant id for env, cli, device-code, browser and default (env AZURE_TENANT_ID; the flag wins)")
	pf.StringVar(&a.auth.clientID, "client-id", "", "app (client) id for env, device-code, browser and managed-identity (env AZURE_CLIENT_ID; the flag wins)")
	pf.BoolVar(&a.auth.disableInstanceDiscovery, "disable-instance-discovery", false, "skip Microsoft Entra instance discovery, for private or disconnected clouds (env PARTNER_CENTER_DISABLE_INSTANCE_DISCOVERY=1)")
}

// credentialSetup is what every credential is built from: flags first, then
// the environment as read through a.getenv (so tests inject it).
type credentialSetup struct {
	client                   azcore.ClientOptions
	tenant, clientID         string
	disableInstanceDiscovery bool
}

func (a *app) credentialSetup() credentialSetup {
	s := credentialSetup{tenant: a.auth.tenant, clientID: a.auth.clientID}
	if s.tenant == "" {
		s.tenant = a.getenv("AZURE_TENANT_ID")
	}
	if s.clientID == "" {
		s.clientID = a.getenv("AZURE_CLIENT_ID")
	}
	s.disableInstanceDiscovery = a.auth.disableInstanceDiscovery
	if !s.disableInstanceDiscovery {
		s.disableInstanceDiscovery, _ = strconv.ParseBool(a.getenv("PARTNER_CENTER_DISABLE_INSTANCE_DISCOVERY"))
	}
	// azidentity reads AZURE_AUTHORITY_HOST with os.Getenv only when Cloud
	// is unset; setting it here makes an injected environment count too.
	if host := a.getenv("AZURE_AUTHORITY_HOST"); host != "" {
		s.client.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: host}
	}
	// --max-retries bounds the identity platform's retries too, so that
	// --max-retries 0 fails fast on an unreachable or untrusted authority.
	switch {
	case a.flags.maxRetries == 0:
		s.client.Retry.MaxRetries = -1 // azcore: negative means none
	case a.flags.maxRetries > 0:
		s.client.Retry.MaxRetries = int32(min(a.flags.maxRetries, 10))
	}
	if a.credTransport != nil {
		s.client.Transport = a.credTransport
	}
	return s
}

// credential returns the token source and a name for it that error
// messages use. There is deliberately no --token flag: every local user can
// read a process's arguments. PARTNER_CENTER_TOKEN is used only when --auth
// (or PARTNER_CENTER_AUTH) names no credential.
func (a *app) credential() (wrapper.TokenCredential, string, error) {
	method := strings.TrimSpace(a.auth.auth)
	if method == "" {
		method = strings.TrimSpace(a.getenv("PARTNER_CENTER_AUTH"))
	}
	if method == "" {
		if tok := strings.TrimSpace(a.getenv("PARTNER_CENTER_TOKEN")); tok != "" {
			// Refused here, before any request: net/http would otherwise
			// fail each call with an error about the Authorization header.
			if what := pchttp.TokenProblem(tok); what != "" {
				return nil, "", &wrapper.InvalidArgumentError{Argument: "PARTNER_CENTER_TOKEN", Problem: "is malformed: " + what + `; set it to the access token alone (no quotes, no "Bearer ", no line breaks)`}
			}
			a.credName = "PARTNER_CENTER_TOKEN"
			return wrapper.StaticToken(tok), a.credName, nil
		}
		method = "default"
		a.implicitDefault = true
	}
	cred, name, err := a.newCredential(method, a.credentialSetup())
	if err != nil {
		return nil, "", err
	}
	a.credName = name
	return cred, name, nil
}

func (a *app) newCredential(method string, s credentialSetup) (wrapper.TokenCredential, string, error) {
	var (
		cred wrapper.TokenCredential
		name string
		err  error
	)
	switch method {
	case "env":
		return a.envCredential(s)
	case "cli":
		name = "cli (Azure CLI)"
		cred, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.tenant})
	case "device-code":
		name = "device-code"
		if s.tenant == "" {
			return nil, "", usagef("--auth device-code needs the partner tenant: give --tenant ID or set AZURE_TENANT_ID")
		}
		cred, err = azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
			ClientOptions: s.client, TenantID: s.tenant, ClientID: s.clientID,
			DisableInstanceDiscovery: s.disableInstanceDiscovery,
			// stdout carries the command's output: the sign-in
			// instructions must not end up in a pipe.
			UserPrompt: func(_ context.Context, m azidentity.DeviceCodeMessage) error {
				_, err := fmt.Fprintln(a.io.err, oneLine(m.Message)) // the identity platform's text
				return err
			},
		})
	case "browser":
		name = "browser"
		cred, err = azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{
			ClientOptions: s.client, TenantID: s.tenant, ClientID: s.clientID,
			DisableInstanceDiscovery: s.disableInstanceDiscovery,
		})
	case "managed-identity":
		name = "managed-identity"
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: s.client}
		if s.clientID != "" {
			o.ID = azidentity.ClientID(s.clientID)
		}
		cred, err = azidentity.NewManagedIdentityCredential(o)
	case "default":
		name = "default (DefaultAzureCredential)"
		cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: s.client, TenantID: s.tenant,
			DisableInstanceDiscovery: s.disableInstanceDiscovery,
		})
	default:
		return nil, "", &wrapper.InvalidArgumentError{Argument: "--auth", Value: method, Problem: "is not a credential: use one of " + strings.Join(authMethods, ", ")}
	}
	if err != nil {
		return nil, "", usagef("cannot set up the %s credential: %s", name, oneLine(err.Error()))
	}
	return cred, name, nil
}

// envCredential mirrors azidentity.EnvironmentCredential's variables
// (AZURE_TENANT_ID, AZURE_CLIENT_ID, then AZURE_CLIENT_SECRET or
// AZURE_CLIENT_CERTIFICATE_PATH) but reads them through a.getenv, so the
// whole CLI sees one environment, and lets --tenant and --client-id win, as
// they do for every other method. The secret and the certificate come from
// the environment only: every local user can read a process's arguments.
func (a *app) envCredential(s credentialSetup) (wrapper.TokenCredential, string, error) {
	tenant, clientID := s.tenant, s.clientID
	if tenant == "" || clientID == "" {
		return nil, "", usagef("--auth env needs the partner tenant (--tenant or AZURE_TENANT_ID) and the app (--client-id or AZURE_CLIENT_ID), and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH")
	}
	if secret := a.getenv("AZURE_CLIENT_SECRET"); secret != "" {
		const name = "env (client secret)"
		cred, err := azidentity.NewClientSecretCredential(tenant, clientID, secret, &azidentity.ClientSecretCredentialOptions{
			ClientOptions: s.client, DisableInstanceDiscovery: s.disableInstanceDiscovery,
		})
		if err != nil {
			return nil, "", usagef("cannot set up the %s credential: %s", name, oneLine(err.Error()))
		}
		return cred, name, nil
	}
	path := a.getenv("AZURE_CLIENT_CERTIFICATE_PATH")
	if path == "" {
		return nil, "", usagef("--auth env needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH")
	}
	const name = "env (client certificate)"
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", usagef("AZURE_CLIENT_CERTIFICATE_PATH: %s", oneLine(err.Error()))
	}
	certs, key, err := azidentity.ParseCertificates(data, []byte(a.getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD")))
	if err != nil {
		// The parser's message never contains the password or the key.
		return nil, "", usagef("AZURE_CLIENT_CERTIFICATE_PATH %s: %s", path, oneLine(err.Error()))
	}
	sendChain, _ := strconv.ParseBool(a.getenv("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"))
	cred, err := azidentity.NewClientCertificateCredential(tenant, clientID, certs, key, &azidentity.ClientCertificateCredentialOptions{
		ClientOptions: s.client, DisableInstanceDiscovery: s.disableInstanceDiscovery, SendCertificateChain: sendChain,
	})
	if err != nil {
		return nil, "", usagef("cannot set up the %s credential: %s", name, oneLine(err.Error()))
	}
	return cred, name, nil
}

// authFailure is an authentication failure rewritten for the command line:
// which credential failed, the identity platform's code and text, and what
// to do next, on one line.
type authFailure struct {
	msg string
	err error
}

func (e *authFailure) Error() string { return e.msg }
func (e *authFailure) Unwrap() error { return e.err }

// explainAuth rewrites a *wrapper.AuthenticationError; other errors pass
// unchanged. It shows the identity platform's description, never a token
// or a secret (neither is ever in that answer).
func (a *app) explainAuth(err error) error {
	var ae *wrapper.AuthenticationError
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	name := a.credName
	if name == "" {
		name = "the credential"
	}
	code, what := identityError(ae.Err)
	switch {
	case what != "":
		if code != "" && !strings.HasPrefix(what, code) {
			what = code + ": " + what
		}
	default:
		what = oneLine(ae.Err.Error())
	}
	if !strings.HasSuffix(what, ".") {
		what += "." // the hint is a sentence of its own
	}
	return &authFailure{
		msg: fmt.Sprintf("authentication with %s failed: %s %s", name, what, authHint(name, code)),
		err: err,
	}
}

// authHint says what to do next for the commonest failures.
func authHint(name, code string) string {
	switch code {
	case "AADSTS7000215", "AADSTS7000222":
		return "Check AZURE_CLIENT_SECRET: use the secret's value (not its ID) and make sure it has not expired."
	case "AADSTS700016":
		return "Check AZURE_CLIENT_ID (--client-id) and AZURE_TENANT_ID (--tenant): the app must be registered in, or consented to by, the partner tenant."
	case "AADSTS90002", "AADSTS900023":
		return "Check AZURE_TENANT_ID (--tenant): use the partner tenant's id."
	case "AADSTS700027":
		return "Check AZURE_CLIENT_CERTIFICATE_PATH: the certificate must be the one uploaded to the app registration."
	case "AADSTS50076", "AADSTS50079", "AADSTS50158":
		return "The tenant requires multi-factor authentication: sign in with --auth device-code or --auth browser."
	case "AADSTS65001":
		return "The app lacks consent: add it in Partner Center (Account settings > App management) and grant admin consent."
	}
	switch {
	case strings.HasPrefix(name, "env"):
		return "Check AZURE_TENANT_ID (--tenant), AZURE_CLIENT_ID (--client-id) and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)."
	case strings.HasPrefix(name, "cli"):
		return "Run 'az login --tenant <partner tenant id>' and try again."
	case name == "PARTNER_CENTER_TOKEN":
		return "Set PARTNER_CENTER_TOKEN to a valid access token, or choose a credential with --auth."
	case strings.HasPrefix(name, "default"):
		return "Choose a credential explicitly with --auth (env, cli, device-code, browser, managed-identity)."
	}
	return "Check --tenant and --client-id, and that the app is registered for Partner Center."
}

// maxIdentityErrorBody bounds how much of a token endpoint's error answer
// is read: the identity platform's errors are a few hundred bytes.
const maxIdentityErrorBody = 64 << 10

// peekBody reads up to maxIdentityErrorBody bytes of an identity
// answer's body and puts them back, so the credential's own Error() still
// shows them.
func peekBody(resp *http.Response) ([]byte, error) {
	if resp.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIdentityErrorBody))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), resp.Body), resp.Body}
	return data, err
}

// identityError extracts the AADSTS code and the first line of the
// description from the identity platform's answer ({"error",
// "error_description", "error_codes"}) behind a credential's error. It puts
// the bytes it read back, so the credential's own Error() still shows them.
func identityError(err error) (code, description string) {
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || af.RawResponse == nil || af.RawResponse.Body == nil {
		return "", ""
	}
	data, rerr := peekBody(af.RawResponse)
	if rerr != nil {
		return "", ""
	}
	var body struct {
		Error       string  `json:"error"`
		Description string  `json:"error_description"`
		Codes       []int64 `json:"error_codes"`
	}
	if json.Unmarshal(data, &body) != nil {
		return "", ""
	}
	// The description goes on with "\r\nTrace ID: ...": keep the sentence.
	description, _, _ = strings.Cut(body.Description, "\n")
	description = oneLine(description)
	switch {
	case len(body.Codes) > 0:
		code = "AADSTS" + strconv.FormatInt(body.Codes[0], 10)
	case strings.HasPrefix(description, "AADSTS"):
		code, _, _ = strings.Cut(description, ":")
	}
	if description == "" {
		description = oneLine(body.Error)
	}
	return code, description
}
