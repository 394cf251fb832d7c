package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/internal/testidp"
)

// doctorRun runs the command line with env and options, and returns the
// exit code, the parsed -o json report (when stdout holds one) and stderr.
func doctorRun(t *testing.T, env map[string]string, opts []appOption, args ...string) (int, doctorReport, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := newApp(streams{in: strings.NewReader(""), out: &out, err: &errb}, envFrom(env), opts...).execute(context.Background(), args)
	var rep doctorReport
	if slicesContains(args, "json") {
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("stdout is not the JSON checklist: %v\n%s", err, out.String())
		}
	}
	if s := out.String() + errb.String(); strings.Contains(s, testidp.Secret) {
		t.Errorf("output shows the client secret")
	}
	return code, rep, out.String(), errb.String()
}

func slicesContains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

func checkOf(t *testing.T, rep doctorReport, name string) doctorCheck {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", name, rep)
	return doctorCheck{}
}

// sandboxServer serves the sandbox over loopback, optionally changed by
// wrap, for doctor runs that use a real credential.
func sandboxServer(t *testing.T, o sandbox.Options, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	s, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = s
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func userClaims(aud string, exp time.Time) map[string]any {
	return map[string]any{"aud": aud, "tid": testidp.Tenant, "appid": testidp.ClientID, "upn": "ops@contoso.onmicrosoft.com", "scp": "user_impersonation", "exp": exp.Unix()}
}

func TestDoctorSandboxPasses(t *testing.T) {
	code, out, errb := runCLI(t, nil, "doctor", "--sandbox")
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errb)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var marks []string
	for _, l := range lines[1:] {
		marks = append(marks, strings.Fields(l)[0]+" "+strings.Fields(l)[1])
	}
	want := []string{"✓ credentials", "✓ network", "✓ clock", "✓ access", "✓ contract"}
	if strings.Join(marks, "|") != strings.Join(want, "|") {
		t.Errorf("checklist %q, want %q\n%s", marks, want, out)
	}
	if !strings.Contains(out, "App+User token, user admin@sandbox.onmicrosoft.com") || strings.Contains(out, sandboxJWT(time.Now())[:20]) {
		t.Errorf("credential line does not describe the token, or shows it:\n%s", out)
	}

	code, rep, _, _ := doctorRun(t, nil, nil, "doctor", "--sandbox", "--customer", "47021739-3426-40bf-9601-61b4b6d7c793", "-o", "json")
	if code != exitOK || !rep.OK || len(rep.Checks) != 5 {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
	for _, c := range rep.Checks {
		if c.Status != checkPass {
			t.Errorf("%s: %s (%s)", c.Name, c.Status, c.Summary)
		}
	}
	if c := checkOf(t, rep, "access"); !strings.Contains(c.Summary, "/deviceBatches: 2 device batch(es)") {
		t.Errorf("access with --customer: %s", c.Summary)
	}
	if c := checkOf(t, rep, "credentials"); c.Details["audience"] != "https://api.partnercenter.microsoft.com" || c.Details["kind"] != "App+User" || c.Details["tenant"] != sandboxTenant {
		t.Errorf("credential details %v", c.Details)
	}
}

// TestDoctorCredentials: the credential check against the local identity
// platform passes, warns and fails for the right reasons.
func TestDoctorCredentials(t *testing.T) {
	tests := []struct {
		name    string
		claims  map[string]any // nil: opaque tokens
		fail    bool           // the identity platform refuses the secret
		token   string         // PARTNER_CENTER_TOKEN instead of the client secret
		code    int
		status  string
		summary string
		advice  string
	}{
		{name: "App+User", claims: userClaims("https://api.partnercenter.microsoft.com", time.Now().Add(time.Hour)), code: exitOK, status: checkPass, summary: "App+User token, user ops@contoso.onmicrosoft.com, tenant " + testidp.Tenant},
		{name: "app-only", claims: map[string]any{"aud": "https://api.partnercenter.microsoft.com", "tid": testidp.Tenant, "appid": testidp.ClientID, "roles": []string{"Partner.Read"}, "exp": time.Now().Add(time.Hour).Unix()}, code: exitOK, status: checkWarn, summary: "app-only token", advice: "uploads (create a batch, add devices) need App+User"},
		{name: "v1 audience is the Partner Center app id", claims: userClaims(partnerCenterAppID, time.Now().Add(time.Hour)), code: exitOK, status: checkPass, summary: "App+User"},
		{name: "wrong audience", claims: userClaims("https://graph.windows.net", time.Now().Add(time.Hour)), code: exitFailure, status: checkFail, summary: "audience is https://graph.windows.net, not https://api.partnercenter.microsoft.com", advice: "https://api.partnercenter.microsoft.com/.default"},
		{name: "expired", token: testidp.UnsignedJWT(userClaims("https://api.partnercenter.microsoft.com", time.Now().Add(-time.Hour))), code: exitFailure, status: checkFail, summary: "PARTNER_CENTER_TOKEN (PARTNER_CENTER_TOKEN is set", advice: "Get a new token"},
		{name: "opaque token", code: exitOK, status: checkWarn, summary: "not a JWT"},
		{name: "secret refused", fail: true, code: exitFailure, status: checkFail, summary: "AADSTS7000215", advice: "AZURE_CLIENT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testidp.New(t)
			p.SetClaims(tt.claims)
			p.SetFail(tt.fail)
			env := appEnv(p, sandboxServer(t, sandbox.Options{}, nil))
			args := []string{"doctor", "--auth", "env", "-o", "json", "--max-retries", "0"}
			if tt.token != "" {
				env = map[string]string{"PARTNER_CENTER_TOKEN": tt.token, "PARTNER_CENTER_BASE_URL": env["PARTNER_CENTER_BASE_URL"]}
				args = []string{"doctor", "-o", "json"}
			}
			code, rep, _, errb := doctorRun(t, env, []appOption{withCredentialTransport(p.Client())}, args...)
			c := checkOf(t, rep, "credentials")
			if code != tt.code || c.Status != tt.status || !strings.Contains(c.Summary, tt.summary) || !strings.Contains(c.Advice, tt.advice) {
				t.Errorf("exit %d, credentials %+v\nwant exit %d, %s, summary with %q, advice with %q\n%s", code, c, tt.code, tt.status, tt.summary, tt.advice, errb)
			}
			if tt.status != checkFail && checkOf(t, rep, "access").Status != checkPass {
				t.Errorf("access: %+v", checkOf(t, rep, "access"))
			}
			if tt.status == checkFail && tt.token == "" && checkOf(t, rep, "access").Status != checkSkipped && !strings.Contains(tt.name, "audience") {
				t.Errorf("access ran without a token: %+v", checkOf(t, rep, "access"))
			}
		})
	}
}

