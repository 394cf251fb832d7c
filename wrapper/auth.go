package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
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

// GetToken implements azcore.TokenCredential.
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
		return "", newAuthenticationError(scopes, err)
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
	// Code is the Microsoft identity platform's error code, like
	// "AADSTS7000215", when the token endpoint answered with one.
	Code string
	// Description is the first line of the identity platform's
	// error_description (it starts with Code), without the trace and
	// correlation ids that follow it. Empty when there was none.
	Description string
	Err         error
}

func newAuthenticationError(scopes []string, err error) *AuthenticationError {
	e := &AuthenticationError{Scopes: scopes, Err: err}
	var af *azidentity.AuthenticationFailedError
	if errors.As(err, &af) && af.RawResponse != nil {
		e.Code, e.Description = identityError(af.RawResponse)
	}
	return e
}

// maxIdentityErrorBody bounds how much of a token endpoint's error answer is read:
// the identity platform's errors are a few hundred bytes.
const maxIdentityErrorBody = 64 << 10

// identityError extracts the AADSTS code and description from a Microsoft
// identity platform error answer ({"error", "error_description",
// "error_codes"}). It reads at most maxIdentityErrorBody bytes and puts them back,
// so the credential's own Error() still shows the answer.
func identityError(resp *http.Response) (code, description string) {
	if resp.Body == nil {
		return "", ""
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxIdentityErrorBody))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), resp.Body), resp.Body}
	if err != nil {
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
		description = body.Error
	}
	return code, description
}

// Error returns the credential's failure, on one line: the identity
// platform's code and description when it gave them.
func (e *AuthenticationError) Error() string {
	if e.Description != "" {
		d := e.Description
		if e.Code != "" && !strings.HasPrefix(d, e.Code) {
			d = e.Code + ": " + d
		}
		return fmt.Sprintf("getting a token for %s failed: %s", strings.Join(e.Scopes, " "), d)
	}
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
