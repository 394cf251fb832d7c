package pchttp

import (
	"net/url"
	"strings"
	"testing"
)

// TestResolveLinkShapes: the four shapes a link arrives in, and an
// HTML-escaped query, resolve to the same request.
func TestResolveLinkShapes(t *testing.T) {
	base, _ := url.Parse("https://api.partnercenter.microsoft.com")
	const want = "https://api.partnercenter.microsoft.com/v1/customers/c1/deviceBatches/Test%20batch/devices?a=1&b=2"
	for _, uri := range []string{
		"/customers/c1/deviceBatches/Test batch/devices?a=1&b=2",
		"customers/c1/deviceBatches/Test batch/devices?a=1&b=2",
		"/v1/customers/c1/deviceBatches/Test%20batch/devices?b=2&a=1",
		"https://api.partnercenter.microsoft.com/v1/customers/c1/deviceBatches/Test batch/devices?a=1&amp;b=2",
		"/v1//v1/customers/c1/deviceBatches/Test batch/devices?a=1&amp;b=2",
	} {
		u, err := ResolveLink(base, uri)
		if err != nil || u.String() != want {
			t.Errorf("ResolveLink(%q) = %v, %v; want %s", uri, u, err, want)
		}
	}
}

// TestResolveLinkBatchIDs: batch ids with %, %XX, spaces and / survive a
// link byte for byte, whether the service wrote them escaped or not.
func TestResolveLinkBatchIDs(t *testing.T) {
	base, _ := url.Parse("https://api.partnercenter.microsoft.com")
	for _, id := range []string{"Test batch", "100%25 done", "100%25done", "50% off", "a/b", "a b/c", "..a/b..", "Test%2Fbatch", "%", "a%2", "x/%2e%2e", "%2e%2e", "a?b"} {
		for _, written := range []string{id, url.PathEscape(id)} {
			if strings.Contains(id, "?") && written == id {
				continue // a raw "?" starts the query: no id can be told from it
			}
			uri := "/customers/c1/deviceBatches/" + written + "/devices"
			u, err := ResolveLink(base, uri, id)
			if err != nil {
				t.Errorf("ResolveLink(%q, known %q): %v", uri, id, err)
				continue
			}
			want := "/v1/customers/c1/deviceBatches/" + url.PathEscape(id) + "/devices"
			if u.EscapedPath() != want {
				t.Errorf("ResolveLink(%q, known %q) = %s, want %s", uri, id, u.EscapedPath(), want)
			}
		}
	}
	// Without the known id, text that cannot be an escaped segment is
	// literal, and valid escapes are read.
	for uri, want := range map[string]string{
		"/customers/c1/deviceBatches/100%25 done/devices":  "/v1/customers/c1/deviceBatches/100%2525%20done/devices",
		"/customers/c1/deviceBatches/50% off/devices":      "/v1/customers/c1/deviceBatches/50%25%20off/devices",
		"/customers/c1/deviceBatches/Test%20batch/devices": "/v1/customers/c1/deviceBatches/Test%20batch/devices",
	} {
		u, err := ResolveLink(base, uri)
		if err != nil || u.EscapedPath() != want {
			t.Errorf("ResolveLink(%q) = %v, %v; want %s", uri, u, err, want)
		}
	}
}

