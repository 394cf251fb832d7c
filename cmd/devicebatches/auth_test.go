package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/testidp"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

const (
	testTenant   = testidp.Tenant
	testClientID = testidp.ClientID
	testSecret   = testidp.Secret
)

func serveJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// api is a Partner Center stand-in recording each Authorization header.
type api struct {
	srv   *httptest.Server
	mu    sync.Mutex
	auths []string
}

func newAPI(t *testing.T) *api {
	t.Helper()
	a := &api{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.auths = append(a.auths, r.Header.Get("Authorization"))
		a.mu.Unlock()
		serveJSON(w, http.StatusOK, map[string]any{"totalCount": 1, "items": []any{map[string]any{"id": "batch-1", "devicesCount": 2}}, "attributes": map[string]any{"objectType": "Collection"}})
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) authorizations() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.auths...)
}

func envFrom(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// appEnv is the environment of an app-only (client secret) sign-in against
// p, calling the API at base.
func appEnv(p *testidp.Server, base string) map[string]string {
	return map[string]string{
		"AZURE_TENANT_ID":                           testTenant,
		"AZURE_CLIENT_ID":                           testClientID,
		"AZURE_CLIENT_SECRET":                       testSecret,
		"AZURE_AUTHORITY_HOST":                      p.URL,
		"PARTNER_CENTER_DISABLE_INSTANCE_DISCOVERY": "1",
		"PARTNER_CENTER_BASE_URL":                   base,
	}
}

func TestCredentialSelection(t *testing.T) {
	certPath := writeTestCertificate(t)
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantType any
		wantName string
	}{
		{name: "token when no --auth", env: map[string]string{"PARTNER_CENTER_TOKEN": "abc"}, wantType: wrapper.StaticToken("abc"), wantName: "PARTNER_CENTER_TOKEN"},
		{name: "default when nothing set", wantType: &azidentity.DefaultAzureCredential{}, wantName: "default (DefaultAzureCredential)"},
		{name: "--auth wins over the token", args: []string{"--auth", "cli"}, env: map[string]string{"PARTNER_CENTER_TOKEN": "abc"}, wantType: &azidentity.AzureCLICredential{}, wantName: "cli (Azure CLI)"},
		{name: "PARTNER_CENTER_AUTH", env: map[string]string{"PARTNER_CENTER_AUTH": "cli"}, wantType: &azidentity.AzureCLICredential{}, wantName: "cli (Azure CLI)"},
		{name: "flag over PARTNER_CENTER_AUTH", args: []string{"--auth", "browser"}, env: map[string]string{"PARTNER_CENTER_AUTH": "cli"}, wantType: &azidentity.InteractiveBrowserCredential{}, wantName: "browser"},
		{name: "env secret", args: []string{"--auth", "env"}, env: map[string]string{"AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClientID, "AZURE_CLIENT_SECRET": "x"}, wantType: &azidentity.ClientSecretCredential{}, wantName: "env (client secret)"},
		{name: "env certificate", args: []string{"--auth", "env"}, env: map[string]string{"AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClientID, "AZURE_CLIENT_CERTIFICATE_PATH": certPath}, wantType: &azidentity.ClientCertificateCredential{}, wantName: "env (client certificate)"},
		{name: "env certificate, ids from the flags", args: []string{"--auth", "env", "--tenant", testTenant, "--client-id", testClientID}, env: map[string]string{"AZURE_CLIENT_CERTIFICATE_PATH": certPath}, wantType: &azidentity.ClientCertificateCredential{}, wantName: "env (client certificate)"},
		{name: "device code", args: []string{"--auth", "device-code", "--tenant", testTenant, "--client-id", testClientID}, wantType: &azidentity.DeviceCodeCredential{}, wantName: "device-code"},
		{name: "managed identity", args: []string{"--auth", "managed-identity"}, wantType: &azidentity.ManagedIdentityCredential{}, wantName: "managed-identity"},
		{name: "default", args: []string{"--auth", "default", "--disable-instance-discovery"}, wantType: &azidentity.DefaultAzureCredential{}, wantName: "default (DefaultAzureCredential)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{io: streams{out: &bytes.Buffer{}, err: &bytes.Buffer{}}, getenv: envFrom(tt.env)}
			root := a.rootCommand()
			if err := root.PersistentFlags().Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			// Constructing only: no GetToken, so nothing probes a real
			// endpoint (managed identity, DefaultAzureCredential).
			cred, name, err := a.credential()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprintf("%T", cred), fmt.Sprintf("%T", tt.wantType); got != want {
				t.Errorf("credential %s, want %s", got, want)
			}
			if name != tt.wantName {
				t.Errorf("name %q, want %q", name, tt.wantName)
			}
		})
	}
}

func TestCredentialSetup(t *testing.T) {
	tests := []struct {
		name              string
		args              []string
		env               map[string]string
		wantTenant, wantC string
		wantDisable       bool
		wantAuthority     string
		wantRetries       int32
	}{
		{name: "environment", env: map[string]string{"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env", "PARTNER_CENTER_DISABLE_INSTANCE_DISCOVERY": "1", "AZURE_AUTHORITY_HOST": "https://login.chinacloudapi.cn/"},
			wantTenant: "t-env", wantC: "c-env", wantDisable: true, wantAuthority: "https://login.chinacloudapi.cn/"},
		{name: "flags win", args: []string{"--tenant", "t-flag", "--client-id", "c-flag", "--disable-instance-discovery"}, env: map[string]string{"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env"},
			wantTenant: "t-flag", wantC: "c-flag", wantDisable: true},
		{name: "nothing", wantDisable: false},
		{name: "discovery env false", env: map[string]string{"PARTNER_CENTER_DISABLE_INSTANCE_DISCOVERY": "0"}, wantDisable: false},
		{name: "no retries", args: []string{"--max-retries", "0"}, wantRetries: -1},
		{name: "two retries", args: []string{"--max-retries", "2"}, wantRetries: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{getenv: envFrom(tt.env)}
			if err := a.rootCommand().PersistentFlags().Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			s := a.credentialSetup()
			if tt.wantRetries == 0 {
				tt.wantRetries = int32(defaultMaxRetries)
			}
			if s.client.Retry.MaxRetries != tt.wantRetries {
				t.Errorf("identity retries = %d, want %d", s.client.Retry.MaxRetries, tt.wantRetries)
			}
			if s.tenant != tt.wantTenant || s.clientID != tt.wantC || s.disableInstanceDiscovery != tt.wantDisable || s.client.Cloud.ActiveDirectoryAuthorityHost != tt.wantAuthority {
				t.Errorf("setup = %+v", s)
			}
		})
	}
}

func TestAuthUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{name: "unknown --auth", args: []string{"--auth", "password"}, want: `devicebatches: --auth "password" is not a credential: use one of env, cli, device-code, browser, managed-identity, default`},
		{name: "unknown PARTNER_CENTER_AUTH", env: map[string]string{"PARTNER_CENTER_AUTH": "token"}, want: `devicebatches: --auth "token" is not a credential: use one of env, cli, device-code, browser, managed-identity, default`},
		{name: "env without a secret", args: []string{"--auth", "env"}, env: map[string]string{"AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClientID},
			want: "devicebatches: --auth env needs AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH\nRun 'devicebatches --help' for usage."},
		{name: "env without a tenant", args: []string{"--auth", "env", "--client-id", testClientID}, env: map[string]string{"AZURE_CLIENT_SECRET": testSecret},
			want: "devicebatches: --auth env needs the partner tenant (--tenant or AZURE_TENANT_ID) and the app (--client-id or AZURE_CLIENT_ID), and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH\nRun 'devicebatches --help' for usage."},
		// A token on the command line would be visible to every local
		// user (ps, /proc): there is no such flag.
		{name: "no --token flag", args: []string{"--token", "abc"}, want: "devicebatches: unknown flag: --token\nRun 'devicebatches --help' for usage."},
		// The client secret must not travel in clear text either.
		{name: "authority over http", args: []string{"--auth", "env"}, env: map[string]string{"AZURE_TENANT_ID": testTenant, "AZURE_CLIENT_ID": testClientID, "AZURE_CLIENT_SECRET": testSecret, "AZURE_AUTHORITY_HOST": "http://login.example.com/"},
			want: "devicebatches: cannot set up the env (client secret) credential: cannot use an authority host without https\nRun 'devicebatches --help' for usage."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"list", "--customer", testCustomer}, tt.args...)
			code := run(t.Context(), args, streams{out: &out, err: &errb}, envFrom(tt.env))
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if got := strings.TrimSpace(errb.String()); got != tt.want {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestEnvAuthEndToEnd runs the CLI with --auth env through azidentity's
// real ClientSecretCredential against the loopback token endpoint.
func TestEnvAuthEndToEnd(t *testing.T) {
	tests := []struct {
		name       string
		fail       bool
		wantCode   int
		wantStderr string
	}{
		{name: "token sent to the API", wantCode: exitOK},
		{name: "invalid secret", fail: true, wantCode: exitFailure,
			wantStderr: "devicebatches: authentication with env (client secret) failed: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID. Check AZURE_CLIENT_SECRET: use the secret's value (not its ID) and make sure it has not expired.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testidp.New(t)
			p.SetFail(tt.fail)
			srv := newAPI(t)
			var out, errb bytes.Buffer
			a := newApp(streams{out: &out, err: &errb}, envFrom(appEnv(p, srv.srv.URL)), withCredentialTransport(p.Client()))
			code := a.execute(t.Context(), []string{"--auth", "env", "--max-retries", "0", "list", "--customer", testCustomer})
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errb.String())
			}
			if errb.String() != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", errb.String(), tt.wantStderr)
			}
			if strings.Contains(out.String()+errb.String(), testSecret) || strings.Contains(out.String()+errb.String(), "token-1") {
				t.Errorf("output shows a secret or token:\n%s%s", out.String(), errb.String())
			}
			tokens, discovery, scopes := p.Stats()
			if tokens != 1 || discovery != 0 {
				t.Errorf("token requests %d, instance discovery %d; want 1 and 0", tokens, discovery)
			}
			if len(scopes) != 1 || !strings.Contains(scopes[0], wrapper.DefaultScope) {
				t.Errorf("scopes requested %q, want %s", scopes, wrapper.DefaultScope)
			}
			wantAuths := []string{"Bearer token-1"}
			if tt.fail {
				wantAuths = nil
			}
			if got := srv.authorizations(); strings.Join(got, ",") != strings.Join(wantAuths, ",") {
				t.Errorf("API saw %q, want %q", got, wantAuths)
			}
		})
	}
}

