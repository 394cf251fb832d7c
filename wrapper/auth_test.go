package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/testidp"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

const (
	testTenant   = testidp.Tenant
	testClientID = testidp.ClientID
	testSecret   = testidp.Secret
)

// credentialOf is azidentity's real ClientSecretCredential, pointed at ts.
func credentialOf(t *testing.T, ts *testidp.Server, secret string) *azidentity.ClientSecretCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(testTenant, testClientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: ts.URL + "/"}, Transport: ts.Client()},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiServer is a Partner Center stand-in that records the Authorization
// header of every request and answers with an empty collection, or with
// answer when set.
type apiServer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	auths  []string
	answer func(w http.ResponseWriter, r *http.Request) bool
}

func newAPIServer(t *testing.T) *apiServer {
	t.Helper()
	a := &apiServer{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.auths = append(a.auths, r.Header.Get("Authorization"))
		answer := a.answer
		a.mu.Unlock()
		if answer != nil && answer(w, r) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"totalCount": 0, "items": []any{}, "attributes": map[string]any{"objectType": "Collection"}})
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *apiServer) authorizations() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.auths...)
}

func noRetry() policy.RetryOptions { return policy.RetryOptions{MaxRetries: -1} }

func TestClientSecretCredentialThroughTokenEndpoint(t *testing.T) {
	tests := []struct {
		name          string
		expiresIn     int
		calls         int
		wantTokenReqs int
		wantAuths     []string
	}{
		// One credential, one token for many calls.
		{name: "token reused", expiresIn: 3600, calls: 2, wantTokenReqs: 1, wantAuths: []string{"Bearer token-1", "Bearer token-1"}},
		// An expired token is renewed before the next call (azcore's bearer
		// token policy; inside its 5-minute margin it renews in the
		// background, at most once every 30 seconds).
		{name: "expired renewed", expiresIn: 0, calls: 2, wantTokenReqs: 2, wantAuths: []string{"Bearer token-1", "Bearer token-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := testidp.New(t)
			ts.SetExpiresIn(tt.expiresIn)
			api := newAPIServer(t)
			c, err := NewClient(credentialOf(t, ts, testSecret), &ClientOptions{BaseURL: api.srv.URL, ClientOptions: azcore.ClientOptions{Retry: noRetry()}})
			if err != nil {
				t.Fatal(err)
			}
			for range tt.calls {
				if _, err := c.ListDeviceBatches(t.Context(), testCustomer); err != nil {
					t.Fatal(err)
				}
			}
			reqs, disc, scopes := ts.Stats()
			if reqs != tt.wantTokenReqs {
				t.Errorf("token requests = %d, want %d", reqs, tt.wantTokenReqs)
			}
			if disc != 0 {
				t.Errorf("instance discovery asked %d times despite DisableInstanceDiscovery", disc)
			}
			for _, s := range scopes {
				// MSAL adds the OpenID scopes; the resource scope must be ours.
				if !strings.Contains(" "+s+" ", " "+DefaultScope+" ") {
					t.Errorf("token request scope = %q, want it to hold %s", s, DefaultScope)
				}
			}
			if got := api.authorizations(); strings.Join(got, "|") != strings.Join(tt.wantAuths, "|") {
				t.Errorf("API saw Authorization %q, want %q", got, tt.wantAuths)
			}
		})
	}
}

