package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"
	"golang.org/x/net/http/httpproxy"

	"github.com/partnercenter-go/devicebatches/internal/pchttp"
	"github.com/partnercenter-go/devicebatches/internal/version"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// Check states of the doctor's checklist.
const (
	checkPass    = "pass"
	checkWarn    = "warn"
	checkFail    = "fail"
	checkSkipped = "skipped"
)

// maxClockSkew is the skew the doctor accepts between the local clock and
// the service's: tokens carry nbf and exp, and Entra ID and Partner Center
// allow only a few minutes of difference.
const maxClockSkew = time.Minute

// partnerCenterAppID is the application id of the Partner Center API
// (https://api.partnercenter.microsoft.com): v1 tokens may carry it as
// their audience.
const partnerCenterAppID = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"

// doctorCheck is one line of the checklist.
type doctorCheck struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Required bool   `json:"required"`
	Summary  string `json:"summary"`
	Advice   string `json:"advice,omitempty"`
	// Details are the facts behind the summary, for -o json monitoring.
	Details map[string]string `json:"details,omitempty"`
}

// doctorReport is the whole checklist, as -o json prints it.
type doctorReport struct {
	OK      bool          `json:"ok"`
	BaseURL string        `json:"baseUrl"`
	Checks  []doctorCheck `json:"checks"`
}

type doctorFlags struct {
	customer string
	output   string
}

func (a *app) doctorCommand() *cobra.Command {
	var f doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that credentials, network, clock and access to Partner Center work",
		Long: `doctor checks, in order, what a command needs and prints a checklist
(✓ passed, ✗ failed, ! warning), each with one line of advice:

  1 credentials  which credential is used and why; a token can be acquired;
                 its audience is Partner Center; App+User or app-only (the
                 token's claims, never the token)
  2 network      DNS, TLS and a round trip to the base URL; the proxy in use
  3 clock        skew between this machine and the service's Date header
  4 access       one read: GET /v1/customers?size=1, or with --customer
                 GET /v1/customers/{customer-id}/deviceBatches
  5 contract     the answers seen validated against the OpenAPI document

It exits 0 only if every required check (credentials, network, access;
contract too with --validate-contract=strict) passes.`,
		Example: `  devicebatches doctor
  devicebatches doctor --customer 47021739-3426-40bf-9601-61b4b6d7c793 -o json
  devicebatches doctor --sandbox`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDoctor(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "check access to this customer's device batches (GUID) instead of the customer list")
	cmd.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	return cmd
}

// errDoctor is the doctor's failure; the checklist already says why.
type errDoctor struct{ failed []string }

func (e *errDoctor) Error() string {
	return "doctor: required check(s) failed: " + strings.Join(e.failed, ", ")
}

func (a *app) runDoctor(ctx context.Context, f doctorFlags) error {
	if err := checkFormat(f.output, "text", "json"); err != nil {
		return err
	}
	if f.customer != "" {
		if err := wrapper.CheckCustomerID(f.customer); err != nil {
			return err
		}
	}
	mode, err := a.contractMode()
	if err != nil {
		return err
	}
	if err := a.checkSandboxDrift(); err != nil {
		return err
	}
	if a.flags.timeout <= 0 {
		return usagef("--timeout must be positive, like 2m or 30s")
	}
	ctx, cancel := context.WithTimeout(ctx, a.flags.timeout)
	defer cancel()

	var (
		rep   doctorReport
		token string
		cred  doctorCheck
	)
	if a.flags.sandbox {
		if a.flags.baseURL != "" {
			return usagef("--sandbox and --base-url cannot be used together")
		}
		base, _, stop, err := a.startSandbox(ctx)
		defer stop()
		if err != nil {
			return err
		}
		a.flags.baseURL = base
		token = sandboxJWT(time.Now())
		cred = credentialCheck("sandbox", "--sandbox: an unsigned test token with realistic claims; the sandbox accepts any token", token, wrapper.DefaultScope, time.Now())
	} else {
		cred, token = a.credentialsCheck(ctx)
	}
	base := a.flags.baseURL
	if base == "" {
		base = a.getenv("PARTNER_CENTER_BASE_URL")
	}
	if base == "" {
		base = wrapper.DefaultBaseURL
	}
	rep.BaseURL = base
	rep.Checks = append(rep.Checks, cred)

	network, date := a.networkCheck(ctx, base)
	rep.Checks = append(rep.Checks, network, clockCheck(network.Status, date, time.Now()))

	access := doctorCheck{Name: "access", Required: true}
	switch {
	case token == "":
		access.Status, access.Summary, access.Advice = checkSkipped, "no token to call Partner Center with", "Fix the credentials first."
	case network.Status == checkFail:
		access.Status, access.Summary, access.Advice = checkSkipped, "the service cannot be reached", "Fix the network first."
	default:
		access = a.accessCheck(ctx, token, f.customer)
	}
	rep.Checks = append(rep.Checks, access, a.contractCheck(access.Status, mode))

	var failed []string
	for _, c := range rep.Checks {
		if c.Required && c.Status != checkPass && c.Status != checkWarn {
			failed = append(failed, c.Name)
		}
	}
	rep.OK = len(failed) == 0
	if err := writeDoctor(a.io.out, f.output, rep); err != nil {
		return err
	}
	if !rep.OK {
		return &errDoctor{failed: failed}
	}
	return nil
}