// TestMalformedToken: a PARTNER_CENTER_TOKEN no bearer token can hold is
// a usage error on one line before any request, and the line never shows
// the token.
func TestMalformedToken(t *testing.T) {
	const head, tail = "eyJhbGciOi-head", "tail-Zm9vYmFy"
	tests := []struct {
		name, token, want string
	}{
		{"control character", head + "\x01" + tail, "character 16 is a control character (U+0001)"},
		{"escape", head + "\x1b[2J" + tail, "character 16 is a control character (U+001B)"},
		{"delete", head + "\x7f" + tail, "character 16 is a control character (U+007F)"},
		{"line break inside", head + "\r\n" + tail, "character 16 is a control character (U+000D)"},
		{"tab inside", head + "\t" + tail, "character 16 is a control character (U+0009)"},
		{"Bearer prefix", "Bearer " + head + tail, "character 7 is a space"},
		{"zero-width space", head + "\u200b" + tail, "character 16 is not ASCII (U+200B)"},
		// PARTNER_CENTER_TOKEN='"eyJ..."': the quotes are kept.
		{"quoted", `"` + head + tail + `"`, `character 1 is '"' (U+0022), which no bearer token holds (letters, digits, - . _ ~ + / and a trailing =)`},
		{"comma", head + "," + tail, `character 16 is ',' (U+002C), which no bearer token holds (letters, digits, - . _ ~ + / and a trailing =)`},
		{"text after padding", head + "==" + tail, "character 18 follows the '=' at character 16, and '=' may only end a token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAPI(t)
			var out, errb bytes.Buffer
			env := map[string]string{"PARTNER_CENTER_TOKEN": "\n" + tt.token + "\n", "PARTNER_CENTER_BASE_URL": srv.srv.URL}
			code := newApp(streams{out: &out, err: &errb}, envFrom(env)).execute(t.Context(), []string{"list", "--customer", testCustomer})
			want := "devicebatches: PARTNER_CENTER_TOKEN is malformed: " + tt.want + `; set it to the access token alone (no quotes, no "Bearer ", no line breaks)` + "\n"
			if code != exitUsage || errb.String() != want || out.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr\n%q\nwant exit %d, stderr\n%q", code, out.String(), errb.String(), exitUsage, want)
			}
			if strings.Contains(errb.String(), head) || strings.Contains(errb.String(), tail) {
				t.Errorf("stderr shows the token: %q", errb.String())
			}
			if got := srv.authorizations(); len(got) != 0 {
				t.Errorf("the API was called %d time(s)", len(got))
			}

			// doctor fails its credentials check the same way, and
			// calls nothing with the token.
			code, rep, _, _ := doctorRun(t, env, nil, "doctor", "-o", "json", "--max-retries", "0")
			c := checkOf(t, rep, "credentials")
			if code != exitFailure || c.Status != checkFail || !strings.Contains(c.Summary, "PARTNER_CENTER_TOKEN is malformed: "+tt.want) || checkOf(t, rep, "access").Status != checkSkipped || !strings.HasPrefix(c.Advice, "Set PARTNER_CENTER_TOKEN") {
				t.Errorf("doctor: exit %d, credentials %+v", code, c)
			}
			if strings.Contains(c.Summary, head) || strings.Contains(c.Summary, tail) {
				t.Errorf("doctor shows the token: %q", c.Summary)
			}
			// The network check's round trip carries no Authorization.
			for _, got := range srv.authorizations() {
				if got != "" {
					t.Error("doctor called the API with the token")
				}
			}
		})
	}
}

