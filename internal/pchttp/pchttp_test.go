package pchttp

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// tryAgain is what the throttling policy does with a body: its "Try again
// in N seconds" as a Retry-After header.
func tryAgain(message string) time.Duration {
	h := http.Header{}
	h.Set("Retry-After", TryAgainSeconds([]byte(message)))
	return RetryAfter(h, time.Time{})
}

func FuzzRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, s := range []string{"1", "120", "0", "-1", "1.5", "1e3", "Inf", "NaN", "0x10", "99999999999999999999999",
		"Tue, 24 Nov 2026 12:00:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", " 7 ", ""} {
		f.Add(s, "Rate limit is exceeded. Try again in 57 seconds.")
	}
	f.Add("", "Try again in 9999999 seconds")
	f.Fuzz(func(t *testing.T, v, message string) {
		const day = 24 * time.Hour
		for _, name := range []string{"Retry-After", "Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
			h := http.Header{}
			h.Set(name, v)
			if d := max(RetryAfter(h, now), tryAgain(message)); d < 0 || d > day {
				t.Fatalf("retryAfter(%s: %q, %q) = %s", name, v, message, d)
			}
		}
	})
}

func TestRetryAfterValues(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		header, value, message string
		want                   time.Duration
	}{
		{"Retry-After", "1", "", time.Second},
		{"Retry-After", "Tue, 24 Nov 2026 12:00:30 GMT", "", 30 * time.Second},
		{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT", "", 0},
		{"Retry-After", "1.5", "", 0},
		{"Retry-After", "Inf", "", 0},
		{"Retry-After", "99999999999999999999999", "", 24 * time.Hour},
		{"Retry-After-Ms", "1500", "", 1500 * time.Millisecond},
		{"X-Ms-Retry-After-Ms", "250", "", 250 * time.Millisecond},
		{"", "", "Rate limit is exceeded. Try again in 57 seconds.", 57 * time.Second},
		{"", "", "try again in 1 second", time.Second},
		{"", "", "Try again in 9999999 seconds", 24 * time.Hour},
		{"", "", "Try again in 12345678 seconds", 0},
		{"", "", "Internal error", 0},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.header != "" {
			h.Set(tc.header, tc.value)
		}
		if got := max(RetryAfter(h, now), tryAgain(tc.message)); got != tc.want {
			t.Errorf("retryAfter(%s: %q, %q) = %s, want %s", tc.header, tc.value, tc.message, got, tc.want)
		}
	}
}

// TestTokenProblem: RFC 6750's b64token alphabet, each refusal naming the
// position (and the code point), never the token.
func TestTokenProblem(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLXdpdGgtXy1hbmQtLQ"
	tests := []struct{ tok, want string }{
		{"", ""},
		{jwt, ""},
		{"cli-token-5e3b9a-never-print", ""},
		{"a.b_c~d+e/f-0", ""},
		{"YWJjZA==", ""},
		{"YWJj=", ""},
		{`"tok"`, `character 1 is '"' (U+0022), which no bearer token holds (letters, digits, - . _ ~ + / and a trailing =)`},
		{"'tok'", `character 1 is '\'' (U+0027), which no bearer token holds`},
		{"tok,more", `character 4 is ',' (U+002C)`},
		{"tok;", `character 4 is ';' (U+003B)`},
		{"ab=c", "character 4 follows the '=' at character 3, and '=' may only end a token"},
		{"ab==c=", "character 5 follows the '=' at character 3"},
		{"Bearer tok", "character 7 is a space"},
		{"tok\n", "character 4 is a control character (U+000A)"},
		{"tök", "character 2 is not ASCII (U+00F6)"},
	}
	for _, tt := range tests {
		got := TokenProblem(tt.tok)
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("TokenProblem(%q) = %q, want %q", tt.tok, got, tt.want)
		}
		if tt.tok != "" && len(tt.tok) > 4 && strings.Contains(got, tt.tok) {
			t.Errorf("TokenProblem(%q) shows the token: %q", tt.tok, got)
		}
	}
}