func writeDoctor(w io.Writer, format string, rep doctorReport) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "devicebatches doctor: %s\n", cell(rep.BaseURL))
	for _, c := range rep.Checks {
		mark := map[string]string{checkPass: "✓", checkWarn: "!", checkFail: "✗", checkSkipped: "✗"}[c.Status]
		if c.Status == checkSkipped && !c.Required {
			mark = "-"
		}
		fmt.Fprintf(&b, "%s %-11s %s\n", mark, c.Name, oneLine(c.Summary))
		if c.Advice != "" {
			fmt.Fprintf(&b, "  %-11s %s\n", "", oneLine(c.Advice))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// credentialReason says why the credential in use was chosen.
func (a *app) credentialReason() string {
	switch {
	case strings.TrimSpace(a.auth.auth) != "":
		return "chosen with --auth"
	case strings.TrimSpace(a.getenv("PARTNER_CENTER_AUTH")) != "":
		return "chosen by PARTNER_CENTER_AUTH"
	case strings.TrimSpace(a.getenv("PARTNER_CENTER_TOKEN")) != "":
		return "PARTNER_CENTER_TOKEN is set and neither --auth nor PARTNER_CENTER_AUTH names a credential"
	}
	return "neither --auth, PARTNER_CENTER_AUTH nor PARTNER_CENTER_TOKEN is set, so the default chain is tried"
}

// credentialsCheck chooses the credential as every command does, acquires
// a token and reads its claims. It returns the token for the later checks
// ("" when none could be had).
func (a *app) credentialsCheck(ctx context.Context) (doctorCheck, string) {
	c := doctorCheck{Name: "credentials", Required: true}
	cred, name, err := a.credential()
	if err != nil {
		c.Status, c.Summary = checkFail, oneLine(err.Error())
		c.Advice = "Choose a credential with --auth (env, cli, device-code, browser, managed-identity, default) or set PARTNER_CENTER_TOKEN."
		if ia := (*wrapper.InvalidArgumentError)(nil); errors.As(err, &ia) && ia.Argument == "PARTNER_CENTER_TOKEN" {
			c.Advice = authHint(ia.Argument, "")
		}
		return c, ""
	}
	scope := a.scope()
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{scope}})
	if err == nil && (tok.Token == "" || pchttp.TokenProblem(tok.Token) != "") {
		err = errors.New("the credential returned an empty or malformed token")
	}
	if err != nil {
		msg := a.explainAuth(&wrapper.AuthenticationError{Scopes: []string{scope}, Err: err}).Error()
		c.Status, c.Summary = checkFail, name+" ("+a.credentialReason()+"): "+oneLine(msg)
		c.Advice = authHint(name, "")
		if _, code := splitAADSTS(msg); code != "" {
			c.Advice = authHint(name, code)
		}
		c.Details = map[string]string{"credential": name, "reason": a.credentialReason()}
		return c, ""
	}
	return credentialCheck(name, a.credentialReason(), tok.Token, scope, time.Now()), tok.Token
}