// tokenPaths records the path of every request a credential sends, which
// names the tenant the token was asked of.
type tokenPaths struct {
	next  *http.Client
	mu    sync.Mutex
	paths []string
}

func (p *tokenPaths) Do(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	p.paths = append(p.paths, r.URL.Path)
	p.mu.Unlock()
	return p.next.Do(r)
}

// TestEnvAuthFlags: with --auth env, --tenant and --client-id win over
// AZURE_TENANT_ID and AZURE_CLIENT_ID, as for every other method; the
// secret still comes from the environment.
func TestEnvAuthFlags(t *testing.T) {
	const otherTenant = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
	tests := []struct {
		name string
		env  map[string]string // over appEnv's
		args []string
	}{
		{name: "flags alone", env: map[string]string{"AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": ""}, args: []string{"--tenant", testTenant, "--client-id", testClientID}},
		// The identity platform stand-in knows testClientID only, and
		// the token request's path names the tenant.
		{name: "flags over the environment", env: map[string]string{"AZURE_TENANT_ID": otherTenant, "AZURE_CLIENT_ID": "11111111-2222-3333-4444-555555555555"}, args: []string{"--tenant", testTenant, "--client-id", testClientID}},
		{name: "environment alone", args: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testidp.New(t)
			srv := newAPI(t)
			env := appEnv(p, srv.srv.URL)
			for k, v := range tt.env {
				env[k] = v
			}
			rec := &tokenPaths{next: p.Client()}
			var out, errb bytes.Buffer
			a := newApp(streams{out: &out, err: &errb}, envFrom(env), withCredentialTransport(rec))
			args := append([]string{"--auth", "env", "--max-retries", "0"}, tt.args...)
			if code := a.execute(t.Context(), append(args, "list", "--customer", testCustomer)); code != exitOK {
				t.Fatalf("exit %d; stderr: %s", code, errb.String())
			}
			if got := srv.authorizations(); len(got) != 1 || got[0] != "Bearer token-1" {
				t.Errorf("API saw %q, want one call with Bearer token-1", got)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.paths) == 0 {
				t.Fatal("no request to the identity platform")
			}
			for _, path := range rec.paths {
				if !strings.HasPrefix(path, "/"+testTenant+"/") {
					t.Errorf("identity platform asked at %s, want the tenant %s", path, testTenant)
				}
			}
		})
	}
}