func TestScopesOption(t *testing.T) {
	ts := testidp.New(t)
	api := newAPIServer(t)
	const scope = "https://partner.partnercenterapi.microsoftonline.cn/.default"
	c, err := NewClient(credentialOf(t, ts, testSecret), &ClientOptions{BaseURL: api.srv.URL, Scopes: []string{scope}, ClientOptions: azcore.ClientOptions{Retry: noRetry()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDeviceBatches(t.Context(), testCustomer); err != nil {
		t.Fatal(err)
	}
	_, _, scopes := ts.Stats()
	if len(scopes) != 1 || !strings.Contains(scopes[0], scope) || strings.Contains(scopes[0], DefaultScope) {
		t.Errorf("token request scopes = %q, want only %s", scopes, scope)
	}
}

func TestTokenEndpointErrorIsAuthenticationError(t *testing.T) {
	ts := testidp.New(t)
	ts.SetFail(true)
	api := newAPIServer(t)
	c, err := NewClient(credentialOf(t, ts, testSecret), &ClientOptions{BaseURL: api.srv.URL, ClientOptions: azcore.ClientOptions{Retry: noRetry()}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListDeviceBatches(t.Context(), testCustomer)
	var ae *AuthenticationError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want *AuthenticationError", err, err)
	}
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) {
		t.Errorf("the credential's *AuthenticationFailedError is not in the chain")
	}
	// The body was put back: the credential's own message still shows it.
	if af != nil && !strings.Contains(af.Error(), "AADSTS7000215") {
		t.Errorf("AuthenticationFailedError lost its response: %s", af.Error())
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || strings.Contains(msg, testSecret) || !strings.Contains(msg, "AADSTS7000215") {
		t.Errorf("error message %q: want one line with the code and no secret", msg)
	}
	if n := len(api.authorizations()); n != 0 {
		t.Errorf("API called %d times without a token", n)
	}
}

// countingCredential hands out token-1, token-2... with the expiry and
// refresh time it is given.
type countingCredential struct {
	n         int
	expiresOn time.Time
	refreshOn time.Time
	scopes    [][]string
}

func (c *countingCredential) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.n++
	c.scopes = append(c.scopes, o.Scopes)
	return azcore.AccessToken{Token: fmt.Sprintf("token-%d", c.n), ExpiresOn: c.expiresOn, RefreshOn: c.refreshOn}, nil
}

func TestDefaultScope(t *testing.T) {
	tests := []struct{ base, want string }{
		{"", DefaultScope},
		{ChinaBaseURL, "https://partner.partnercenterapi.microsoftonline.cn/.default"},
		{"http://127.0.0.1:8080", DefaultScope},
	}
	for _, tt := range tests {
		base, err := parseBaseURL(tt.base)
		if err != nil {
			t.Fatal(err)
		}
		if got := defaultScopeFor(base); got != tt.want {
			t.Errorf("base %q: scope %q, want %s", tt.base, got, tt.want)
		}
	}
}

// TestTokenStaysWithTheService: a redirect or a next link to another host,
// or a base URL over plain http to a remote host, never carries the token.
func TestTokenStaysWithTheService(t *testing.T) {
	const token = "the-secret-token"
	tests := []struct {
		name   string
		answer func(other string) func(w http.ResponseWriter, r *http.Request) bool
		wantIs error
	}{
		{
			name: "redirect to another host",
			answer: func(other string) func(w http.ResponseWriter, r *http.Request) bool {
				return func(w http.ResponseWriter, r *http.Request) bool {
					http.Redirect(w, r, other+r.URL.Path, http.StatusTemporaryRedirect)
					return true
				}
			},
			wantIs: ErrRedirectRefused,
		},
		{
			name: "next link to another host",
			answer: func(other string) func(w http.ResponseWriter, r *http.Request) bool {
				return func(w http.ResponseWriter, r *http.Request) bool {
					writeJSON(w, http.StatusOK, map[string]any{
						"totalCount": 1, "items": []any{map[string]any{"id": "b1"}},
						"links": map[string]any{"next": map[string]any{"uri": other + "/v1/customers/" + testCustomer + "/deviceBatches?seek=2", "method": "GET"}},
					})
					return true
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := newAPIServer(t)
			api := newAPIServer(t)
			// Two loopback servers differ by port: different origins.
			api.answer = tt.answer(other.srv.URL)
			c, err := NewClient(StaticToken(token), &ClientOptions{BaseURL: api.srv.URL, ClientOptions: azcore.ClientOptions{Retry: noRetry()}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListDeviceBatches(t.Context(), testCustomer)
			if err == nil {
				t.Fatal("no error: the foreign host was followed")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want %v", err, tt.wantIs)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("error shows the token: %v", err)
			}
			for _, h := range other.authorizations() {
				if h != "" {
					t.Errorf("the other host received Authorization %q", h)
				}
			}
			if got := api.authorizations(); len(got) == 0 || got[0] != "Bearer "+token {
				t.Errorf("the service saw %q, want the token", got)
			}
		})
	}
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"http://api.partnercenter.microsoft.com", false},
		{"http://10.0.0.1:8080", false},
		{"http://127.0.0.1:8080", true},
		{"http://[::1]:8080", true},
		{"http://localhost:8080", true},
		{"https://api.partnercenter.microsoft.com", true},
	}
	for _, tt := range tests {
		_, err := NewClient(StaticToken("x"), &ClientOptions{BaseURL: tt.base})
		if (err == nil) != tt.ok {
			t.Errorf("NewClient(%s) error = %v, want ok=%v", tt.base, err, tt.ok)
		}
	}
}

// TestAuthorizeRefusesOtherOrigins: even a request built by hand for another
// origin (scheme or host) and sent through the client's pipeline gets no
// token, and the credential is not asked.
func TestAuthorizeRefusesOtherOrigins(t *testing.T) {
	cred := &countingCredential{expiresOn: time.Now().Add(time.Hour)}
	c, err := NewClient(cred, &ClientOptions{BaseURL: "https://api.partnercenter.microsoft.com", ClientOptions: azcore.ClientOptions{Retry: noRetry()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://api.partnercenter.microsoft.com/v1/x", "https://evil.example/v1/x", "https://api.partnercenter.microsoft.com:8443/v1/x"} {
		req := httptest.NewRequest(http.MethodGet, u, nil)
		resp, err := c.gen.Client.Do(req)
		if err == nil || resp != nil || req.Header.Get("Authorization") != "" {
			t.Errorf("%s: error %v, Authorization %q", u, err, req.Header.Get("Authorization"))
		}
	}
	if cred.n != 0 {
		t.Errorf("credential asked %d times for a foreign origin", cred.n)
	}
}
