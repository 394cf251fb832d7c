package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
)

// sandboxURL serves the sandbox with n generated customers on loopback.
func sandboxURL(t *testing.T, n int) string {
	t.Helper()
	s, err := sandbox.New(sandbox.Options{Customers: n})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCustomersCommand: the table's columns, and -o csv read back by
// --customers-file: every customer's batches are listed.
func TestCustomersCommand(t *testing.T) {
	base := sandboxURL(t, 8)
	code, out, errOut := runCLIStdin(t, "", "customers", "--base-url", base)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 12 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "COMPANY") || !strings.Contains(lines[0], "RELATIONSHIP") {
		t.Fatalf("table: exit %d, stderr %q:\n%s", code, errOut, out)
	}
	code, csvOut, errOut := runCLIStdin(t, "", "customers", "--base-url", base, "-o", "csv")
	csvLines := strings.Split(strings.TrimSpace(csvOut), "\n")
	if code != exitOK || csvLines[0] != "id,companyName,domain,relationshipToPartner" || len(csvLines) != 12 {
		t.Fatalf("csv: exit %d, stderr %q:\n%s", code, errOut, csvOut)
	}
	// The table's columns: every row's cells, in its order, as in the
	// table (whose absent values show as "-").
	recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, cells := range recs[1:] {
		row := lines[i+1]
		if len(cells) != 4 || cells[2] == "" || cells[3] == "" || !strings.HasPrefix(row, cells[0]+"  ") || !strings.Contains(row, "  "+cells[2]+"  ") || !strings.HasSuffix(row, "  "+cells[3]) {
			t.Errorf("csv record %q is not the table's row %q", cells, row)
		}
	}
	code, out, errOut = runCLIStdin(t, csvOut, "list", "--customers-file", "-", "--base-url", base, "-o", "jsonl", "--include-empty")
	if code != exitOK {
		t.Fatalf("csv into --customers-file: exit %d, stderr %q", code, errOut)
	}
	got := map[string]bool{}
	for line := range strings.Lines(out) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got[rec["customerId"].(string)] = true
	}
	for _, l := range csvLines[1:] {
		if id, _, _ := strings.Cut(l, ","); !got[id] {
			t.Errorf("customer %s of the csv is not in the listing", id)
		}
	}
	code, out, _ = runCLIStdin(t, "", "customers", "--base-url", base, "--name-prefix", "contoso", "-o", "jsonl")
	if code != exitOK || strings.Count(out, "\n") < 1 || strings.Contains(strings.ToLower(out), `"companyname":"fabrikam`) {
		t.Errorf("--name-prefix contoso: exit %d:\n%s", code, out)
	}
}

// TestParseCustomersCSVLines: GUID and GUID,anything lines, a header, and a
// mistyped GUID that must not pass for a header.
func TestParseCustomersCSVLines(t *testing.T) {
	const a, b = "47021739-3426-40bf-9601-61b4b6d7c793", "9c3c3a32-1d1b-4e0f-a3e1-0f4c2c6d8b2a"
	ids, err := parseCustomers(strings.NewReader("id,companyName\n"+a+",\"Contoso, Ltd\"\n"+b+"\n"), "f")
	if err != nil || len(ids) != 2 || ids[0] != a || ids[1] != b {
		t.Errorf("ids %v, err %v", ids, err)
	}
	if _, err := parseCustomers(strings.NewReader("4702173-3426-40bf-9601-61b4b6d7c793,Contoso\n"), "f"); err == nil || !strings.Contains(err.Error(), "f:1:") {
		t.Errorf("a mistyped first GUID: err %v, want f:1:", err)
	}
	if _, err := parseCustomers(strings.NewReader(a+",x\nid,companyName\n"), "f"); err == nil || !strings.Contains(err.Error(), "f:2:") {
		t.Errorf("a header after the first line: err %v, want f:2:", err)
	}
}

// TestAllCustomers: customers then their batches, streaming: every customer
// accounted for in one summary line; --include-empty records the customers
// without batches.
func TestAllCustomers(t *testing.T) {
	base := sandboxURL(t, 20) // 3 customers of the default data + 20
	code, out, errOut := runCLIStdin(t, "", "list", "--all-customers", "--base-url", base, "-o", "jsonl", "--include-empty")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	customers := map[string]bool{}
	empty := 0
	for line := range strings.Lines(out) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		customers[rec["customerId"].(string)] = true
		if n, ok := rec["batches"]; ok {
			if n != 0.0 || len(rec) != 2 {
				t.Errorf("empty record %s", line)
			}
			empty++
		}
	}
	if len(customers) != 23 || empty == 0 {
		t.Errorf("%d customers in the output (%d empty records), want 23 with some empty", len(customers), empty)
	}
	if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "devicebatches: 23 customers: ") ||
		!strings.Contains(errOut, " without, 0 failed; ") || !strings.Contains(errOut, "requests throttled") {
		t.Errorf("stderr must be one summary line, got %q", errOut)
	}
	code, jsonOut, _ := runCLIStdin(t, "", "list", "--all-customers", "--base-url", base, "-o", "json", "--domain-prefix", "contoso")
	var arr []map[string]any
	if code != exitOK || json.Unmarshal([]byte(jsonOut), &arr) != nil || len(arr) == 0 {
		t.Errorf("-o json --domain-prefix: exit %d:\n%s", code, jsonOut)
	}
}