func TestDoctorNetwork(t *testing.T) {
	// A closed port: nothing answers.
	srv := httptest.NewServer(http.NotFoundHandler())
	closed := srv.URL
	srv.Close()
	code, rep, _, _ := doctorRun(t, map[string]string{"PARTNER_CENTER_TOKEN": "opaque", "PARTNER_CENTER_BASE_URL": closed}, nil, "doctor", "-o", "json")
	n := checkOf(t, rep, "network")
	if code != exitFailure || n.Status != checkFail || !strings.Contains(n.Summary, "no answer from") || checkOf(t, rep, "access").Status != checkSkipped || checkOf(t, rep, "clock").Status != checkSkipped {
		t.Errorf("exit %d, network %+v", code, n)
	}

	// TLS with a certificate the client does not trust.
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	_, rep, _, _ = doctorRun(t, map[string]string{"PARTNER_CENTER_TOKEN": "opaque", "PARTNER_CENTER_BASE_URL": tlsSrv.URL}, nil, "doctor", "-o", "json")
	if n := checkOf(t, rep, "network"); n.Status != checkFail || !strings.Contains(n.Summary, "TLS: the certificate of") {
		t.Errorf("untrusted TLS: %+v", n)
	}
	// ... and trusted: the TLS version is named.
	_, rep, _, _ = doctorRun(t, map[string]string{"PARTNER_CENTER_TOKEN": "opaque", "PARTNER_CENTER_BASE_URL": tlsSrv.URL}, []appOption{withTransport(tlsSrv.Client())}, "doctor", "-o", "json")
	if n := checkOf(t, rep, "network"); n.Status != checkPass || !strings.Contains(n.Summary, "TLS 1.3") || !strings.Contains(n.Summary, "HTTP 404") {
		t.Errorf("trusted TLS: %+v", n)
	}
}