// splitAADSTS finds the first AADSTS code in msg.
func splitAADSTS(msg string) (string, string) {
	i := strings.Index(msg, "AADSTS")
	if i < 0 {
		return msg, ""
	}
	j := i + len("AADSTS")
	for j < len(msg) && msg[j] >= '0' && msg[j] <= '9' {
		j++
	}
	return msg, msg[i:j]
}

// scope is the token scope the client asks for: the base URL's host for
// https, else Partner Center's global one.
func (a *app) scope() string {
	base := a.flags.baseURL
	if base == "" {
		base = a.getenv("PARTNER_CENTER_BASE_URL")
	}
	if u, err := url.Parse(base); err == nil && u.Scheme == "https" && u.Host != "" {
		return "https://" + u.Hostname() + "/.default"
	}
	return wrapper.DefaultScope
}

// credentialCheck reads a token's claims without verifying them and says
// what the token allows. The token itself is never shown.
func credentialCheck(name, reason, token, scope string, now time.Time) doctorCheck {
	c := doctorCheck{Name: "credentials", Required: true, Details: map[string]string{"credential": name, "reason": reason}}
	who := name + " (" + reason + ")"
	claims, ok := jwtClaims(token)
	if !ok {
		c.Status = checkWarn
		c.Summary = who + ": a token was acquired, but it is not a JWT, so its audience and kind cannot be read"
		c.Advice = "Partner Center will judge the token: see the access check."
		return c
	}
	want := strings.TrimSuffix(scope, "/.default")
	aud := claims.audience()
	d := c.Details
	d["audience"], d["tenant"], d["appId"] = strings.Join(aud, " "), claims.str("tid"), claims.appID()
	d["user"], d["scopes"], d["roles"] = claims.user(), claims.str("scp"), strings.Join(claims.list("roles"), " ")
	kind := "App+User"
	if claims.str("scp") == "" {
		kind = "app-only"
	}
	d["kind"] = kind
	exp, hasExp := claims.time("exp")
	if hasExp {
		d["expires"] = exp.UTC().Format(time.RFC3339)
	}
	for k, v := range d {
		if v == "" {
			delete(d, k)
		}
	}
	var facts []string
	facts = append(facts, kind+" token")
	if u := claims.user(); u != "" {
		facts = append(facts, "user "+u)
	}
	facts = append(facts, "tenant "+orNone(claims.str("tid")), "app "+orNone(claims.appID()))
	if kind == "App+User" {
		facts = append(facts, "scopes "+claims.str("scp"))
	} else {
		facts = append(facts, "roles "+orNone(strings.Join(claims.list("roles"), " ")))
	}
	if hasExp {
		facts = append(facts, "expires "+exp.UTC().Format(time.RFC3339))
	}
	c.Summary = who + ": " + strings.Join(facts, ", ")
	switch {
	case !audienceMatches(aud, want):
		c.Status = checkFail
		c.Summary = who + ": the token's audience is " + orNone(strings.Join(aud, " ")) + ", not " + want
		c.Advice = "Ask for the scope " + scope + " (the retired https://graph.windows.net audience fails with 900420)."
	case hasExp && !exp.After(now):
		c.Status = checkFail
		c.Summary = who + ": the token expired at " + exp.UTC().Format(time.RFC3339)
		c.Advice = "Get a new token (PARTNER_CENTER_TOKEN cannot be refreshed), or use a credential that refreshes with --auth."
	case kind == "app-only":
		c.Status = checkWarn
		c.Advice = "App-only tokens can list; uploads (create a batch, add devices) need App+User: sign in with --auth device-code or --auth browser."
	default:
		c.Status = checkPass
	}
	return c
}

