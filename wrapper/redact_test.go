package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// echoClient is a client of srv holding token, logging --debug lines to
// logs.
func echoClient(t *testing.T, srv *httptest.Server, token string, logs *bytes.Buffer) *Client {
	t.Helper()
	c, err := NewClient(StaticToken(token), &ClientOptions{BaseURL: srv.URL,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// shows is everything of err a user could see, its Body decoded the way a
// reader would (JSON and HTML escapes undone).
func shows(err error, logs *bytes.Buffer) string {
	s := fmt.Sprintf("%v %+v %s", err, err, logs)
	var re *ResponseError
	if errors.As(err, &re) {
		s += re.Description + re.Code + re.Source + re.ErrorName + re.RequestID + re.CorrelationID + re.ContentType
		s += string(re.Body) + html.UnescapeString(unescapeJSON(string(re.Body)))
	}
	return s
}

// TestSecretCutByABoundIsRedacted: a server text bounded for display (an
// error description at 2 KiB, an id header at 200 bytes) that ends with
// the echoed token is redacted before it is cut, so no prefix of the
// token survives the cut.
func TestSecretCutByABoundIsRedacted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler func(w http.ResponseWriter, auth string)
	}{
		{"description at 2 KiB", func(w http.ResponseWriter, auth string) {
			desc := strings.Repeat("x", 2030) + " " + auth
			writeBody(w, 401, fmt.Sprintf(`{"code":401,"description":%q}`, desc))
		}},
		{"message at 2 KiB", func(w http.ResponseWriter, auth string) {
			writeBody(w, 429, fmt.Sprintf(`{"statusCode":429,"message":%q}`, strings.Repeat("y ", 1016)+auth))
		}},
		{"MS-RequestId at 200 bytes", func(w http.ResponseWriter, auth string) {
			w.Header().Set("MS-RequestId", strings.Repeat("r", 185)+" "+auth)
			writeBody(w, 503, ``)
		}},
		{"Content-Type at 200 bytes", func(w http.ResponseWriter, auth string) {
			w.Header().Set("Content-Type", "text/plain; x="+strings.Repeat("c", 171)+" "+auth)
			w.WriteHeader(500)
		}},
		{"paging error at 2 KiB", func(w http.ResponseWriter, auth string) {
			writeBody(w, 200, batchPage([]string{"a"}, fmt.Sprintf(`,"links":{"next":{"uri":"/x","method":%q}}`, strings.Repeat("M", 2000)+" "+auth)))
		}},
		{"error body at 1 MiB", func(w http.ResponseWriter, auth string) {
			// The token straddles the body's bound: ten of its characters
			// before it.
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(400)
			io.WriteString(w, strings.Repeat("p", maxErrorBody-len(auth)+len("Bearer ")+10)+auth+" and more")
		}},
		{"decode error's MS-CorrelationId at 200 bytes", func(w http.ResponseWriter, auth string) {
			w.Header().Set("MS-CorrelationId", strings.Repeat("k", 185)+" "+auth)
			writeBody(w, 200, `<html>`)
		}},
	} {
		for _, token := range []string{testToken, jwtLike} {
			t.Run(tc.name+"/"+token[:4], func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tc.handler(w, r.Header.Get("Authorization"))
				}))
				defer srv.Close()
				var logs bytes.Buffer
				_, err := echoClient(t, srv, token, &logs).ListDeviceBatches(context.Background(), testCustomer)
				if err == nil {
					t.Fatal("no error")
				}
				// The first six characters: "test-t" or "eyJhbG".
				if s := shows(err, &logs); strings.Contains(s, token[:6]) {
					t.Errorf("a prefix of the token reached the user: %s", s)
				}
			})
		}
	}
}

