package wrapper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/partnercenter-go/devicebatches/internal/pchttp"
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
	// Unknown expiry: far enough ahead that it is never "refreshed".
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(100 * 365 * 24 * time.Hour)}, nil
}

// String and GoString keep the token out of %v and %#v.
func (s staticToken) String() string   { return "StaticToken(redacted)" }
func (s staticToken) GoString() string { return s.String() }

// AuthenticationError is returned when the credential could not provide a
// token for Partner Center (for example AADSTS7000215, an invalid client
// secret, or AADSTS50076, MFA required). Err is the credential's own error,
// such as *azidentity.AuthenticationFailedError, whose RawResponse holds the
// identity platform's answer. Inspect it with errors.As.
type AuthenticationError struct {
	// Scopes asked of the credential.
	Scopes []string
	Err    error
}

// Error returns the credential's failure on one line.
func (e *AuthenticationError) Error() string {
	return fmt.Sprintf("getting a token for %s failed: %s", cmp.Or(strings.Join(e.Scopes, " "), "(no scopes)"), oneLine(errText(e.Err)))
}

// Unwrap returns the credential's error.
func (e *AuthenticationError) Unwrap() error { return e.Err }

// authCredential reports the credential's failures as *AuthenticationError
// and refuses a malformed token before it reaches a header. azcore's bearer
// token policy caches the token and renews it before it expires.
type authCredential struct {
	cred   azcore.TokenCredential
	scopes []string
	// seen remembers the tokens handed out, so the client can redact them
	// from anything a server echoes back.
	seen *secretSet
}

// GetToken implements azcore.TokenCredential.
func (a authCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := a.cred.GetToken(ctx, o)
	if err != nil {
		return t, &AuthenticationError{Scopes: a.scopes, Err: err}
	}
	// Never echo the value: it is a secret even when malformed.
	if t.Token == "" {
		return azcore.AccessToken{}, &AuthenticationError{Scopes: a.scopes, Err: errors.New("the credential returned an empty token")}
	}
	if what := pchttp.TokenProblem(t.Token); what != "" {
		return azcore.AccessToken{}, &AuthenticationError{Scopes: a.scopes, Err: errors.New("the credential returned a malformed token: " + what)}
	}
	if a.seen != nil {
		a.seen.add(t.Token)
	}
	return t, nil
}

// isNil reports a nil interface or one holding a nil pointer, such as a
// nil *azidentity.EnvironmentCredential, which would panic on first use.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