func audienceMatches(aud []string, want string) bool {
	for _, a := range aud {
		a = strings.TrimSuffix(a, "/")
		if strings.EqualFold(a, want) || (want == strings.TrimSuffix(wrapper.DefaultScope, "/.default") && strings.EqualFold(a, partnerCenterAppID)) {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// claims are a JWT's payload.
type claims map[string]any

// jwtClaims decodes a JWT's payload without verifying its signature: the
// doctor only describes the token; Partner Center verifies it.
func jwtClaims(token string) (claims, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var c claims
	if json.Unmarshal(raw, &c) != nil || c == nil {
		return nil, false
	}
	return c, true
}

func (c claims) str(k string) string {
	s, _ := c[k].(string)
	return oneLine(s)
}

func (c claims) list(k string) []string {
	switch v := c[k].(type) {
	case string:
		return []string{oneLine(v)}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, oneLine(s))
			}
		}
		return out
	}
	return nil
}

func (c claims) audience() []string { return c.list("aud") }

func (c claims) appID() string {
	if s := c.str("appid"); s != "" {
		return s
	}
	return c.str("azp")
}

func (c claims) user() string {
	for _, k := range []string{"upn", "unique_name", "preferred_username"} {
		if s := c.str(k); s != "" {
			return s
		}
	}
	return ""
}

func (c claims) time(k string) (time.Time, bool) {
	f, ok := c[k].(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// sandboxTenant and sandboxApp are the ids in the sandbox's test token.
const (
	sandboxTenant = "3a9e6b6f-5b0e-4a7e-9f43-6d1c2b0e5a11"
	sandboxApp    = "b7c1d9e2-8f4a-4c3b-9e6d-2a5f0c1b7d33"
)

// sandboxJWT is the token doctor --sandbox sends: unsigned (alg none), with
// the claims of an App+User Partner Center token, so that the credential
// check has something real to read. The sandbox accepts any token.
func sandboxJWT(now time.Time) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "none", "typ": "JWT"}) + "." + enc(map[string]any{
		"aud":   strings.TrimSuffix(wrapper.DefaultScope, "/.default"),
		"iss":   "https://sts.windows.net/" + sandboxTenant + "/",
		"tid":   sandboxTenant,
		"appid": sandboxApp,
		"upn":   "admin@sandbox.onmicrosoft.com",
		"scp":   "user_impersonation",
		"idtyp": "user",
		"iat":   now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}) + "."
}

// proxyFor returns the proxy the default transport would use for u, read
// from HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case) through getenv.
func proxyFor(getenv func(string) string, u *url.URL) *url.URL {
	env := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return getenv(strings.ToLower(k))
	}
	cfg := httpproxy.Config{HTTPProxy: env("HTTP_PROXY"), HTTPSProxy: env("HTTPS_PROXY"), NoProxy: env("NO_PROXY")}
	p, err := cfg.ProxyFunc()(u)
	if err != nil {
		return nil
	}
	return p
}

