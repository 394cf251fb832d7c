package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/contract"
)

const (
	docCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"
	token       = "sandbox-test-token-Zx9"
)

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// call sends one request to s and checks request and response against the
// document whenever the document has the operation.
func call(t *testing.T, s *Server, method, path string, hdr map[string]string) reply {
	t.Helper()
	return send(t, s, method, path, hdr, "")
}

// send is call with a JSON request body ("" for none). Answers with an
// empty body (202, 204) have neither a JSON body nor a Content-Type.
func send(t *testing.T, s *Server, method, path string, hdr map[string]string, body string) reply {
	t.Helper()
	newReq := func() *http.Request {
		var req *http.Request
		if body == "" {
			req = httptest.NewRequest(method, "http://127.0.0.1"+path, nil)
		} else {
			req = httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		}
		return req
	}
	req := newReq()
	if _, ok := hdr["Authorization"]; !ok {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	r := reply{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if len(r.raw) == 0 {
		if r.status != http.StatusAccepted && r.status != http.StatusNoContent {
			t.Errorf("%s %s: empty body with status %d", method, path, r.status)
		}
	} else {
		if err := json.Unmarshal(r.raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %v: %s", method, path, err, r.raw)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	for _, h := range []string{"MS-RequestId", "MS-CorrelationId", "MS-CV", "MS-ServerId"} {
		if r.header.Get(h) == "" {
			t.Errorf("%s %s: no %s header", method, path, h)
		}
	}
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	vreq := newReq()
	vreq.Header = req.Header.Clone()
	in, _ := v.Request(context.Background(), vreq)
	if in != nil {
		if err := v.Response(context.Background(), in, r.status, r.header, r.raw); err != nil {
			t.Errorf("response breaks the document: %v", err)
		}
	}
	return r
}

func newServer(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestListDeviceBatchesDocumentedExample(t *testing.T) {
	s := newServer(t, Options{})
	r := call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches", map[string]string{
		"MS-RequestId":     "e88d014d-ab70-41de-90a0-f7fd1797267d",
		"MS-CorrelationId": "de894e18-f027-4ac0-8b5a-34f0c222af0c",
	})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if got := r.header.Get("MS-RequestId"); got != "e88d014d-ab70-41de-90a0-f7fd1797267d" {
		t.Errorf("MS-RequestId not echoed: %q", got)
	}
	if got := r.header.Get("MS-CorrelationId"); got != "de894e18-f027-4ac0-8b5a-34f0c222af0c" {
		t.Errorf("MS-CorrelationId not echoed: %q", got)
	}
	var body struct {
		TotalCount int               `json:"totalCount"`
		Items      []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.TotalCount != 2 || len(body.Items) != 2 {
		t.Fatalf("totalCount %d, %d items", body.TotalCount, len(body.Items))
	}
	want := `{"id":"Test batch","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":5,
	"devicesLink":{"uri":"/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/Test batch/devices","method":"GET","headers":[]},
	"attributes":{"objectType":"DeviceBatch"}}`
	var got, exp any
	_ = json.Unmarshal(body.Items[0], &got)
	_ = json.Unmarshal([]byte(want), &exp)
	gb, _ := json.Marshal(got)
	eb, _ := json.Marshal(exp)
	if !bytes.Equal(gb, eb) {
		t.Errorf("Test batch\n got %s\nwant %s", gb, eb)
	}
	if _, ok := r.body["continuationToken"]; ok {
		t.Error("an unpaged batch list carries a continuation token")
	}
}

func TestListDevicesPaging(t *testing.T) {
	s := newServer(t, Options{Seed: 7})
	path := "/v1/customers/" + docCustomer + "/deviceBatches/Autopilot%20wave%202/devices"
	var sizes []int
	seen := map[string]bool{}
	tok := ""
	for range 5 {
		r := call(t, s, "GET", path, map[string]string{"MS-ContinuationToken": tok})
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.raw)
		}
		items := r.body["items"].([]any)
		if int(r.body["totalCount"].(float64)) != len(items) {
			t.Errorf("totalCount %v for %d items", r.body["totalCount"], len(items))
		}
		for _, it := range items {
			id := it.(map[string]any)["id"].(string)
			if seen[id] {
				t.Errorf("device %s on two pages", id)
			}
			seen[id] = true
		}
		sizes = append(sizes, len(items))
		next, more := r.body["continuationToken"].(string)
		links, hasLinks := r.body["links"].(map[string]any)
		if !more {
			if hasLinks {
				t.Errorf("last page has links %v", links)
			}
			break
		}
		if len(next) < 16 || strings.Trim(next, "0123456789") == "" {
			t.Errorf("token %q looks guessable", next)
		}
		link := links["next"].(map[string]any)
		wantURI := "/customers/" + docCustomer + "/deviceBatches/Autopilot wave 2/devices"
		if link["uri"] != wantURI || link["method"] != "GET" {
			t.Errorf("links.next = %v, want uri %q", link, wantURI)
		}
		hs := link["headers"].([]any)
		if len(hs) != 1 || hs[0].(map[string]any)["key"] != "MS-ContinuationToken" || hs[0].(map[string]any)["value"] != next {
			t.Errorf("links.next.headers = %v, want the token", hs)
		}
		tok = next
	}
	if want := []int{100, 100, 50}; !equalInts(sizes, want) {
		t.Errorf("page sizes %v, want %v", sizes, want)
	}
	if len(seen) != 250 {
		t.Errorf("%d distinct devices, want 250", len(seen))
	}
}

func TestBatchPaging(t *testing.T) {
	s := newServer(t, Options{BatchPageSize: 1})
	path := "/v1/customers/" + docCustomer + "/deviceBatches"
	r := call(t, s, "GET", path, nil)
	next := r.body["continuationToken"].(string)
	link := r.body["links"].(map[string]any)["next"].(map[string]any)
	if link["uri"] != "/customers/"+docCustomer+"/deviceBatches" {
		t.Errorf("links.next.uri = %v", link["uri"])
	}
	r = call(t, s, "GET", path, map[string]string{"MS-ContinuationToken": next})
	items := r.body["items"].([]any)
	if r.status != 200 || len(items) != 1 || items[0].(map[string]any)["id"] != "Autopilot wave 2" {
		t.Errorf("second page: %d %s", r.status, r.raw)
	}
	if _, ok := r.body["continuationToken"]; ok {
		t.Error("last page carries a continuation token")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestErrors(t *testing.T) {
	s := newServer(t, Options{PageSize: 2})
	devices := "/v1/customers/" + docCustomer + "/deviceBatches/Test%20batch/devices"
	first := call(t, s, "GET", devices, nil)
	otherTok := call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches/Autopilot%20wave%202/devices", nil).body["continuationToken"].(string)
	validTok := first.body["continuationToken"].(string)
	forged := []byte(validTok)
	forged[len(forged)-1] ^= 1
	tests := []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		code               float64
		header             map[string]string
	}{
		{"no token", "GET", "/v1/customers/" + docCustomer + "/deviceBatches", map[string]string{"Authorization": ""}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"basic auth", "GET", "/v1/customers/" + docCustomer + "/deviceBatches", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"empty bearer", "GET", devices, map[string]string{"Authorization": "Bearer "}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"token with spaces", "GET", devices, map[string]string{"Authorization": "Bearer a b SECRETX"}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"two spaces", "GET", devices, map[string]string{"Authorization": "Bearer  SECRETX"}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"tab in token", "GET", devices, map[string]string{"Authorization": "Bearer a\tSECRETX"}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"control character", "GET", devices, map[string]string{"Authorization": "Bearer a\x01SECRETX"}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"not ASCII", "GET", devices, map[string]string{"Authorization": "Bearer s\u00e9cretx"}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"no token beats bad id", "GET", "/v1/customers/not-a-guid/deviceBatches", map[string]string{"Authorization": ""}, 401, 401, map[string]string{"WWW-Authenticate": "Bearer"}},
		{"customer not a GUID", "GET", "/v1/customers/not-a-guid/deviceBatches", nil, 400, 400, nil},
		{"bad correlation id", "GET", "/v1/customers/" + docCustomer + "/deviceBatches", map[string]string{"MS-CorrelationId": "nope"}, 400, 400, nil},
		{"unknown customer", "GET", "/v1/customers/00000000-0000-0000-0000-000000000001/deviceBatches", nil, 404, 600, nil},
		{"unknown customer devices", "GET", "/v1/customers/00000000-0000-0000-0000-000000000001/deviceBatches/Test%20batch/devices", nil, 404, 600, nil},
		{"unknown batch", "GET", "/v1/customers/" + docCustomer + "/deviceBatches/nope/devices", nil, 404, 404, nil},
		{"unknown path", "GET", "/v1/customers/" + docCustomer + "/invoices", nil, 404, 404, nil},
		{"no v1", "GET", "/customers/" + docCustomer + "/deviceBatches", nil, 404, 404, nil},
		{"wrong method", "DELETE", "/v1/customers/" + docCustomer + "/deviceBatches", nil, 405, 405, map[string]string{"Allow": "GET"}},
		{"garbage token", "GET", devices, map[string]string{"MS-ContinuationToken": "100"}, 400, 400, nil},
		{"forged token", "GET", devices, map[string]string{"MS-ContinuationToken": string(forged)}, 400, 400, nil},
		{"token of another batch", "GET", devices, map[string]string{"MS-ContinuationToken": otherTok}, 400, 400, nil},
		{"token on unpaged batches", "GET", "/v1/customers/" + docCustomer + "/deviceBatches", map[string]string{"MS-ContinuationToken": validTok}, 400, 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, tt.method, tt.path, tt.hdr)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if r.body["code"] != tt.code || r.body["source"] != "PartnerFD" || r.body["description"] == "" {
				t.Errorf("body %s, want code %v", r.raw, tt.code)
			}
			if d, ok := r.body["data"].([]any); !ok || len(d) != 0 {
				t.Errorf("data = %v, want []", r.body["data"])
			}
			for k, v := range tt.header {
				if got := r.header.Get(k); !strings.HasPrefix(got, v) {
					t.Errorf("%s = %q, want prefix %q", k, got, v)
				}
			}
			if tt.status != 401 && r.header.Get("WWW-Authenticate") != "" {
				t.Error("WWW-Authenticate on a non-401 answer")
			}
			if strings.Contains(string(r.raw), token) {
				t.Error("the token is in the body")
			}
		})
	}
	if r := call(t, s, "GET", devices, map[string]string{"MS-ContinuationToken": validTok}); r.status != 200 {
		t.Errorf("valid token refused: %d %s", r.status, r.raw)
	}
	// A JWT's characters, and any other RFC 6750 b64token, are well formed.
	if r := call(t, s, "GET", devices, map[string]string{"Authorization": "bearer eyJ0.e-y_J~1+/c.s1g=="}); r.status != 200 {
		t.Errorf("well-formed token refused: %d %s", r.status, r.raw)
	}
}