// FuzzResolveLinkKnownID: whatever the link and the known id, the result
// stays on the service under /v1 with no dot segment; and a link of any of
// the four shapes naming the id (literal or escaped) after deviceBatches
// keeps it byte for byte.
func FuzzResolveLinkKnownID(f *testing.F) {
	for _, s := range [][2]string{{"/customers/c/deviceBatches/{}/devices", "100%25 done"}, {"/v1/customers/c/deviceBatches/{}/devices?x=1&amp;y=2", "a/b"},
		{"https://api.partnercenter.microsoft.com/customers/c/deviceBatches/{}", "50% off"}, {"deviceBatches/{}/../..", ".."},
		{"/customers/{}/admin", "%2e%2e%2f"}, {"/customers/c/deviceBatches/{}/devices", "a b/c"}, {"/customers/c/deviceBatches/{}", "a\\..\\b"}} {
		f.Add(s[0], s[1])
	}
	base, _ := url.Parse("https://api.partnercenter.microsoft.com/base")
	shapes := []string{"/customers/c/deviceBatches/", "customers/c/deviceBatches/", "/v1/customers/c/deviceBatches/", "https://api.partnercenter.microsoft.com/base/v1/customers/c/deviceBatches/"}
	f.Fuzz(func(t *testing.T, tmpl, id string) {
		for _, uri := range []string{strings.ReplaceAll(tmpl, "{}", id), strings.ReplaceAll(tmpl, "{}", url.PathEscape(id))} {
			u, err := ResolveLink(base, uri, id)
			if err != nil {
				continue
			}
			if !SameOrigin(u, base) || !strings.HasPrefix(u.EscapedPath(), "/base/v1/") {
				t.Fatalf("ResolveLink(%q) = %s: off the service", uri, u)
			}
			back, err := url.Parse(u.String())
			if err != nil || back.EscapedPath() != u.EscapedPath() {
				t.Fatalf("ResolveLink(%q) = %s does not survive a round trip: %v", uri, u, err)
			}
			for _, seg := range strings.Split(back.EscapedPath(), "/") {
				un, _ := url.PathUnescape(seg)
				if un == "." || un == ".." {
					t.Fatalf("ResolveLink(%q) = %s: dot segment", uri, u)
				}
				if seg == url.PathEscape(id) {
					continue // the caller's own id passes as it is
				}
				// A server that decodes %2F, or reads "\" as "/", before
				// normalising sees the parts of the unescaped segment.
				for _, part := range strings.FieldsFunc(un, func(r rune) bool { return r == '/' || r == '\\' }) {
					if part == "." || part == ".." {
						t.Fatalf("ResolveLink(%q) = %s: a dot segment once %%2F or \\ is read as a slash", uri, u)
					}
				}
			}
		}
		if id == "" || id == "." || id == ".." || strings.ContainsAny(id, "?#") {
			return // not a batch id (checkBatchID), or one a raw link cannot carry
		}
		want := "/base/v1/customers/c/deviceBatches/" + url.PathEscape(id) + "/devices"
		for _, shape := range shapes {
			for _, written := range []string{id, url.PathEscape(id)} {
				uri := shape + written + "/devices"
				if strings.TrimSpace(uri) != uri {
					continue
				}
				u, err := ResolveLink(base, uri, id)
				if err != nil || u.EscapedPath() != want {
					t.Fatalf("ResolveLink(%q, known %q) = %v, %v; want %s", uri, id, u, err, want)
				}
			}
		}
	})
}

// TestResolveLinkRefusesDotParts: a segment whose unescaped text is, or
// holds between slashes or backslashes, a dot segment is refused: a server
// or proxy that decodes %2F (or reads "\" as "/") before normalising
// would otherwise climb out of /v1 with the token. Batch ids holding "/",
// spaces and dots in other places still resolve.
func TestResolveLinkRefusesDotParts(t *testing.T) {
	base, _ := url.Parse("https://api.partnercenter.microsoft.com")
	for _, uri := range []string{
		"/customers/%2e%2e%2f%2e%2e%2fadmin",
		"%2F%2e",
		"/customers/%2e%2e%2fx",
		"/customers/x%2F..",
		"/customers/x%2f%2E%2fy",
		"/customers/a%5C..%5Cadmin",
		"/customers/a\\..\\admin",
		"/customers/..\\x",
		"/customers/c/deviceBatches/..%2F..%2Fadmin/devices",
	} {
		if u, err := ResolveLink(base, uri); err == nil {
			t.Errorf("ResolveLink(%q) = %s; want a dot segment refused", uri, u)
		}
	}
	for uri, want := range map[string]string{
		"/customers/c/deviceBatches/a%2Fb/devices":     "/v1/customers/c/deviceBatches/a%2Fb/devices",
		"/customers/c/deviceBatches/a%20b%2Fc/devices": "/v1/customers/c/deviceBatches/a%20b%2Fc/devices",
		"/customers/c/deviceBatches/a%20b%2F...%2Fc":   "/v1/customers/c/deviceBatches/a%20b%2F...%2Fc",
		"/customers/c/deviceBatches/..a%2F.b%5Cc..":    "/v1/customers/c/deviceBatches/..a%2F.b%5Cc..",
	} {
		u, err := ResolveLink(base, uri)
		if err != nil || u.EscapedPath() != want {
			t.Errorf("ResolveLink(%q) = %v, %v; want %s", uri, u, err, want)
		}
	}
}