// networkCheck resolves the base URL's host, and makes one round trip to
// it (TLS included), through the proxy the environment names. It returns
// the service's Date header for the clock check.
func (a *app) networkCheck(ctx context.Context, base string) (doctorCheck, string) {
	c := doctorCheck{Name: "network", Required: true, Details: map[string]string{}}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		c.Status, c.Summary, c.Advice = checkFail, "the base URL "+cell(base)+" is not an absolute http(s) URL", "Fix --base-url or PARTNER_CENTER_BASE_URL, or leave it unset for "+wrapper.DefaultBaseURL+"."
		return c, ""
	}
	var facts []string
	proxy := proxyFor(a.getenv, u)
	if proxy != nil {
		c.Details["proxy"] = proxy.Redacted()
		facts = append(facts, "through proxy "+proxy.Redacted())
	}
	host := u.Hostname()
	if net.ParseIP(host) == nil && proxy == nil {
		addrs, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			c.Status, c.Summary = checkFail, "DNS: cannot resolve "+host+": "+oneLine(err.Error())
			c.Advice = "Check the DNS settings, or set HTTPS_PROXY if the network only allows a proxy."
			return c, ""
		}
		c.Details["addresses"] = strings.Join(addrs, " ")
		facts = append(facts, "DNS "+host+" → "+strings.Join(addrs, " "))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/", nil)
	if err != nil {
		c.Status, c.Summary = checkFail, oneLine(err.Error())
		return c, ""
	}
	req.Header.Set("User-Agent", "devicebatches-doctor/"+version.Version())
	start := time.Now()
	resp, err := a.networkTransport(proxy).Do(req)
	if err != nil {
		c.Status = checkFail
		var cv *tls.CertificateVerificationError
		var ua x509.UnknownAuthorityError
		var hn x509.HostnameError
		switch {
		case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn):
			c.Summary = "TLS: the certificate of " + u.Host + " is not trusted: " + oneLine(err.Error())
			c.Advice = "A TLS-inspecting proxy? Add its CA certificate to the system's trust store."
		default:
			c.Summary = "no answer from " + u.Host + ": " + oneLine(err.Error())
			c.Advice = "Check the firewall and the proxy (HTTPS_PROXY, NO_PROXY)."
			if proxy != nil {
				c.Advice = "Check the proxy " + proxy.Redacted() + " (HTTPS_PROXY, NO_PROXY) and the firewall."
			}
		}
		return c, ""
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	elapsed := time.Since(start).Round(time.Millisecond)
	if resp.TLS != nil {
		v := tls.VersionName(resp.TLS.Version)
		c.Details["tls"] = v
		facts = append(facts, v)
	} else if u.Scheme == "https" {
		facts = append(facts, "TLS")
	}
	c.Details["status"] = strconv.Itoa(resp.StatusCode)
	c.Details["roundTrip"] = elapsed.String()
	facts = append(facts, fmt.Sprintf("HTTP %d from %s in %s", resp.StatusCode, u.Host, elapsed))
	c.Status, c.Summary = checkPass, strings.Join(facts, ", ")
	return c, resp.Header.Get("Date")
}