func TestThrottleEvery(t *testing.T) {
	s := newServer(t, Options{Faults: Faults{ThrottleEvery: 3, RetryAfter: 1500 * time.Millisecond}})
	path := "/v1/customers/" + docCustomer + "/deviceBatches"
	var statuses []int
	for range 6 {
		r := call(t, s, "GET", path, nil)
		statuses = append(statuses, r.status)
		if r.status == 429 {
			if ra := r.header.Get("Retry-After"); ra != "2" {
				t.Errorf("Retry-After %q, want 2", ra)
			}
			if r.body["statusCode"] != float64(429) || r.body["message"] != "Rate limit is exceeded. Try again in 2 seconds." {
				t.Errorf("429 body %s", r.raw)
			}
		}
	}
	if want := []int{200, 200, 429, 200, 200, 429}; !equalInts(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
}

func TestThrottleRate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newServer(t, Options{Now: func() time.Time { return now }, Faults: Faults{ThrottleRate: 2}})
	path := "/v1/customers/" + docCustomer + "/deviceBatches"
	status := func() int { return call(t, s, "GET", path, nil).status }
	var got []int
	got = append(got, status(), status(), status()) // burst of 3 at one instant: bucket holds 2
	now = now.Add(500 * time.Millisecond)           // one token back
	got = append(got, status(), status())
	now = now.Add(10 * time.Second) // refills to capacity, not beyond
	got = append(got, status(), status(), status())
	if want := []int{200, 200, 429, 200, 429, 200, 200, 429}; !equalInts(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	r := call(t, s, "GET", path, nil)
	if r.status != 429 || r.header.Get("Retry-After") != "1" {
		t.Errorf("default Retry-After: %d %q", r.status, r.header.Get("Retry-After"))
	}
}

func errorSequence(t *testing.T, seed int64, rate float64) []int {
	s := newServer(t, Options{Seed: seed, Faults: Faults{ErrorRate: rate}})
	var got []int
	for range 40 {
		r := call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches", nil)
		got = append(got, r.status)
		switch r.status {
		case 500, 503:
			if r.body["code"] != float64(r.status) || r.body["source"] != "PartnerFD" {
				t.Errorf("%d body %s", r.status, r.raw)
			}
			if (r.status == 503) != (r.header.Get("Retry-After") == "1") {
				t.Errorf("%d with Retry-After %q", r.status, r.header.Get("Retry-After"))
			}
		case 200:
		default:
			t.Errorf("unexpected status %d", r.status)
		}
	}
	return got
}

func TestErrorRate(t *testing.T) {
	all := errorSequence(t, 1, 1)
	count := map[int]int{}
	for _, s := range all {
		count[s]++
	}
	if count[200] != 0 || count[500] == 0 || count[503] == 0 {
		t.Errorf("ErrorRate 1 gave %v, want only 500s and 503s", count)
	}
	half := errorSequence(t, 42, 0.5)
	if !equalInts(half, errorSequence(t, 42, 0.5)) {
		t.Error("the same seed gave different faults")
	}
	if equalInts(half, errorSequence(t, 43, 0.5)) {
		t.Error("another seed gave the same 40 faults")
	}
	for _, s := range errorSequence(t, 1, 0) {
		if s != 200 {
			t.Fatalf("ErrorRate 0 gave %d", s)
		}
	}
}

func TestLatency(t *testing.T) {
	s := newServer(t, Options{Faults: Faults{Latency: 250 * time.Millisecond}})
	var slept []time.Duration
	s.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches", nil)
	call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches/nope/devices", nil)
	if len(slept) != 2 || slept[0] != 250*time.Millisecond {
		t.Errorf("slept %v, want 250ms twice", slept)
	}
	s.sleep = func(context.Context, time.Duration) error { return context.Canceled }
	if r := call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches", nil); r.status != 503 {
		t.Errorf("cancelled wait: %d", r.status)
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Faults: Faults{ThrottleEvery: -1}},
		{Faults: Faults{ErrorRate: 1.5}},
		{Faults: Faults{ThrottleRate: -2}},
		{Faults: Faults{Latency: -time.Second}},
		{PageSize: -1},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestDeterminism(t *testing.T) {
	run := func(seed int64) []string {
		s := newServer(t, Options{Seed: seed})
		r := call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches/Autopilot%20wave%202/devices", nil)
		return []string{r.header.Get("MS-RequestId"), r.header.Get("MS-CorrelationId"), r.header.Get("MS-CV"), r.body["continuationToken"].(string), string(r.raw)}
	}
	a, b, c := run(5), run(5), run(6)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("seed 5 differs at %d: %q vs %q", i, a[i], b[i])
		}
	}
	if a[0] == c[0] || a[3] == c[3] {
		t.Error("seeds 5 and 6 gave the same ids or token")
	}
}

