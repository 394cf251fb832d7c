// Package testidp is a Microsoft identity platform (v2) stand-in for tests:
// an httptest TLS server on loopback with the OpenID configuration,
// instance discovery, the client credentials grant and the device code
// grant, enough for azidentity's real ClientSecretCredential and
// DeviceCodeCredential. Tests only: nothing here reaches a real tenant.
package testidp

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The identities the server knows.
const (
	Tenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	ClientID = "0f7b4b6e-1b1a-4bd2-9d47-0d5a2a7d6d11"
	Secret   = "s3cr3t-value-never-shown"
	// DeviceCode is the device code the server hands out; polling with it
	// succeeds at once, as if the user had signed in.
	DeviceCode = "dc-1"
	// DeviceCodeMessage is the sign-in prompt of the device code grant.
	DeviceCodeMessage = "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."
)

// Server is the identity platform stand-in.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	fail      bool
	expiresIn int
	tokens    int
	discovery int
	scopes    []string
	claims    map[string]any
}

// New starts a Server, closed when the test ends. Tokens are "token-1",
// "token-2", ... in the order issued.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{expiresIn: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /common/discovery/instance", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.discovery++
		s.mu.Unlock()
		host := strings.TrimPrefix(s.URL, "https://")
		writeJSON(w, http.StatusOK, map[string]any{
			"tenant_discovery_endpoint": s.URL + "/" + Tenant + "/v2.0/.well-known/openid-configuration",
			"api-version":               "1.1",
			"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
		})
	})
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := s.URL + "/" + r.PathValue("tenant")
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                        base + "/v2.0",
			"token_endpoint":                base + "/oauth2/v2.0/token",
			"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
			"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
		})
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f := r.PostForm
		s.mu.Lock()
		s.tokens++
		n, fail, exp, claims := s.tokens, s.fail, s.expiresIn, s.claims
		s.scopes = append(s.scopes, f.Get("scope"))
		s.mu.Unlock()
		grant := f.Get("grant_type")
		if (grant != "client_credentials" && grant != "device_code") || f.Get("client_id") != ClientID {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "AADSTS900144: unexpected request.", "error_codes": []int{900144}})
			return
		}
		signedIn := (grant == "client_credentials" && f.Get("client_secret") == Secret) || (grant == "device_code" && f.Get("device_code") == DeviceCode)
		if fail || !signedIn {
			writeJSON(w, http.StatusUnauthorized, map[string]any{
				"error":             "invalid_client",
				"error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: 2026-11-24 10:00:00Z",
				"error_codes":       []int{7000215},
			})
			return
		}
		token := fmt.Sprintf("token-%d", n)
		if claims != nil {
			token = UnsignedJWT(claims)
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": exp, "ext_expires_in": exp,
			"access_token": token,
		})
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"user_code": "ABCD-EFGH", "device_code": DeviceCode, "verification_uri": "https://microsoft.com/devicelogin",
			"expires_in": 900, "interval": 1, "message": DeviceCodeMessage,
		})
	})
	s.Server = httptest.NewTLSServer(mux)
	t.Cleanup(s.Close)
	return s
}

// SetFail makes every token request fail with AADSTS7000215 (invalid client
// secret), as Entra ID answers a wrong or expired secret.
func (s *Server) SetFail(fail bool) {
	s.mu.Lock()
	s.fail = fail
	s.mu.Unlock()
}

// SetExpiresIn sets the lifetime of tokens issued from now on, in seconds
// (default 3600).
func (s *Server) SetExpiresIn(seconds int) {
	s.mu.Lock()
	s.expiresIn = seconds
	s.mu.Unlock()
}

// SetClaims makes the server issue unsigned JWTs (alg none) carrying
// claims (aud, tid, appid, scp or roles, exp, ...) instead of "token-N";
// nil goes back to opaque tokens.
func (s *Server) SetClaims(claims map[string]any) {
	s.mu.Lock()
	s.claims = claims
	s.mu.Unlock()
}

// UnsignedJWT returns an unsigned JWT (header {"alg":"none"}, empty
// signature) with claims, the shape of an Entra ID access token for tests
// that read claims without verifying them.
func UnsignedJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "none", "typ": "JWT"}) + "." + enc(claims) + "."
}

// Stats returns how many token and instance discovery requests arrived, and
// the scope of each token request.
func (s *Server) Stats() (tokens, discovery int, scopes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens, s.discovery, append([]string(nil), s.scopes...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