// networkTransport is the transport of the network check: the one tests
// inject, else one that uses proxy and follows no redirect.
func (a *app) networkTransport(proxy *url.URL) policy.Transporter {
	if a.transport != nil {
		return a.transport
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = func(*http.Request) (*url.URL, error) { return proxy, nil }
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// clockCheck compares the local clock with the service's Date header.
func clockCheck(network, date string, now time.Time) doctorCheck {
	c := doctorCheck{Name: "clock"}
	if network != checkPass {
		c.Status, c.Summary = checkSkipped, "no answer from the service to compare with"
		return c
	}
	t, err := http.ParseTime(date)
	if err != nil {
		c.Status, c.Summary, c.Advice = checkWarn, "the service sent no usable Date header ("+orNone(cell(date))+")", "Make sure this machine's clock is synchronised (NTP)."
		return c
	}
	skew := now.Sub(t).Truncate(time.Second)
	c.Details = map[string]string{"serverDate": t.UTC().Format(time.RFC3339), "skew": skew.String()}
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	dir := "ahead of"
	if skew < 0 {
		dir = "behind"
	}
	if abs > maxClockSkew {
		c.Status = checkWarn
		c.Summary = fmt.Sprintf("this machine's clock is %s %s the service's (more than %s)", abs, dir, maxClockSkew)
		c.Advice = "Tokens are refused when clocks disagree: synchronise the clock (NTP)."
		return c
	}
	c.Status = checkPass
	c.Summary = fmt.Sprintf("within %s of the service's clock (skew %s)", maxClockSkew, skew)
	return c
}

// accessCheck makes one read call with the token and explains a refusal.
func (a *app) accessCheck(ctx context.Context, token, customer string) doctorCheck {
	c := doctorCheck{Name: "access", Required: true}
	a.contract.record = true
	client, err := a.client(wrapper.StaticToken(token))
	if err != nil {
		c.Status, c.Summary = checkFail, oneLine(err.Error())
		return c
	}
	what := "GET /v1/customers?size=1"
	var n int
	if customer != "" {
		what = "GET /v1/customers/" + customer + "/deviceBatches"
		var bs []wrapper.DeviceBatch
		bs, err = client.ListDeviceBatches(ctx, customer)
		n = len(bs)
	} else {
		n, err = client.ProbeCustomers(ctx)
	}
	if err == nil {
		c.Status = checkPass
		if customer != "" {
			c.Summary = fmt.Sprintf("%s: %d device batch(es)", what, n)
		} else {
			c.Summary = fmt.Sprintf("%s: the customer list can be read (%d on the first page)", what, n)
		}
		return c
	}
	c.Status = checkFail
	var re *wrapper.ResponseError
	if !errors.As(err, &re) {
		c.Summary = what + ": " + oneLine(err.Error())
		return c
	}
	c.Details = map[string]string{"status": strconv.Itoa(re.StatusCode), "code": re.Code, "requestId": re.RequestID, "correlationId": re.CorrelationID}
	for k, v := range c.Details {
		if v == "" {
			delete(c.Details, k)
		}
	}
	parts := []string{fmt.Sprintf("%s: HTTP %d", what, re.StatusCode)}
	if re.Code != "" {
		parts = append(parts, "Partner Center code "+re.Code)
	}
	if re.Description != "" {
		parts = append(parts, cell(re.Description))
	}
	parts = append(parts, "MS-RequestId "+orNone(re.RequestID), "MS-CorrelationId "+orNone(re.CorrelationID))
	c.Summary = strings.Join(parts, ", ")
	// The audience the credentials check expects: the base URL's host for
	// a sovereign cloud, else Partner Center's global one.
	c.Advice = accessAdvice(re.StatusCode, customer, strings.TrimSuffix(a.scope(), "/.default"))
	return c
}

// accessAdvice names the likely cause of a refused read; audience is the
// one the token must carry.
func accessAdvice(status int, customer, audience string) string {
	switch {
	case status == http.StatusUnauthorized:
		return "The token was refused: wrong audience (it must be " + audience + "), expired, or from another tenant than the partner's."
	case status == http.StatusForbidden && customer != "":
		return "No access to this customer: a GDAP relationship with it must grant the user a role that covers devices, or the user lacks the Admin agent role."
	case status == http.StatusForbidden:
		return "The user lacks the Admin agent role in Partner Center, or the app is not registered there (Account settings > App management)."
	case status == http.StatusNotFound && customer != "":
		return "The customer was not found: check the id, and that it is a customer of this partner."
	case status == http.StatusTooManyRequests:
		return "Partner Center throttled the call: try again later."
	case status >= 500:
		return "Partner Center failed: try again later, and quote the request and correlation ids to Microsoft support if it persists."
	}
	return "Quote the request and correlation ids to Microsoft support."
}

// contractCheck reports the deviations seen during the access check.
func (a *app) contractCheck(access, mode string) doctorCheck {
	c := doctorCheck{Name: "contract", Required: mode == contractStrict}
	devs := a.seenDeviations()
	if access == checkSkipped {
		c.Status, c.Summary = checkSkipped, "no answer from Partner Center to validate"
		return c
	}
	if a.contract.unavailable != "" {
		c.Status, c.Summary = checkSkipped, "not checked: this lean build of devicebatches has no contract validation"
		c.Advice = oneLine(a.contract.unavailable)
		return c
	}
	if len(devs) == 0 {
		c.Status, c.Summary = checkPass, "the answers seen match the OpenAPI document"
		return c
	}
	c.Status = checkWarn
	if mode == contractStrict {
		c.Status = checkFail
	}
	c.Details = map[string]string{}
	var kinds []string
	for i, d := range devs {
		c.Details["deviation"+strconv.Itoa(i+1)] = d.String()
		if !slices.Contains(kinds, d.Kind) {
			kinds = append(kinds, d.Kind)
		}
	}
	c.Summary = fmt.Sprintf("%d deviation(s) from the OpenAPI document (%s), first: %s", len(devs), strings.Join(kinds, ", "), devs[0])
	c.Advice = "The service differs from the document this tool was built from: run with --validate-contract to see each, and report them."
	if mode != contractOff {
		// Validation already printed each one, as every command does.
		c.Advice = "The service differs from the document this tool was built from: each deviation is on stderr (devicebatches: contract: …) and in -o json's details; report them."
	}
	return c
}