func TestLogNeverHasToken(t *testing.T) {
	var buf bytes.Buffer
	s := newServer(t, Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	call(t, s, "GET", "/v1/customers/"+docCustomer+"/deviceBatches", map[string]string{"MS-RequestId": "e88d014d-ab70-41de-90a0-f7fd1797267d"})
	call(t, s, "GET", "/v1/customers/not-a-guid/deviceBatches", nil)
	out := buf.String()
	for _, want := range []string{"method=GET", "path=/v1/customers/" + docCustomer + "/deviceBatches", "status=200", "status=400", "duration=", "requestId=e88d014d-ab70-41de-90a0-f7fd1797267d", "correlationId="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, token) || strings.Contains(strings.ToLower(out), "authorization") {
		t.Errorf("log leaks the token:\n%s", out)
	}
}

func TestLoadData(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const c = `"id":"0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35"`
	tests := []struct {
		name, content string
		want          []string
	}{
		{"missing", "", []string{"cannot read", "no such file"}},
		{"malformed.json", "{\"customers\": [\n  {" + c + ",}\n]}", []string{"line 2, column", "malformed JSON"}},
		{"empty.json", "", []string{"malformed JSON"}},
		{"nocustomers.json", `{}`, []string{`no "customers"`}},
		{"unknownfield.json", `{"customer": []}`, []string{"unknown field"}},
		{"wrongtype.json", `{"customers": {}}`, []string{"line 1, column", "expected"}},
		{"notguid.json", `{"customers":[{"id":"contoso","batches":[]}]}`, []string{"customers[0].id", "not a GUID"}},
		{"dupcustomer.json", `{"customers":[{` + c + `},{"id":"0F3C5A91-7D2E-4B8A-9C61-2E4F8B0D7A35"}]}`, []string{"customers[1].id", "twice"}},
		{"baddate.json", `{"customers":[{` + c + `,"batches":[{"id":"b","creationDate":"yesterday"}]}]}`, []string{"customers[0].batches[0]", "DeviceBatch schema", "creationDate"}},
		{"noid.json", `{"customers":[{` + c + `,"batches":[{"status":"finished"}]}]}`, []string{"customers[0].batches[0]", "DeviceBatch schema", "id"}},
		{"baddevice.json", `{"customers":[{` + c + `,"batches":[{"id":"b","devices":[{"id":"d"},{"id":"e","policies":"none"}]}]}]}`, []string{"customers[0].batches[0].devices[1]", "Device schema", "policies"}},
		{"dupdevice.json", `{"customers":[{` + c + `,"batches":[{"id":"b","devices":[{"id":"d"},{"id":"d"}]}]}]}`, []string{"devices[1].id", "twice"}},
		{"casebatch.json", `{"customers":[{` + c + `,"batches":[{"id":"A"},{"id":"b"},{"id":"a"}]}]}`, []string{"batches[2].id", `batch "a" and batch "A" (batches[0]) differ only in case`}},
		{"foldbatch.json", `{"customers":[{` + c + `,"batches":[{"id":"Kiosk"},{"id":"\u212aiosk"}]}]}`, []string{"batches[1].id", "differ only in case"}},
		{"dupbatch.json", `{"customers":[{` + c + `,"batches":[{"id":"b"},{"id":"b"}]}]}`, []string{"batches[1].id", "twice"}},
		{"directory", "", []string{"is a directory"}},
		{"devnull", "", []string{"/dev/null", "not a regular file"}},
		{"fifo", "", []string{"not a regular file"}},
		{"huge.json", "", []string{"larger than 64 MiB"}},
		{"slash.json", `{"customers":[{` + c + `,"batches":[{"id":"a/b"}]}]}`, []string{"batches[0].id", "contain no /"}},
		{"count.json", `{"customers":[{` + c + `,"batches":[{"id":"b","devicesCount":3,"generateDevices":2}]}]}`, []string{"batches[0].devicesCount", "is 3 but the batch has 2 devices"}},
		{"gen.json", `{"customers":[{` + c + `,"batches":[{"id":"b","generateDevices":2.5}]}]}`, []string{"generateDevices", "whole number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name)
			switch tt.name {
			case "missing":
			case "directory":
				if err := os.Mkdir(p, 0o700); err != nil {
					t.Fatal(err)
				}
			case "devnull":
				// A device, as /dev/zero is: that one once grew the sandbox
				// until it was killed. /dev/null makes old code fail, not
				// exhaust the machine running the test.
				p = "/dev/null"
				if _, err := os.Stat(p); err != nil {
					t.Skip("no /dev/null")
				}
			case "fifo":
				// Opening a FIFO blocks until a writer comes.
				if err := mkfifo(t, p); err != nil {
					t.Skipf("no FIFO: %v", err)
				}
			case "huge.json":
				// Sparse: the size is over the limit without writing it.
				p = write(tt.name, `{"customers":[]}`)
				if err := os.Truncate(p, MaxDataFile+1); err != nil {
					t.Fatal(err)
				}
			default:
				p = write(tt.name, tt.content)
			}
			_, err := LoadData(p)
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DataError", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, p) || strings.Contains(msg, "\n") {
				t.Errorf("error %q does not name the file on one line", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
	good := write("good.json", "\ufeff"+`{"customers":[{`+c+`,"batches":[{"id":"b","devicesCount":2,"generateDevices":2}]}]}`)
	d, err := LoadData(good)
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Options{Data: d})
	r := call(t, s, "GET", "/v1/customers/0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35/deviceBatches/b/devices", nil)
	if r.status != 200 || r.body["totalCount"] != float64(2) {
		t.Errorf("loaded data: %d %s", r.status, r.raw)
	}
}

func TestDefaultDataFile(t *testing.T) {
	d := DefaultData()
	c := d.customer(strings.ToUpper(docCustomer))
	if c == nil {
		t.Fatal("documented customer missing (or matched case-sensitively)")
	}
	if b := c.batch("Test batch"); b == nil || len(b.devices) != 5 {
		t.Fatal("Test batch with 5 devices missing")
	}
	if b := c.batch("Autopilot wave 2"); b == nil || len(b.devices) != 250 || b.fields["devicesCount"] != 250 {
		t.Fatal("250-device batch missing")
	}
	// Generated devices are the same on every load.
	a, b := DefaultData().customer(docCustomer).batch("Autopilot wave 2"), c.batch("Autopilot wave 2")
	if a.devices[199]["id"] != b.devices[199]["id"] || a.devices[0]["id"] == a.devices[1]["id"] {
		t.Error("generated device ids are not deterministic and distinct")
	}
}

func TestExampleDataFile(t *testing.T) {
	d, err := LoadData(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, Options{Data: d})
	r := call(t, s, "GET", "/v1/customers/5c2b9f0e-3a71-4d8e-b6c4-1f9a2e7d3c50/deviceBatches", nil)
	items := r.body["items"].([]any)
	if r.status != 200 || len(items) != 1 || items[0].(map[string]any)["devicesCount"] != float64(121) {
		t.Errorf("example.json: %d %s", r.status, r.raw)
	}
}