// TestDeviceCodeEndToEnd signs in as a user (App+User) with the device
// code flow: the instructions go to stderr, never stdout, and instance
// discovery stays off.
func TestDeviceCodeEndToEnd(t *testing.T) {
	p := testidp.New(t)
	srv := newAPI(t)
	env := map[string]string{
		"AZURE_AUTHORITY_HOST":    p.URL,
		"PARTNER_CENTER_BASE_URL": srv.srv.URL,
	}
	var out, errb bytes.Buffer
	a := newApp(streams{out: &out, err: &errb}, envFrom(env), withCredentialTransport(p.Client()))
	code := a.execute(t.Context(), []string{"--auth", "device-code", "--tenant", testTenant, "--client-id", testClientID, "--disable-instance-discovery", "list", "--customer", testCustomer})
	if code != exitOK {
		t.Fatalf("exit %d; stderr: %s", code, errb.String())
	}
	if errb.String() != testidp.DeviceCodeMessage+"\n" {
		t.Errorf("stderr = %q, want the device code prompt", errb.String())
	}
	if strings.Contains(out.String(), "ABCD-EFGH") || !strings.Contains(out.String(), "batch-1") {
		t.Errorf("stdout = %q: want the batches and no prompt", out.String())
	}
	if _, discovery, scopes := p.Stats(); discovery != 0 || len(scopes) == 0 || !strings.Contains(scopes[len(scopes)-1], wrapper.DefaultScope) {
		t.Errorf("instance discovery %d, scopes %q", discovery, scopes)
	}
	if got := srv.authorizations(); len(got) != 1 || !strings.HasPrefix(got[0], "Bearer token-") {
		t.Errorf("API saw %q, want one bearer token", got)
	}
}