func TestProxyFor(t *testing.T) {
	u, _ := url.Parse("https://api.partnercenter.microsoft.com")
	env := map[string]string{"HTTPS_PROXY": "http://user:pw@proxy.contoso.com:3128"}
	p := proxyFor(envFrom(env), u)
	if p == nil || p.Redacted() != "http://user:xxxxx@proxy.contoso.com:3128" {
		t.Errorf("proxy %v", p)
	}
	env["NO_PROXY"] = ".microsoft.com"
	if p := proxyFor(envFrom(env), u); p != nil {
		t.Errorf("NO_PROXY ignored: %v", p)
	}
	if p := proxyFor(envFrom(map[string]string{"https_proxy": "http://proxy:8080"}), u); p == nil {
		t.Error("lower-case https_proxy ignored")
	}
}

// skewTransport moves the service's Date header by skew.
type skewTransport struct {
	next policy.Transporter
	skew time.Duration
}

func (s skewTransport) Do(r *http.Request) (*http.Response, error) {
	resp, err := s.next.Do(r)
	if err == nil {
		resp.Header.Set("Date", time.Now().Add(s.skew).UTC().Format(http.TimeFormat))
	}
	return resp, err
}

func TestDoctorClock(t *testing.T) {
	base := sandboxServer(t, sandbox.Options{}, nil)
	for _, tc := range []struct {
		skew   time.Duration
		status string
		text   string
	}{
		{0, checkPass, "within 1m0s"},
		{-5 * time.Minute, checkWarn, "ahead of the service's"},
		{10 * time.Minute, checkWarn, "behind the service's"},
	} {
		code, rep, _, _ := doctorRun(t, map[string]string{"PARTNER_CENTER_TOKEN": "opaque", "PARTNER_CENTER_BASE_URL": base},
			[]appOption{withTransport(skewTransport{next: http.DefaultClient, skew: tc.skew})}, "doctor", "-o", "json")
		c := checkOf(t, rep, "clock")
		if code != exitOK || c.Status != tc.status || !strings.Contains(c.Summary, tc.text) {
			t.Errorf("skew %s: exit %d, clock %+v", tc.skew, code, c)
		}
	}
}

func TestDoctorAccess(t *testing.T) {
	refuse := func(status int, body string) func(http.Handler) http.Handler {
		return func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/v1/") {
					h.ServeHTTP(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("MS-RequestId", "11111111-2222-3333-4444-555555555555")
				w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
				w.WriteHeader(status)
				_, _ = w.Write([]byte(body))
			})
		}
	}
	tests := []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		customer string
		summary  string
		advice   string
	}{
		{"401", refuse(401, `{"code":"900420","description":"The token audience is not valid.","source":"PartnerFD"}`), "", "HTTP 401, Partner Center code 900420", "wrong audience"},
		{"403 customers", refuse(403, `{"code":"2000","description":"Forbidden.","source":"PartnerFD"}`), "", "HTTP 403, Partner Center code 2000, Forbidden., MS-RequestId 11111111-2222-3333-4444-555555555555", "Admin agent role"},
		{"403 customer", refuse(403, `{"code":"2000","description":"Forbidden.","source":"PartnerFD"}`), "47021739-3426-40bf-9601-61b4b6d7c793", "HTTP 403", "GDAP relationship"},
		{"404 customer", nil, "00000000-0000-0000-0000-000000000001", "HTTP 404", "customer of this partner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := sandboxServer(t, sandbox.Options{}, tt.wrap)
			args := []string{"doctor", "-o", "json", "--max-retries", "0"}
			if tt.customer != "" {
				args = append(args, "--customer", tt.customer)
			}
			code, rep, _, _ := doctorRun(t, map[string]string{"PARTNER_CENTER_TOKEN": "opaque", "PARTNER_CENTER_BASE_URL": base}, nil, args...)
			c := checkOf(t, rep, "access")
			if code != exitFailure || c.Status != checkFail || !strings.Contains(c.Summary, tt.summary) || !strings.Contains(c.Advice, tt.advice) || c.Details["correlationId"] == "" {
				t.Errorf("exit %d, access %+v\nwant summary with %q, advice with %q", code, c, tt.summary, tt.advice)
			}
		})
	}
}