// TestAllCustomersStreams: in every streaming format, the first customer's
// batches are written before the customer listing's second page has been
// answered (-o table alone waits for every row, to align its columns).
func TestAllCustomersStreams(t *testing.T) {
	const a = "47021739-3426-40bf-9601-61b4b6d7c793"
	for _, format := range []string{"jsonl", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			var out syncBuffer
			release := make(chan struct{})
			var sawFirstBatch atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.URL.Path == "/v1/customers" && r.Header.Get("MS-ContinuationToken") == "":
					w.Write([]byte(`{"totalCount":1,"items":[{"id":"` + a + `"}],"links":{"next":{"uri":"/v1/customers?size=500&seekOperation=Next","headers":[{"key":"MS-ContinuationToken","value":"t,/="}]}}}`))
				case r.URL.Path == "/v1/customers":
					<-release // the last page waits until the first batch is out
					sawFirstBatch.Store(strings.Contains(out.String(), "Test batch"))
					w.Write([]byte(`{"totalCount":0,"items":[]}`))
				default:
					w.Write([]byte(batchBody))
				}
			}))
			defer srv.Close()
			go func() {
				// Released anyway after a generous bound, so that output held
				// back fails the test instead of hanging it.
				for giveUp := time.Now().Add(30 * time.Second); !strings.Contains(out.String(), "Test batch") && time.Now().Before(giveUp); {
					pollPause()
				}
				close(release)
			}()
			var errb bytes.Buffer
			env := map[string]string{"PARTNER_CENTER_TOKEN": "test-token"}
			code := run(context.Background(), []string{"list", "--all-customers", "--base-url", srv.URL, "-o", format}, streams{in: strings.NewReader(""), out: &out, err: &errb}, func(k string) string { return env[k] })
			if code != exitOK || !sawFirstBatch.Load() {
				t.Errorf("exit %d, first batch before the listing ended: %v; stderr %q", code, sawFirstBatch.Load(), errb.String())
			}
		})
	}
}

// TestAllCustomersLongThrottle: a Retry-After longer than the cap on one
// wait stops the fan-out: the customers fetched before are printed, the rest
// fail in ONE line naming the Retry-After, and no request follows the 429.
func TestAllCustomersLongThrottle(t *testing.T) {
	base := sandboxURL(t, 30)
	var mu sync.Mutex
	var n, after int
	throttled := false
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		if throttled {
			after++
		}
		hit := n == 6
		if hit {
			throttled = true
		}
		mu.Unlock()
		if hit {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 3600 seconds."}`))
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), nil)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		w.Write(b.Bytes())
	}))
	defer proxy.Close()
	code, out, errOut := runCLIStdin(t, "", "list", "--all-customers", "--base-url", proxy.URL, "-o", "jsonl", "--include-empty", "--concurrency", "1")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	if c := strings.Count(errOut, "(Retry-After)"); c != 1 || !strings.Contains(errOut, "1h0m0s (Retry-After)") || !strings.Contains(errOut, "customers not fetched") {
		t.Errorf("want one line naming the 1h0m0s Retry-After, got %d:\n%s", c, errOut)
	}
	printed := map[string]bool{}
	for line := range strings.Lines(out) {
		var rec struct{ CustomerID string }
		json.Unmarshal([]byte(line), &rec)
		printed[rec.CustomerID] = true
	}
	if len(printed) != 4 { // customers 1-4 (request 1 listed the customers)
		t.Errorf("the customers fetched before the throttle must be printed, got:\n%s", out)
	}
	if after != 0 {
		t.Errorf("%d requests sent during the throttle", after)
	}
	if !strings.Contains(errOut, "devicebatches: 33 customers: ") || !strings.Contains(errOut, "29 failed") {
		t.Errorf("summary must account for all 33 customers:\n%s", errOut)
	}
}

// TestAllCustomersListingLongThrottle: a Retry-After longer than the cap
// on one wait, on the customer listing itself, ends the command with exit
// 1 and lines naming the wait and the call's ids once, as a throttle, not
// as a network failure; nothing is sent after the 429.
func TestAllCustomersListingLongThrottle(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 3600 seconds."}`))
	}))
	defer srv.Close()
	code, out, errOut := runCLIStdin(t, "", "list", "--all-customers", "--base-url", srv.URL, "-o", "jsonl")
	if code != exitFailure || out != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing printed; stderr %q", code, out, errOut)
	}
	named := 0
	for line := range strings.Lines(errOut) {
		if !strings.Contains(line, "1h0m0s (Retry-After)") {
			continue
		}
		named++
		if strings.Count(line, "MS-RequestId") != 1 || strings.Contains(line, "GET http") {
			t.Errorf("want the throttle with its ids once, not a failed request: %s", line)
		}
	}
	if named == 0 {
		t.Errorf("no line names the 1h0m0s Retry-After:\n%s", errOut)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want the one throttled", n)
	}
}