// TestDebugNeverShowsSecrets: the --debug trace of a whole sign-in and call
// shows neither the client secret nor the token.
func TestDebugNeverShowsSecrets(t *testing.T) {
	p := testidp.New(t)
	srv := newAPI(t)
	var out, errb bytes.Buffer
	a := newApp(streams{out: &out, err: &errb}, envFrom(appEnv(p, srv.srv.URL)), withCredentialTransport(p.Client()))
	if code := a.execute(t.Context(), []string{"--auth", "env", "--debug", "list", "--customer", testCustomer, "-o", "json"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if errb.Len() == 0 {
		t.Fatal("--debug logged nothing")
	}
	if got := srv.authorizations(); len(got) != 1 || got[0] != "Bearer token-1" {
		t.Fatalf("API saw %q", got)
	}
	for _, secret := range []string{testSecret, "token-1"} {
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Errorf("output shows %q:\n%s", secret, errb.String())
		}
	}
}

// TestBinaryTrustsSSLCertFile builds the CLI and runs it as a user would:
// configuration only through the environment, and the test token server
// trusted only through SSL_CERT_FILE (the process's system roots).
func TestBinaryTrustsSSLCertFile(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	dir := t.TempDir()
	// Go also reads every file of SSL_CERT_DIR: point it at an empty one so
	// SSL_CERT_FILE alone decides what is trusted.
	emptyDir := t.TempDir()
	bin := filepath.Join(dir, "devicebatches")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := testidp.New(t)
	srv := newAPI(t)
	certFile := filepath.Join(dir, "idp.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		certFile string
		fail     bool
		wantCode int
		want     string // in stderr
	}{
		{name: "trusted", certFile: certFile, wantCode: exitOK},
		{name: "invalid secret", certFile: certFile, fail: true, wantCode: exitFailure, want: "authentication with env (client secret) failed: AADSTS7000215"},
		// Without SSL_CERT_FILE the test server is not trusted: this
		// proves the variable, not some other path, made the TLS work.
		{name: "untrusted", certFile: filepath.Join(dir, "missing.pem"), wantCode: exitFailure, want: "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.SetFail(tt.fail)
			env := []string{"HOME=" + dir, "SSL_CERT_FILE=" + tt.certFile, "SSL_CERT_DIR=" + emptyDir, "PARTNER_CENTER_AUTH=env"}
			for k, v := range appEnv(p, srv.srv.URL) {
				env = append(env, k+"="+v)
			}
			cmd := exec.Command(bin, "--max-retries", "0", "list", "--customer", testCustomer, "-o", "json")
			cmd.Env = env
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.wantCode || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.wantCode, errb.String(), tt.want)
			}
			if lines := strings.Count(errb.String(), "\n"); code != 0 && lines != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", lines, errb.String())
			}
			if tt.wantCode == exitOK && !strings.Contains(out.String(), "batch-1") {
				t.Errorf("stdout %q lacks the batch", out.String())
			}
			if strings.Contains(out.String()+errb.String(), testSecret) {
				t.Error("the secret was printed")
			}
		})
	}
	if got := srv.authorizations(); len(got) != 1 || got[0] != "Bearer token-1" {
		t.Errorf("API saw %q, want one call with Bearer token-1", got)
	}
}

