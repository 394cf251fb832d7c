package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TokenCredential is azcore.TokenCredential: every azidentity credential
// (client secret, certificate, Azure CLI, device code, managed identity,
// DefaultAzureCredential) plugs in unchanged.
type TokenCredential = azcore.TokenCredential

// StaticToken returns a credential that always hands out token, for scripts
// that already hold an access token (the CLI's PARTNER_CENTER_TOKEN). It
// cannot refresh: when the token expires, calls fail with HTTP 401.
func StaticToken(token string) TokenCredential { return staticToken{token: token} }

type staticToken struct{ token string }

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if s.token == "" {
		return azcore.AccessToken{}, errors.New("the static token is empty")
	}
	// Unknown expiry: report one far enough ahead that it is never "refreshed".
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(100 * 365 * 24 * time.Hour)}, nil
}

// String and GoString keep the token out of %v and %#v.
func (s staticToken) String() string   { return "StaticToken(redacted)" }
func (s staticToken) GoString() string { return s.String() }

// tokenCache keeps the last token until shortly before it expires (or until
// the credential's RefreshOn), so one credential serves many calls with one
// fetch, whatever caching the credential does itself.
type tokenCache struct {
	mu    sync.Mutex
	token azcore.AccessToken
}

// refreshMargin: a token this close to expiry is renewed before use, so it
// cannot expire in flight.
const refreshMargin = 5 * time.Minute

func (tc *tokenCache) get(ctx context.Context, cred TokenCredential, scopes []string, now time.Time) (string, error) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if t := tc.token; t.Token != "" && now.Before(t.ExpiresOn.Add(-refreshMargin)) && (t.RefreshOn.IsZero() || now.Before(t.RefreshOn)) {
		return t.Token, nil
	}
	t, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: scopes})
	if err != nil {
		return "", &AuthenticationError{Scopes: scopes, Err: err}
	}
	if t.Token == "" || strings.ContainsAny(t.Token, "\r\n\x00 ") {
		// Never echo the value: it is a secret even when malformed.
		return "", &AuthenticationError{Scopes: scopes, Err: errors.New("the credential returned an empty or malformed token")}
	}
	tc.token = t
	return t.Token, nil
}

// AuthenticationError is returned when the credential could not provide a
// token (for example AADSTS7000215, an invalid client secret, or
// AADSTS50076, MFA required). Err is the credential's own error, such as
// *azidentity.AuthenticationFailedError. Inspect it with errors.As.
type AuthenticationError struct {
	Scopes []string
	Err    error
}

// Error returns the credential's failure, on one line.
func (e *AuthenticationError) Error() string {
	return fmt.Sprintf("getting a token for %s failed: %s", strings.Join(e.Scopes, " "), oneLine(e.Err.Error()))
}

// Unwrap returns the credential's error.
func (e *AuthenticationError) Unwrap() error { return e.Err }

// authorize adds the bearer token, but only to the configured service: a
// link, a next page or a redirect to another host or over plain http gets
// no token (ParseBaseURL already allows http for loopback only).
func (c *Client) authorize(ctx context.Context, req *http.Request) error {
	if !sameOrigin(req.URL, c.base) {
		return fmt.Errorf("refusing to send the token to %s://%s: only %s receives it", req.URL.Scheme, req.URL.Host, c.base.Host)
	}
	tok, err := c.tokens.get(ctx, c.cred, c.scopes, time.Now())
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}
