package sandbox

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pageCustomers lists customers from path, following links.next as a
// client must: its uri (with /v1) as given, the token verbatim as the
// MS-ContinuationToken header. It returns the ids and the page sizes.
func pageCustomers(t *testing.T, s *Server, path string) (ids []string, sizes []int) {
	t.Helper()
	hdr := map[string]string{}
	for range 100 {
		r := call(t, s, "GET", path, hdr)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.raw)
		}
		items := r.body["items"].([]any)
		if r.body["totalCount"] != float64(len(items)) {
			t.Errorf("totalCount %v for %d items", r.body["totalCount"], len(items))
		}
		for _, it := range items {
			c := it.(map[string]any)
			ids = append(ids, c["id"].(string))
			if p := c["companyProfile"].(map[string]any); p["tenantId"] != c["id"] || p["companyName"] == "" || !strings.HasSuffix(p["domain"].(string), ".onmicrosoft.com") {
				t.Errorf("companyProfile %v", p)
			}
		}
		sizes = append(sizes, len(items))
		next, ok := r.body["links"].(map[string]any)["next"].(map[string]any)
		if !ok {
			if _, has := r.body["continuationToken"]; has {
				t.Error("last page carries a continuation token")
			}
			return ids, sizes
		}
		hs := next["headers"].([]any)
		h := hs[0].(map[string]any)
		tok := h["value"].(string)
		if len(hs) != 1 || h["key"] != "MS-ContinuationToken" || tok != r.body["continuationToken"] {
			t.Fatalf("links.next.headers %v", hs)
		}
		if !strings.ContainsAny(tok, ",") || !strings.Contains(tok, "/") || !strings.Contains(tok, "=") {
			t.Errorf("token %q lacks the commas, slashes and = of the service's", tok)
		}
		uri := next["uri"].(string)
		if !strings.HasPrefix(uri, "/v1/customers?size=") || !strings.HasSuffix(uri, "&seekOperation=Next") || next["method"] != "GET" {
			t.Fatalf("links.next.uri %q", uri)
		}
		path, hdr = uri, map[string]string{"MS-ContinuationToken": tok}
	}
	t.Fatal("more than 100 pages")
	return nil, nil
}

func TestListCustomersPagesEndToEnd(t *testing.T) {
	s := newServer(t, Options{Customers: 25, Seed: 3})
	ids, sizes := pageCustomers(t, s, "/v1/customers?size=10")
	if fmtInts(sizes) != "[10 10 8]" {
		t.Errorf("page sizes %v", sizes)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("customer %s twice", id)
		}
		seen[id] = true
	}
	if len(seen) != 28 || ids[0] != docCustomer {
		t.Errorf("%d customers, first %s", len(seen), ids[0])
	}
	// One page when no size is given (500 at most).
	if _, sizes := pageCustomers(t, s, "/v1/customers"); fmtInts(sizes) != "[28]" {
		t.Errorf("default page sizes %v", sizes)
	}
	if _, sizes := pageCustomers(t, s, "/v1/customers?size=500"); fmtInts(sizes) != "[28]" {
		t.Errorf("size 500 page sizes %v", sizes)
	}
}

func TestListCustomersFilter(t *testing.T) {
	s := newServer(t, Options{Customers: 30, Seed: 3})
	filter := func(field, value string) string {
		return "/v1/customers?size=2&filter=" + url.QueryEscape(`{"Field":"`+field+`","Value":"`+value+`","Operator":"starts_with"}`)
	}
	ids, sizes := pageCustomers(t, s, filter("CompanyName", "contoso"))
	// Contoso itself and generated customers 1, 13 and 25.
	if len(ids) != 4 || ids[0] != docCustomer || fmtInts(sizes) != "[2 2]" {
		t.Errorf("CompanyName contoso: %v %v", ids, sizes)
	}
	if ids, _ := pageCustomers(t, s, filter("Domain", "fabrikam.")); len(ids) != 1 || ids[0] != "0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35" {
		t.Errorf("Domain fabrikam.: %v", ids)
	}
	if ids, _ := pageCustomers(t, s, filter("CompanyName", "Nobody")); len(ids) != 0 {
		t.Errorf("no match: %v", ids)
	}
}