// writeTestCertificate writes a self-signed RSA certificate and its key as
// PEM, the format AZURE_CLIENT_CERTIFICATE_PATH takes.
func writeTestCertificate(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "devicebatches test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...)
	path := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// aadError is a credential's error carrying an identity platform answer.
func aadError(code int, description string) error {
	body, _ := json.Marshal(map[string]any{"error": "invalid_request", "error_description": description, "error_codes": []int{code}})
	return &azidentity.AuthenticationFailedError{RawResponse: &http.Response{StatusCode: 400, Body: io.NopCloser(bytes.NewReader(body))}}
}

func TestExplainAuth(t *testing.T) {
	tests := []struct {
		name, cred string
		err        error
		want       string
	}{
		{name: "MFA required", cred: "cli (Azure CLI)",
			err:  &wrapper.AuthenticationError{Err: aadError(50076, "AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.\r\nTrace ID: 1")},
			want: "authentication with cli (Azure CLI) failed: AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication. The tenant requires multi-factor authentication: sign in with --auth device-code or --auth browser."},
		{name: "code not in the description", cred: "env (client secret)",
			err:  &wrapper.AuthenticationError{Err: aadError(700016, "Application not found.")},
			want: "authentication with env (client secret) failed: AADSTS700016: Application not found. Check AZURE_CLIENT_ID (--client-id) and AZURE_TENANT_ID (--tenant): the app must be registered in, or consented to by, the partner tenant."},
		{name: "no identity platform answer", cred: "cli (Azure CLI)",
			err:  fmt.Errorf("list: %w", &wrapper.AuthenticationError{Err: errors.New("AzureCLICredential: Azure CLI not found on path")}),
			want: "authentication with cli (Azure CLI) failed: AzureCLICredential: Azure CLI not found on path. Run 'az login --tenant <partner tenant id>' and try again."},
		{name: "other errors unchanged", cred: "cli (Azure CLI)", err: errors.New("boom"), want: "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{credName: tt.cred}
			got := a.explainAuth(tt.err)
			if got.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", got.Error(), tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Error("the original error is not in the chain")
			}
		})
	}
}
