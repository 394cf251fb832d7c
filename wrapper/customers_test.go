package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// recorder keeps every request a client sends.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func customersSandboxClient(t *testing.T, o sandbox.Options) (*wrapper.Client, *recorder) {
	t.Helper()
	s, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	rec := &recorder{next: srv.Client().Transport}
	co := &wrapper.ClientOptions{BaseURL: srv.URL}
	co.Transport = &http.Client{Transport: rec}
	c, err := wrapper.NewClient(wrapper.StaticToken("sandbox"), co)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// TestListCustomersPaging: 1,203 customers come in three pages of 500; the
// pages after the first follow links.next, whose MS-ContinuationToken (with
// commas, slashes and '=') travels verbatim as a header and never in the
// URL, and whose uri carries /v1 and seekOperation=Next.
func TestListCustomersPaging(t *testing.T) {
	c, rec := customersSandboxClient(t, sandbox.Options{Customers: 1200})
	all, err := c.ListCustomers(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, cu := range all {
		seen[cu.Id.String()] = true
	}
	if len(all) != 1203 || len(seen) != 1203 {
		t.Fatalf("%d customers, %d distinct; want 1203", len(all), len(seen))
	}
	if len(rec.reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(rec.reqs))
	}
	for i, r := range rec.reqs {
		q := r.URL.Query()
		tok := r.Header.Get("MS-ContinuationToken")
		if r.URL.Path != "/v1/customers" || q.Get("size") != "500" {
			t.Errorf("page %d: %s, want /v1/customers?size=500", i+1, r.URL)
		}
		if i == 0 {
			if tok != "" || q.Has("seekOperation") {
				t.Errorf("first page sent a token or seekOperation: %s %q", r.URL, tok)
			}
			continue
		}
		if q.Get("seekOperation") != "Next" || !strings.ContainsAny(tok, ",/=") {
			t.Errorf("page %d: %s with token %q; want seekOperation=Next and the service's token", i+1, r.URL, tok)
		}
		if strings.Contains(r.URL.RawQuery, url.QueryEscape(tok)) || strings.Contains(r.URL.String(), tok) {
			t.Errorf("page %d: the continuation token is in the URL %s", i+1, r.URL)
		}
	}
}

// TestListCustomersFilters: the prefixes become the service's starts_with
// filter (URL-encoded JSON), and are checked before any request.
func TestListCustomersFilters(t *testing.T) {
	tests := []struct {
		name      string
		opts      *wrapper.ListCustomersOptions
		field     string
		wantCount int
	}{
		{"name", &wrapper.ListCustomersOptions{NamePrefix: "contoso"}, "CompanyName", 1},
		{"domain", &wrapper.ListCustomersOptions{DomainPrefix: "FABRIKAM"}, "Domain", 1},
		{"none", nil, "", 3},
		{"empty", &wrapper.ListCustomersOptions{}, "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := customersSandboxClient(t, sandbox.Options{})
			all, err := c.ListCustomers(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			raw := rec.reqs[0].URL.Query().Get("filter")
			if tt.field == "" {
				if rec.reqs[0].URL.Query().Has("filter") {
					t.Errorf("no filter asked, but sent %q", raw)
				}
			} else {
				var f map[string]string
				if err := json.Unmarshal([]byte(raw), &f); err != nil || f["Field"] != tt.field || f["Operator"] != "starts_with" {
					t.Errorf("filter %q (%v), want Field %s starts_with", raw, err, tt.field)
				}
			}
			if len(all) != tt.wantCount {
				t.Errorf("%d customers, want %d: %+v", len(all), tt.wantCount, all)
			}
		})
	}
	for _, bad := range []*wrapper.ListCustomersOptions{{NamePrefix: "a", DomainPrefix: "b"}, {NamePrefix: "  "}, {DomainPrefix: "a\nb"}} {
		c, rec := customersSandboxClient(t, sandbox.Options{})
		_, err := c.ListCustomers(t.Context(), bad)
		var ia *wrapper.InvalidArgumentError
		if !errors.As(err, &ia) || len(rec.reqs) != 0 {
			t.Errorf("%+v: err %v after %d requests; want an InvalidArgumentError before any", bad, err, len(rec.reqs))
		}
	}
}

// TestListCustomersNextLinkShapes: a next link that HTML-escapes & as &amp;
// and carries /v1 asks for the same page as the service meant, with its
// token as a header.
func TestListCustomersNextLinkShapes(t *testing.T) {
	const tok = "+RID:~abc=,/#RT:1"
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.RequestURI()+" "+r.Header.Get("MS-ContinuationToken"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("MS-ContinuationToken") == "" {
			fmt.Fprintf(w, `{"totalCount":1,"items":[{"id":"47021739-3426-40bf-9601-61b4b6d7c793"}],"links":{"next":{"uri":"/v1/customers?size=500&amp;seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":%q}]}}}`, tok)
			return
		}
		fmt.Fprint(w, `{"totalCount":1,"items":[{"id":"9c3c3a32-1d1b-4e0f-a3e1-0f4c2c6d8b2a"}]}`)
	}))
	defer srv.Close()
	c, err := wrapper.NewClient(wrapper.StaticToken("t"), &wrapper.ClientOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.ListCustomers(t.Context(), nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("%d customers, err %v", len(all), err)
	}
	if want := "/v1/customers?seekOperation=Next&size=500 " + tok; len(got) != 2 || got[1] != want {
		t.Errorf("second request %q, want %q", got, want)
	}
}

// TestListCustomersJSON yields each customer's JSON as the service sent it.
func TestListCustomersJSON(t *testing.T) {
	c, _ := customersSandboxClient(t, sandbox.Options{})
	n := 0
	for raw, err := range c.ListCustomersJSON(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil || m["companyProfile"] == nil || m["id"] == nil {
			t.Errorf("item %s: %v", raw, err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d customers, want 3", n)
	}
}