// TestDoctorAccessAudience: a refused token's advice names the audience the
// base URL asks for (a sovereign cloud's host), as the credentials check
// does, not always the global one.
func TestDoctorAccessAudience(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"code":"900420","description":"The token audience is not valid.","source":"PartnerFD"}`))
	}))
	defer srv.Close()
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		// httptest's certificate names 127.0.0.1: the stand-in for
		// https://partner.partnercenterapi.microsoftonline.cn.
		{name: "--base-url", args: []string{"--base-url", srv.URL}, want: "it must be https://127.0.0.1)"},
		{name: "PARTNER_CENTER_BASE_URL", env: map[string]string{"PARTNER_CENTER_BASE_URL": srv.URL}, want: "it must be https://127.0.0.1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"PARTNER_CENTER_TOKEN": "opaque"}
			for k, v := range tt.env {
				env[k] = v
			}
			args := append([]string{"doctor", "-o", "json", "--max-retries", "0"}, tt.args...)
			code, rep, _, _ := doctorRun(t, env, []appOption{withTransport(srv.Client())}, args...)
			c := checkOf(t, rep, "access")
			if code != exitFailure || c.Status != checkFail || !strings.Contains(c.Advice, tt.want) || strings.Contains(c.Advice, "api.partnercenter.microsoft.com") {
				t.Errorf("exit %d, access %+v\nwant advice with %q", code, c, tt.want)
			}
		})
	}
}

func TestDoctorContract(t *testing.T) {
	code, rep, _, _ := doctorRun(t, nil, nil, "doctor", "--sandbox", "--sandbox-drift", "unknown-field", "-o", "json")
	c := checkOf(t, rep, "contract")
	if code != exitOK || c.Status != checkWarn || !strings.Contains(c.Summary, "listCustomers HTTP 200 /items/0/sandboxDrift") || c.Required {
		t.Errorf("plain: exit %d, contract %+v", code, c)
	}
	if !strings.Contains(c.Advice, "run with --validate-contract") {
		t.Errorf("plain: advice %q does not say how to see each deviation", c.Advice)
	}
	code, rep, _, errb := doctorRun(t, nil, nil, "doctor", "--sandbox", "--sandbox-drift", "unknown-field", "--validate-contract=strict", "-o", "json")
	c = checkOf(t, rep, "contract")
	if code != exitFailure || c.Status != checkFail || !c.Required || !strings.Contains(errb, "devicebatches: contract: listCustomers HTTP 200 /items/0/sandboxDrift") {
		t.Errorf("strict: exit %d, contract %+v\n%s", code, c, errb)
	}

	// With --validate-contract given, the advice says where each
	// deviation is (stderr, as every command prints them), not to run
	// with the flag it already has.
	for _, mode := range []string{"--validate-contract", "--validate-contract=strict"} {
		_, out, errb := runCLI(t, nil, "doctor", "--sandbox", "--sandbox-drift", "all", mode)
		var listed int
		for _, l := range strings.Split(errb, "\n") {
			if strings.HasPrefix(l, "devicebatches: contract: ") {
				listed++
			}
		}
		var summary, advice string
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			if strings.Contains(l, " contract ") && i+1 < len(lines) {
				summary, advice = l, lines[i+1]
			}
		}
		if listed < 2 || !strings.Contains(summary, fmt.Sprintf(" %d deviation(s)", listed)) {
			t.Errorf("%s: %d deviation(s) on stderr, summary %q\n%s", mode, listed, summary, errb)
		}
		if strings.Contains(advice, "run with --validate-contract") || !strings.Contains(advice, "on stderr (devicebatches: contract: …)") {
			t.Errorf("%s: advice %q does not say where the deviations are", mode, advice)
		}
	}
}

func TestDoctorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"doctor", "-o", "yaml"},
		{"doctor", "--customer", "contoso"},
		{"doctor", "--sandbox-drift", "all"},
		{"doctor", "--sandbox", "--sandbox-drift", "sideways"},
		{"doctor", "--sandbox", "--validate-contract=maybe"},
	} {
		if code, out, _ := runCLI(t, nil, args...); code != exitUsage || out != "" {
			t.Errorf("%q: exit %d, stdout %q", args, code, out)
		}
	}
}