// TestFanOutUsage: fan-out flags with a single customer, and bad rates, are
// usage errors before any request.
func TestFanOutUsage(t *testing.T) {
	const id = "47021739-3426-40bf-9601-61b4b6d7c793"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--customer", id, "--rate", "5"}, "--rate applies to --customers-file and --all-customers"},
		{[]string{"--customer", id, "--concurrency", "4"}, "--concurrency applies to"},
		{[]string{"--all-customers", "--rate", "NaN"}, "--rate must be a"},
		{[]string{"--all-customers", "--rate", "+Inf"}, "--rate must be a"},
		{[]string{"--all-customers", "--rate", "-2"}, "--rate must be a"},
		{[]string{"--all-customers", "--include-empty"}, "--include-empty adds records to -o json or -o jsonl; -o table lists batches only"},
		{[]string{"--all-customers", "--include-empty", "-o", "csv"}, "--include-empty adds records to -o json or -o jsonl; -o csv lists batches only"},
		{[]string{"--all-customers", "--name-prefix", "a", "--domain-prefix", "b"}, "cannot be used together"},
		{[]string{"--all-customers", "--customer", id}, "drop --customer"},
		{[]string{"--customer", id, "--name-prefix", "a"}, "filter --all-customers"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLIStdin(t, "", append([]string{"list", "--base-url", "http://127.0.0.1:1"}, tt.args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 mentioning %q", tt.args, code, errOut, tt.want)
		}
	}
	code, _, errOut := runCLIStdin(t, "", "customers", "--base-url", "http://127.0.0.1:1", "--name-prefix", "a", "--domain-prefix", "b")
	if code != exitUsage || !strings.Contains(errOut, "cannot be used together") {
		t.Errorf("customers with both prefixes: exit %d, %q", code, errOut)
	}
}

// syncBuffer is a bytes.Buffer safe to read while the CLI writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func pollPause() { time.Sleep(time.Millisecond) }

// TestSandboxRateLimitFlags: a bad --rate-limit or --rate-model is a usage
// error before the sandbox listens.
func TestSandboxRateLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit", "-5"},
		{"--rate-limit", "NaN"},
		{"--rate-limit", "10", "--rate-model", "leaky"},
		{"--rate-limit", "0.5", "--rate-model", "window"},
	} {
		code, out, errOut := runCLIStdin(t, "", append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "--rate-") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
}

// TestAllCustomersPauseNamesTimeout: a throttling pause the command's
// --timeout cannot wait out names --timeout, not --try-timeout.
func TestAllCustomersPauseNamesTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 60 seconds."}`))
	}))
	defer srv.Close()
	code, _, errOut := runCLIStdin(t, "", "list", "--all-customers", "--base-url", srv.URL, "--timeout", "30s")
	if code != exitFailure || !strings.Contains(errOut, "--timeout 30s leaves too little time to wait as Partner Center asked") || strings.Contains(errOut, "--try-timeout") {
		t.Errorf("exit %d; stderr must name --timeout and not --try-timeout:\n%s", code, errOut)
	}
}

// TestAllCustomersListingRunsAhead: the customer listing is read to its
// end while the first customers are still being fetched (so the progress
// bar knows the total early), even with --concurrency 1.
func TestAllCustomersListingRunsAhead(t *testing.T) {
	ids := []string{"47021739-3426-40bf-9601-61b4b6d7c793", "d2311895-3f61-4bc6-8b00-885a4515ff66", "83bd3d40-de73-4a52-845f-3792cc0a9fe4"}
	lastPage := make(chan struct{})
	var once sync.Once
	var gaveUp atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/customers" && r.Header.Get("MS-ContinuationToken") == "":
			fmt.Fprintf(w, `{"totalCount":3,"items":[{"id":%q},{"id":%q},{"id":%q}],"links":{"next":{"uri":"/v1/customers?size=500","headers":[{"key":"MS-ContinuationToken","value":"p2"}]}}}`, ids[0], ids[1], ids[2])
		case r.URL.Path == "/v1/customers":
			once.Do(func() { close(lastPage) })
			w.Write([]byte(`{"totalCount":0,"items":[]}`))
		default:
			// The first customer's answer waits for the listing's last
			// page (given up on after a bound, so that a fan-out that
			// waits for its customer first fails instead of hanging).
			select {
			case <-lastPage:
			case <-time.After(30 * time.Second):
				gaveUp.Store(true)
			}
			w.Write([]byte(batchBody))
		}
	}))
	defer srv.Close()
	code, _, errOut := runCLIStdin(t, "", "list", "--all-customers", "--base-url", srv.URL, "--concurrency", "1", "-o", "jsonl")
	if code != exitOK || gaveUp.Load() {
		t.Errorf("exit %d; the listing's last page came only after the first customer: %v; stderr %q", code, gaveUp.Load(), errOut)
	}
}