func TestListCustomersRefusals(t *testing.T) {
	s := newServer(t, Options{Customers: 5})
	first := call(t, s, "GET", "/v1/customers?size=1", nil)
	tok := first.body["continuationToken"].(string)
	other := newServer(t, Options{Customers: 5, Seed: 99})
	otherTok := call(t, other, "GET", "/v1/customers?size=1", nil).body["continuationToken"].(string)
	for _, tt := range []struct {
		name, path, tok string
	}{
		{"size 0", "/v1/customers?size=0", ""},
		{"size 501", "/v1/customers?size=501", ""},
		{"size not a number", "/v1/customers?size=ten", ""},
		{"filter not JSON", "/v1/customers?filter=Contoso", ""},
		{"filter unknown field", "/v1/customers?filter=" + url.QueryEscape(`{"Field":"Country","Value":"FR","Operator":"starts_with"}`), ""},
		{"filter unknown operator", "/v1/customers?filter=" + url.QueryEscape(`{"Field":"Domain","Value":"c","Operator":"equals"}`), ""},
		{"seekOperation without token", "/v1/customers?size=1&seekOperation=Next", ""},
		{"token without seekOperation", "/v1/customers?size=1", tok},
		{"seekOperation Previous", "/v1/customers?size=1&seekOperation=Previous", tok},
		{"token through a query string", "/v1/customers?size=1&seekOperation=Next", strings.ReplaceAll(tok, "+", " ")},
		{"token forged", "/v1/customers?size=1&seekOperation=Next", strings.Replace(tok, "TRC:1", "TRC:2", 1)},
		{"token of another sandbox", "/v1/customers?size=1&seekOperation=Next", otherTok},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, "GET", tt.path, map[string]string{"MS-ContinuationToken": tt.tok})
			if r.status != 400 || r.body["code"] != float64(400) {
				t.Errorf("%d %s, want 400", r.status, r.raw)
			}
		})
	}
	if r := call(t, s, "GET", "/v1/customers", map[string]string{"Authorization": ""}); r.status != 401 {
		t.Errorf("no token: %d", r.status)
	}
}

func TestGeneratedCustomers(t *testing.T) {
	a, b, c := newServer(t, Options{Customers: 40, Seed: 5}), newServer(t, Options{Customers: 40, Seed: 5}), newServer(t, Options{Customers: 40, Seed: 6})
	idsA, _ := pageCustomers(t, a, "/v1/customers")
	idsB, _ := pageCustomers(t, b, "/v1/customers")
	idsC, _ := pageCustomers(t, c, "/v1/customers")
	if strings.Join(idsA, ",") != strings.Join(idsB, ",") || idsA[3] == idsC[3] {
		t.Error("generated customers do not follow the seed")
	}
	var none, some, profiles int
	for _, id := range idsA[3:] {
		r := call(t, a, "GET", "/v1/customers/"+id+"/deviceBatches", nil)
		if r.status != 200 {
			t.Fatalf("batches of %s: %d", id, r.status)
		}
		items := r.body["items"].([]any)
		if len(items) == 0 {
			none++
			continue
		}
		some++
		b := items[0].(map[string]any)
		d := call(t, a, "GET", "/v1/customers/"+id+"/deviceBatches/"+url.PathEscape(b["id"].(string))+"/devices", nil)
		if d.status != 200 || d.body["totalCount"] != b["devicesCount"] {
			t.Errorf("devices of %s: %d %s", id, d.status, d.raw)
		}
		if p := call(t, a, "GET", "/v1/customers/"+id+"/policies", nil); p.body["totalCount"] != float64(0) {
			profiles++
		}
	}
	if none == 0 || some == 0 || profiles == 0 {
		t.Errorf("generated: %d with no batch, %d with batches, %d with a profile", none, some, profiles)
	}
	if _, err := New(Options{Customers: MaxCustomers + 1}); err == nil {
		t.Error("too many customers accepted")
	}
	if _, err := New(Options{ProcessingDelay: -time.Second}); err == nil {
		t.Error("negative ProcessingDelay accepted")
	}
}