// TestEscapedSecretInBodyIsRedacted: a token the server sent escaped
// (JSON's \u002D or \/, HTML's &#116;) is redacted from Body too, not only
// from Description; a JSON body stays JSON.
func TestEscapedSecretInBodyIsRedacted(t *testing.T) {
	t.Parallel()
	// escape writes the token's first character as a JSON or HTML escape.
	jsonEsc := func(tok string) string { return fmt.Sprintf(`\u%04X`, tok[0]) + tok[1:] }
	htmlEsc := func(tok string) string { return fmt.Sprintf(`&#%d;`, tok[0]) + tok[1:] }
	for _, tc := range []struct {
		name, contentType string
		body              func(tok string) string
		json              bool
	}{
		{"JSON escape in the description", "application/json", func(tok string) string {
			return `{"code":401,"description":"bad token ` + jsonEsc(tok) + `","data":[]}`
		}, true},
		{"JSON escape in a data entry", "application/json", func(tok string) string {
			return `{"code":400,"description":"bad","data":["Bearer ` + jsonEsc(tok) + `"],"source":"PartnerFD"}`
		}, true},
		{"JSON escape in a key", "application/json", func(tok string) string {
			return `{"code":400,"description":"bad","` + jsonEsc(tok) + `":1.50}`
		}, true},
		{"HTML entity in the description", "application/json", func(tok string) string {
			return `{"code":401,"description":"bad token ` + htmlEsc(tok) + `"}`
		}, true},
		{"JSON escape in a body that is not JSON", "text/html", func(tok string) string {
			return `<html>token "` + jsonEsc(tok) + `"`
		}, false},
	} {
		for _, token := range []string{testToken, jwtLike} {
			t.Run(tc.name+"/"+token[:4], func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tc.contentType)
					w.WriteHeader(400)
					_, _ = w.Write([]byte(tc.body(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))))
				}))
				defer srv.Close()
				var logs bytes.Buffer
				_, err := echoClient(t, srv, token, &logs).ListDeviceBatches(context.Background(), testCustomer)
				var re *ResponseError
				if !errors.As(err, &re) {
					t.Fatalf("err = %v, want *ResponseError", err)
				}
				if s := shows(err, &logs); strings.Contains(s, token) {
					t.Errorf("the token reached the user: %s", s)
				}
				if !bytes.Contains(re.Body, []byte(Redacted)) {
					t.Errorf("Body = %s, want REDACTED in it", re.Body)
				}
				if tc.json && !json.Valid(re.Body) {
					t.Errorf("Body = %s, want it still JSON", re.Body)
				}
			})
		}
	}
}

// TestRedactBodyKeepsCleanBodies: a body with escapes but no secret is
// kept byte for byte; a re-encoded one keeps its order and numbers.
func TestRedactBodyKeepsCleanBodies(t *testing.T) {
	t.Parallel()
	var s secretSet
	s.add(testToken)
	for _, tc := range []struct{ in, want string }{
		{`{"description":"caf\u00e9 \/ &amp; \"q\"","code":3000}`, `{"description":"caf\u00e9 \/ &amp; \"q\"","code":3000}`},
		{`<p>a\b &lt;</p>`, `<p>a\b &lt;</p>`},
		{`{"z":[1.50,true,null,{}],"a":"\u0074est-token-6f1c2b-do-not-print <&>"}`, `{"z":[1.50,true,null,{}],"a":"REDACTED <&>"}`},
		{`{"data":["x` + testToken + `"], "d":"\ud83d\ude00"}`, `{"data":["xREDACTED"], "d":"\ud83d\ude00"}`},
	} {
		if got := string(s.redactBody([]byte(tc.in))); got != tc.want {
			t.Errorf("redactBody(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestUnescapeJSON decodes escapes anywhere, leaving malformed ones.
func TestUnescapeJSON(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`a\u0041\/\\u0041\n`:    "aA/\\u0041\n",
		`\ud83d\ude00 \u12`:     "\U0001F600 \\u12",
		`\ud83d \uzzzz \q end\`: "\ufffd \\uzzzz \\q end\\",
	} {
		if got := unescapeJSON(in); got != want {
			t.Errorf("unescapeJSON(%q) = %q, want %q", in, got, want)
		}
	}
}
