package wrapper

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/guid"
)

func FuzzCheckCustomerID(f *testing.F) {
	for _, s := range []string{testCustomer, "", "47021739342640bf960161b4b6d7c793", "{47021739-3426-40bf-9601-61b4b6d7c793}",
		"urn:uuid:47021739-3426-40bf-9601-61b4b6d7c793", "47021739-3426-40bf-9601-61b4b6d7c79g", "ABCDEF01-3426-40BF-9601-61B4B6D7C793"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckCustomerID(s)
		if (err == nil) != guid.Valid(s) {
			t.Fatalf("CheckCustomerID(%q) = %v, guid.Valid = %v", s, err, guid.Valid(s))
		}
		if err != nil {
			var ia *InvalidArgumentError
			if !errorsAs(err, &ia) {
				t.Fatalf("error %T is not *InvalidArgumentError", err)
			}
		}
	})
}

func errorsAs(err error, target **InvalidArgumentError) bool {
	ia, ok := err.(*InvalidArgumentError)
	*target = ia
	return ok
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
		if d, ok := parseRetryAfter(v, now); d < 0 || d > day || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %s, %v", v, d, ok)
		}
		for _, name := range []string{"Retry-After", "Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
			h := http.Header{}
			h.Set(name, v)
			if d := retryAfter(h, message, now); d < 0 || d > day {
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
		{"", "", "Internal error", 0},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.header != "" {
			h.Set(tc.header, tc.value)
		}
		if got := retryAfter(h, tc.message, now); got != tc.want {
			t.Errorf("retryAfter(%s: %q, %q) = %s, want %s", tc.header, tc.value, tc.message, got, tc.want)
		}
	}
}

func FuzzDecodePage(f *testing.F) {
	f.Add([]byte(batchPage([]string{"a", "Test batch"}, `,"continuationToken":"t","links":{"next":{"uri":"/customers/x/deviceBatches","headers":[{"key":"MS-ContinuationToken","value":"t"}]}}`)))
	f.Add([]byte("\xEF\xBB\xBF" + batchPage([]string{"a"}, "")))
	f.Add([]byte(`{"items":null}`))
	f.Add([]byte(`{"ITEMS":[{"id":"a"}],"items":[]}`))
	f.Add([]byte(`{"items":[{"id":"a"}]} x`))
	f.Add([]byte(`{"totalCount":99999999999,"items":[]}`))
	f.Add([]byte(`{"items":[{"id":"a"`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePage[DeviceBatch](strings.NewReader(string(b)))
		var want generated.DeviceBatchCollection
		if json.Unmarshal(b, &want) != nil || !strings.HasPrefix(strings.TrimLeft(string(b), " \t\r\n"), "{") {
			return // not a JSON collection: decodePage must only not panic
		}
		if err != nil {
			t.Fatalf("json.Unmarshal reads %q but decodePage fails: %v", b, err)
		}
		if len(p.items) != len(want.Items) {
			t.Fatalf("decodePage read %d items, json.Unmarshal %d, from %q", len(p.items), len(want.Items), b)
		}
	})
}

func FuzzResolveLink(f *testing.F) {
	for _, s := range []string{"/customers/c/deviceBatches/Test batch/devices", "/v1//v1/customers/c/deviceBatches", "v1/customers?seekOperation=Next",
		"https://evil.example/v1/customers", "//evil.example/x", "/customers/%2e%2e/%2e%2e/x", "/customers/../../x",
		"http://127.0.0.1:1/v1/customers/c", "https://user@127.0.0.1:1/v1/x", "/a%2Fb", "/a?b=%zz", "\\\\evil\\x", "/"} {
		f.Add(s)
	}
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, err := c.resolveLink(Link{Uri: uri})
		if err != nil {
			return
		}
		if u.Scheme != "http" || u.Host != "127.0.0.1:1" || u.User != nil {
			t.Fatalf("resolveLink(%q) = %s: another origin", uri, u)
		}
		// What goes on the wire, parsed back as the server would.
		back, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			t.Fatalf("resolveLink(%q) = %s, which does not parse: %v", uri, u, err)
		}
		if back.URL.Host != "127.0.0.1:1" || !strings.HasPrefix(back.URL.EscapedPath(), "/v1/") {
			t.Fatalf("resolveLink(%q) = %s: not under /v1/ on the service", uri, u)
		}
		for _, seg := range strings.Split(back.URL.Path, "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("resolveLink(%q) = %s: dot segment", uri, u)
			}
		}
	})
}