func TestDataFileCustomersAndPolicies(t *testing.T) {
	dir := t.TempDir()
	const c = `"id":"0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35"`
	for _, tt := range []struct{ name, content, want string }{
		{"badpolicy.json", `{"customers":[{` + c + `,"policies":[{"id":"p","createdDate":"yesterday"}]}]}`, "customers[0].policies[0]"},
		{"nopolicyid.json", `{"customers":[{` + c + `,"policies":[{"name":"p"}]}]}`, "ConfigurationPolicy schema"},
		{"duppolicy.json", `{"customers":[{` + c + `,"policies":[{"id":"p"},{"id":"P"}]}]}`, "twice"},
		{"namenotstring.json", `{"customers":[{` + c + `,"companyName":3}]}`, "expected string"},
	} {
		p := filepath.Join(dir, tt.name)
		if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadData(p); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.want)
		}
	}
	d, err := ParseData("x.json", []byte(`{"customers":[{`+c+`,"companyName":"Tailspin Toys","domain":"tailspin.example"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Options{Data: d})
	r := call(t, s, "GET", "/v1/customers", nil)
	p := r.body["items"].([]any)[0].(map[string]any)["companyProfile"].(map[string]any)
	if p["companyName"] != "Tailspin Toys" || p["domain"] != "tailspin.example" {
		t.Errorf("company profile %v", p)
	}
	d, _ = ParseData("x.json", []byte(`{"customers":[{`+c+`}]}`))
	r = call(t, newServer(t, Options{Data: d}), "GET", "/v1/customers", nil)
	if p := r.body["items"].([]any)[0].(map[string]any)["companyProfile"].(map[string]any); p["companyName"] != "Customer 0f3c5a91" || p["domain"] != "0f3c5a91.onmicrosoft.com" {
		t.Errorf("default company profile %v", p)
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	s := newServer(t, Options{Faults: Faults{Latency: 90 * time.Second}})
	hs := s.HTTPServer()
	if hs.Handler != s || hs.ReadHeaderTimeout != ReadHeaderTimeout || hs.ReadTimeout != ReadTimeout ||
		hs.WriteTimeout != WriteTimeout+90*time.Second || hs.IdleTimeout != IdleTimeout {
		t.Errorf("server %+v", hs)
	}
	for _, d := range []time.Duration{hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout} {
		if d <= 0 {
			t.Errorf("a timeout is not set: %v", d)
		}
	}
	// It serves, and cuts a client that never finishes its headers.
	hs = newServer(t, Options{}).HTTPServer()
	hs.ReadHeaderTimeout = 100 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown(context.Background()) })
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/v1/customers", nil)
	req.Header.Set("Authorization", "Bearer x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET: %v %v", resp, err)
	}
	resp.Body.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /v1/customers HTTP/1.1\r\nHost: x\r\n"))
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if time.Since(start) > 4*time.Second {
		t.Error("a client that never finished its headers was not cut off")
	}
}

func fmtInts(a []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range a {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(v))
	}
	b.WriteByte(']')
	return b.String()
}

func TestExampleDataFileProfiles(t *testing.T) {
	d, err := LoadData(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := call(t, newServer(t, Options{Data: d}), "GET", "/v1/customers/5c2b9f0e-3a71-4d8e-b6c4-1f9a2e7d3c50/policies", nil)
	items := r.body["items"].([]any)
	if r.status != 200 || len(items) != 1 || items[0].(map[string]any)["devicesAssigned"] != float64(1) {
		t.Errorf("example.json profiles: %d %s", r.status, r.raw)
	}
}
