package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// fakeIMDS answers every request a credential sends with one canned
// answer, as whatever listens on 169.254.169.254 would (an egress proxy,
// or IMDS itself), and records the hosts asked. Nothing leaves the process.
type fakeIMDS struct {
	status      int
	contentType string
	body        string
	mu          sync.Mutex
	hosts       []string
}

func (f *fakeIMDS) Do(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.hosts = append(f.hosts, r.URL.Host)
	f.mu.Unlock()
	return &http.Response{StatusCode: f.status, Status: http.StatusText(f.status), Header: http.Header{"Content-Type": {f.contentType}},
		Body: io.NopCloser(strings.NewReader(f.body)), Request: r}, nil
}

// TestNoCredentialsBehindProxy: with no credential configured, the default
// chain reaches managed identity, and what answers its address is not IMDS
// but an egress proxy refusing it. That is no credential, not a refused
// one: exit 2 and the usual list of ways to supply one, with the reason
// in a few words. IMDS's own JSON refusal, and --auth managed-identity
// chosen explicitly, stay authentication failures (exit 1).
func TestNoCredentialsBehindProxy(t *testing.T) {
	const proxyText = "resolve_deny: denied destination"
	proxyPage := "<html><body>" + strings.Repeat("Access to this site is blocked by policy. ", 40) + "</body></html>"
	tests := []struct {
		name   string
		chain  string // AZURE_TOKEN_CREDENTIALS: which sources the default chain has
		fake   *fakeIMDS
		args   []string
		code   int
		want   []string
		refuse []string
	}{
		{name: "proxy 403 text, managed identity alone", chain: "ManagedIdentityCredential", fake: &fakeIMDS{status: 403, contentType: "text/plain", body: proxyText},
			code: exitUsage, want: []string{"no credentials found (managed identity: HTTP 403 from 169.254.169.254 is not Azure's instance metadata service: ", `"resolve_deny: denied destination"`, "PARTNER_CENTER_TOKEN", "--auth env", "--auth cli", "--sandbox"}},
		// "prod" is the environment, workload identity and managed
		// identity: the chain probes IMDS first, as on a real machine.
		{name: "proxy 403 text, chain probes", chain: "prod", fake: &fakeIMDS{status: 403, contentType: "text/plain", body: proxyText},
			code: exitUsage, want: []string{"no credentials found (managed identity:", "HTTP 403", "PARTNER_CENTER_TOKEN", "--sandbox"}},
		{name: "proxy 407 page, cut", chain: "prod", fake: &fakeIMDS{status: 407, contentType: "text/html", body: proxyPage},
			code: exitUsage, want: []string{"no credentials found (managed identity:", "HTTP 407", `"<html><body>Access to this site`, `..."`, "--sandbox"}, refuse: []string{"</html>"}},
		{name: "IMDS refuses in JSON", chain: "prod", fake: &fakeIMDS{status: 403, contentType: "application/json", body: `{"error":"invalid_request","error_description":"Identity is disabled"}`},
			code: exitFailure, want: []string{"authentication with default (DefaultAzureCredential) failed", "Identity is disabled"}, refuse: []string{"no credentials found"}},
		{name: "managed identity chosen", chain: "prod", fake: &fakeIMDS{status: 403, contentType: "text/plain", body: proxyText}, args: []string{"--auth", "managed-identity"},
			code: exitFailure, want: []string{"authentication with managed-identity failed"}, refuse: []string{"no credentials found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AZURE_TOKEN_CREDENTIALS", tt.chain)
			srv := untouched(t)
			var out, errb bytes.Buffer
			a := newApp(streams{in: strings.NewReader(""), out: &out, err: &errb},
				envFrom(map[string]string{"PARTNER_CENTER_BASE_URL": srv.URL}), withCredentialTransport(tt.fake))
			code := a.execute(t.Context(), append([]string{"list", "--customer", testCustomer, "--max-retries", "0"}, tt.args...))
			stderr := errb.String()
			if code != tt.code || out.Len() != 0 {
				t.Fatalf("exit %d, stdout %q, want %d; stderr:\n%s", code, out.String(), tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, r := range tt.refuse {
				if strings.Contains(stderr, r) {
					t.Errorf("stderr holds %q:\n%s", r, stderr)
				}
			}
			// One line saying what to do, then the usual pointer to --help.
			if first, _, _ := strings.Cut(stderr, "\n"); tt.code == exitUsage && (!strings.Contains(first, "--sandbox") || strings.Contains(stderr, "-----")) {
				t.Errorf("want one line without the SDK's framing:\n%s", stderr)
			}
			tt.fake.mu.Lock()
			defer tt.fake.mu.Unlock()
			for _, h := range tt.fake.hosts {
				if h != "169.254.169.254" {
					t.Errorf("the credential asked %s", h)
				}
			}
		})
	}
}

// TestFanOutNoCredentials: a fan-out finds out once that there are no
// credentials, before any customer is fetched: exit 2 with the one line
// a single customer gets, managed identity's address asked once, not
// once per customer, and no customer's line with the SDK's whole text.
func TestFanOutNoCredentials(t *testing.T) {
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential")
	ids := strings.Join([]string{testCustomer, "0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35", "8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468",
		"11111111-2222-4333-8444-555555555555", "21111111-2222-4333-8444-555555555555"}, "\n")
	for _, args := range [][]string{
		{"list", "--customers-file", "-"},
		{"list", "--customers-file", "-", "--concurrency", "1"},
		{"list", "--all-customers"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			fake := &fakeIMDS{status: 403, contentType: "text/plain", body: "resolve_deny: denied destination"}
			srv := untouched(t)
			var out, errb bytes.Buffer
			a := newApp(streams{in: strings.NewReader(ids), out: &out, err: &errb},
				envFrom(map[string]string{"PARTNER_CENTER_BASE_URL": srv.URL}), withCredentialTransport(fake))
			code := a.execute(t.Context(), append(args, "--max-retries", "0"))
			stderr := errb.String()
			if code != exitUsage || !strings.HasPrefix(stderr, "devicebatches: no credentials found (managed identity:") || strings.Contains(stderr, "-----") {
				t.Errorf("exit %d, want %d and one line saying no credentials were found; stderr:\n%s", code, exitUsage, stderr)
			}
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if len(fake.hosts) != 1 || fake.hosts[0] != imdsHost {
				t.Errorf("the credential asked %q, want %s once", fake.hosts, imdsHost)
			}
		})
	}
}
