package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/partnercenter-go/devicebatches/internal/guid"
)

const (
	idA = "47021739-3426-40bf-9601-61b4b6d7c793"
	idB = "de894e18-f027-4ac0-8b5a-34f0c222af0c"
)

func TestParseCustomers(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		wantErr  string // substring of the usage error
	}{
		{name: "one per line", in: idA + "\n" + idB + "\n", want: []string{idA, idB}},
		{name: "no final newline", in: idA + "\n" + idB, want: []string{idA, idB}},
		{name: "blank lines comments CRLF spaces", in: "# customers\r\n\r\n  " + idA + "  # contoso\r\n\t\n" + idB + "\r\n", want: []string{idA, idB}},
		{name: "byte order mark", in: "\uFEFF" + idA + "\n", want: []string{idA}},
		{name: "not a guid", in: idA + "\n# ok\nnot-a-guid\n", wantErr: "customers.txt:3: \"not-a-guid\" is not a customer tenant id"},
		{name: "braced guid", in: "{" + idA + "}\n", wantErr: "customers.txt:1:"},
		// A repeated customer is skipped (readIDFile warns): fetching it
		// once is what was asked.
		{name: "duplicate, any case", in: idA + "\n" + strings.ToUpper(idA) + "\n" + idB + "\n" + idA + "\n", want: []string{idA, idB}},
		// A header alone is zero customers (TestListCustomersNone); nothing
		// at all is a failed export or the wrong file.
		{name: "empty", in: "", wantErr: "customers.txt: no customer ids"},
		{name: "only comments", in: "# a\n\n#b\n", wantErr: "customers.txt: no customer ids"},
		{name: "header only", in: "id,companyName,domain,relationshipToPartner\n", want: []string{}},
		{name: "long line", in: idA + "\n" + strings.Repeat("x", 5000) + "\n", wantErr: `customers.txt:2: "xxxx`},
		// customers -o csv | iconv -t utf-16: UTF-16 with a byte order mark.
		{name: "utf-16 le", in: string(utf16Bytes("id,companyName\r\n"+idA+",Contoso\r\n", binary.LittleEndian, true)), want: []string{idA}},
		{name: "utf-16 be", in: string(utf16Bytes(idA+"\n"+idB+"\n", binary.BigEndian, true)), want: []string{idA, idB}},
		// A company name holding a line break is quoted over two lines by
		// customers -o csv, and read back as one record.
		{name: "quoted line break", in: "id,companyName\n" + idA + ",\"Contoso\n\x1b[31mRED\"\"\"\n" + idB + ",\"Fabrikam #1\"\n", want: []string{idA, idB}},
		{name: "long value is cut", in: strings.Repeat("y", 200), wantErr: `"` + strings.Repeat("y", 60) + `..."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCustomers(strings.NewReader(tt.in), "customers.txt")
			if tt.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzParseCustomers: whatever the file holds, the parser either returns
// distinct canonical GUIDs or a usage error, and never panics.
func FuzzParseCustomers(f *testing.F) {
	f.Add(idA + "\n" + idB + "\n")
	f.Add("# c\r\n\uFEFF" + idA + " # x\n\n")
	f.Add(idA + "\n" + idA)
	f.Add("\x00\xff#\n")
	f.Fuzz(func(t *testing.T, in string) {
		ids, err := parseCustomers(strings.NewReader(in), "f")
		if err != nil {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Fatalf("non-usage error %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			k := strings.ToLower(id)
			if !guid.Valid(id) || seen[k] {
				t.Fatalf("bad or repeated id %q in %v", id, ids)
			}
			seen[k] = true
		}
		if len(ids) == 0 {
			t.Fatal("no ids and no error")
		}
	})
}

const batchBody = `{"totalCount":1,"items":[{"id":"Test batch","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":5,"devicesLink":{"uri":"/customers/x/deviceBatches/Test batch/devices","method":"GET","headers":[]},"attributes":{"objectType":"DeviceBatch"}}],"attributes":{"objectType":"Collection"}}`

// fanOutServer throttles every customer's first try (429 with a 1 ms wait; not when calm)
// and fails every seventh customer for good with a 404 carrying code 600.
type fanOutServer struct {
	*httptest.Server
	ids     []string
	failing map[string]bool
	// calm turns off the 429 on each customer's first request. Two hundred
	// customers throttled once each drive the adaptive limiter to its floor
	// whenever the machine is slow enough that the throttles land in many
	// congestion epochs, and the fan-out then rightly refuses waits past
	// --timeout: right for the limiter, noise for a test of the output.
	calm bool
}

func newFanOutServer(t *testing.T, n int) *fanOutServer {
	s := &fanOutServer{failing: map[string]bool{}}
	for i := range n {
		id := uuid.NewString()
		s.ids = append(s.ids, id)
		if i%7 == 3 {
			s.failing[id] = true
		}
	}
	var mu sync.Mutex
	tries := map[string]int{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/customers/"), "/deviceBatches")
		mu.Lock()
		tries[id]++
		first := tries[id] == 1
		mu.Unlock()
		w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
		switch {
		case r.Header.Get("Authorization") != "Bearer test-token":
			w.WriteHeader(http.StatusUnauthorized)
		case s.failing[id]:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":600,"description":"customer not found","source":"PartnerFD"}`)
		case first && !s.calm:
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"statusCode":429,"message":"Rate limit is exceeded."}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, batchBody)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// runCLIStdin is runCLI with a token environment and standard input.
func runCLIStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"PARTNER_CENTER_TOKEN": "test-token"}
	code = run(context.Background(), args, streams{in: strings.NewReader(stdin), out: &out, err: &errb}, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

const corr = "3f1c2a4e-9b7d-4e2a-8c1f-5d6e7f8a9b0c"

func TestListCustomersJSONL(t *testing.T) {
	s := newFanOutServer(t, 200)
	s.calm = true
	code, out, errOut := runCLIStdin(t, "# all customers\n"+strings.Join(s.ids, "\n")+"\n",
		"list", "--customers-file", "-", "--base-url", s.URL, "--correlation-id", corr, "--concurrency", "12", "-o", "jsonl", "--rate", "1000")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, errOut)
	}
	listed := map[string]int{}
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, line)
		}
		if !strings.HasPrefix(line, `{"customerId":"`) || obj["id"] != "Test batch" {
			t.Errorf("line %d: customerId must come first, then the batch: %s", i+1, line)
		}
		id, _ := obj["customerId"].(string)
		listed[id]++
	}
	for _, id := range s.ids {
		failedLines := strings.Count(errOut, "customer "+id+":")
		switch {
		case s.failing[id]:
			if listed[id] != 0 || failedLines != 1 {
				t.Errorf("failing customer %s: listed %d times, reported %d times", id, listed[id], failedLines)
			}
		case listed[id] != 1 || failedLines != 0:
			t.Errorf("customer %s: listed %d times, reported failed %d times", id, listed[id], failedLines)
		}
	}
	wantSummary := fmt.Sprintf("%d of 200 customers failed", len(s.failing))
	if !strings.Contains(errOut, wantSummary) || !strings.Contains(errOut, "HTTP 404, code 600, correlation id "+corr) {
		t.Errorf("stderr lacks the summary %q or a failure's status, code and correlation id:\n%s", wantSummary, errOut)
	}
	if strings.Contains(errOut, "\r") || strings.Contains(errOut, "\x1b") {
		t.Error("progress bar drawn although stderr is not a terminal")
	}
}

func TestListCustomersJSONAndTable(t *testing.T) {
	s := newFanOutServer(t, 30)
	path := filepath.Join(t.TempDir(), "customers.txt")
	if err := os.WriteFile(path, []byte(strings.Join(s.ids, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	var ok []string
	for _, id := range s.ids {
		if !s.failing[id] {
			ok = append(ok, id)
		}
	}

	code, out, errOut := runCLIStdin(t, "", "list", "--customers-file", path, "--base-url", s.URL, "-o", "json", "--rate", "1000")
	if code != exitFailure {
		t.Fatalf("json: exit %d; stderr:\n%s", code, errOut)
	}
	var arr []map[string]any
	if err := json.Unmarshal([]byte(out), &arr); err != nil {
		t.Fatalf("json output is not an array: %v\n%s", err, out)
	}
	// Printed customer by customer, it is still json.Indent's output of
	// the whole array, byte for byte.
	var whole bytes.Buffer
	if err := json.Indent(&whole, []byte(out), "", "  "); err != nil || whole.String() != out {
		t.Errorf("json output is not json.Indent's (err %v):\n%s", err, out)
	}
	if len(arr) != len(ok) {
		t.Fatalf("json: %d batches, want %d", len(arr), len(ok))
	}
	for i, obj := range arr {
		if obj["customerId"] != ok[i] || obj["creationDate"] != "2017-07-25T01:51:00" {
			t.Errorf("json[%d] = %v, want customer %s in file order", i, obj, ok[i])
		}
	}

	code, out, _ = runCLIStdin(t, "", "list", "--customers-file", path, "--base-url", s.URL)
	if code != exitFailure {
		t.Fatalf("table: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "CUSTOMER ") || len(lines) != len(ok)+1 {
		t.Fatalf("table: want a CUSTOMER header and %d rows:\n%s", len(ok), out)
	}
	for i, id := range ok {
		if !strings.HasPrefix(lines[i+1], id+"  Test batch") {
			t.Errorf("table row %d = %q, want customer %s", i+1, lines[i+1], id)
		}
	}
}

func TestListCustomersSucceeds(t *testing.T) {
	s := newFanOutServer(t, 7) // index 3 fails: drop it
	ids := append(append([]string{}, s.ids[:3]...), s.ids[4:]...)
	code, out, errOut := runCLIStdin(t, strings.Join(ids, "\n"), "list", "--customers-file", "-", "--base-url", s.URL, "-o", "jsonl", "--concurrency", "1", "--rate", "1000")
	// stderr is the one summary line, accounting for every customer.
	want := "devicebatches: 6 customers: 6 with batches, 0 without, 0 failed; 6 batches; "
	if code != exitOK || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "; 6 requests throttled\n") || strings.Count(out, "\n") != len(ids) {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
}

func TestListCustomersUsage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.txt")
	if err := os.WriteFile(path, []byte(idA+"\nnope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"both flags", []string{"--customer", idA, "--customers-file", "-"}, "mutually exclusive"},
		{"bad line", []string{"--customers-file", path}, path + ":2:"},
		{"missing file", []string{"--customers-file", path + ".missing"}, "--customers-file"},
		{"concurrency", []string{"--customers-file", "-", "--concurrency", "0"}, "--concurrency"},
		{"concurrency over the library's cap", []string{"--customers-file", "-", "--concurrency", "1001"}, "--concurrency must be from 1 to 1000"},
		{"rate", []string{"--customers-file", "-", "--rate", "-1"}, "--rate"},
		{"format", []string{"--customers-file", "-", "-o", "xml"}, "unknown output format"},
		{"neither", nil, "--customer, --customers-file or --all-customers is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLIStdin(t, idA+"\n", append([]string{"list", "--base-url", "http://127.0.0.1:1"}, tt.args...)...)
			if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 mentioning %q", code, out, errOut, tt.want)
			}
		})
	}
}

// TestFanOutCutShortOneLine: the customers --timeout leaves unfetched share
// one stderr line; the customers fetched before it are printed, and the
// exit code says the run failed.
func TestFanOutCutShortOneLine(t *testing.T) {
	var ids []string
	for range 40 {
		ids = append(ids, uuid.NewString())
	}
	answered := map[string]bool{ids[0]: true, ids[1]: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/customers/"), "/deviceBatches")
		if !answered[id] {
			<-r.Context().Done() // the rest hang until the client gives up
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, batchBody)
	}))
	defer srv.Close()
	code, out, errOut := runCLIStdin(t, strings.Join(ids, "\n")+"\n",
		"list", "--customers-file", "-", "--base-url", srv.URL, "--concurrency", "4", "--rate", "1000", "--timeout", "2s", "--max-retries", "0", "-o", "jsonl")
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, errOut)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("%d batches printed, want the 2 fetched before --timeout:\n%s", n, out)
	}
	if n := strings.Count(errOut, "\n"); n != 3 || !strings.Contains(errOut, "38 customers not fetched: --timeout 2s reached (the first: "+ids[2]+")") {
		t.Errorf("stderr must be one line for the 38 customers not fetched, the summary and the error, got %d lines:\n%s", n, errOut)
	}
}

// TestListCustomersNone: README's pipeline, `customers --name-prefix Zzz -o
// csv > none.csv; list --customers-file none.csv`, with a prefix nobody
// has. A header alone is zero customers: the usual summary, exit 0, as
// `list --all-customers --name-prefix Zzz` does. An empty stdin or a file
// of nothing (or only comments) is a usage error: an export always prints
// its header, so nothing means the export failed.
func TestListCustomersNone(t *testing.T) {
	t.Parallel()
	base := sandboxURL(t, 8)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	code, none, errOut := runCLIStdin(t, "", "customers", "--base-url", base, "--name-prefix", "Zzz", "-o", "csv")
	if code != exitOK || strings.Count(none, "\n") != 1 {
		t.Fatalf("customers -o csv matching nobody: exit %d, stderr %q:\n%s", code, errOut, none)
	}
	const summary = "devicebatches: 0 customers: 0 with batches, 0 without, 0 failed; 0 batches;"
	tests := []struct {
		name, stdin, file, format, stdout, note string
	}{
		{name: "header only, jsonl", file: write("none.csv", none), format: "jsonl", stdout: ""},
		{name: "header only, json", file: write("none.csv", none), format: "json", stdout: "[]\n"},
		{name: "header only, csv", file: write("none.csv", none), format: "csv", stdout: "customerId,id,status,creationDate,devicesCount,createdBy\n"},
		{name: "header only on stdin", stdin: none, file: "-", format: "jsonl"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLIStdin(t, tt.stdin, "list", "--base-url", base, "--customers-file", tt.file, "-o", tt.format)
		if code != exitOK || out != tt.stdout {
			t.Errorf("%s: exit %d, stdout %q, want 0 and %q; stderr:\n%s", tt.name, code, out, tt.stdout, errOut)
		}
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if !strings.HasPrefix(lines[len(lines)-1], summary) {
			t.Errorf("%s: stderr does not end with the summary:\n%s", tt.name, errOut)
		}
		if hasNote := len(lines) > 1; hasNote != (tt.note != "") || !strings.Contains(errOut, tt.note) {
			t.Errorf("%s: stderr %q, want note %q", tt.name, errOut, tt.note)
		}
	}
	// Nothing at all: the export failed, or the file is the wrong one.
	for _, tt := range []struct{ name, stdin, file string }{
		{"empty stdin (failed export, no pipefail)", "", "-"},
		{"empty file", "", write("empty.txt", "")},
		{"only comments", "", write("comments.txt", "# customers\n\n")},
	} {
		code, out, errOut := runCLIStdin(t, tt.stdin, "list", "--base-url", base, "--customers-file", tt.file, "-o", "jsonl")
		if code != exitUsage || out != "" || !strings.Contains(errOut, "no customer ids") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 saying no customer ids", tt.name, code, out, errOut)
		}
	}
	// The same filter without a file: the same summary, exit 0.
	code, out, errOut := runCLIStdin(t, "", "list", "--base-url", base, "--all-customers", "--name-prefix", "Zzz", "-o", "jsonl")
	if code != exitOK || out != "" || !strings.HasPrefix(errOut, summary) {
		t.Errorf("--all-customers --name-prefix Zzz: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestFanOutServiceCustomerID: a batch the service sends with a top-level
// customerId of its own never gets a second one. The same customer's
// (in any case) is printed as sent; another customer's fails that customer
// with a line saying why. Every customerId key counts (repeated, in
// another case, escaped), since a reader may keep any of them. A
// customerId nested deeper is no conflict.
func TestFanOutServiceCustomerID(t *testing.T) {
	t.Parallel()
	const idC, idD = "0a5d1f2e-3b4c-4d5e-8f60-718293a4b5c6", "6b1f4a4e-8f3e-4c3a-9a7b-2f1d0c9e8b7a"
	const idE, idF, idG, idH = "11111111-2222-4333-8444-555555555555", "21111111-2222-4333-8444-555555555555",
		"31111111-2222-4333-8444-555555555555", "41111111-2222-4333-8444-555555555555"
	bodies := map[string]string{
		idA: `{"totalCount":1,"items":[{"id":"same","customerId":"` + strings.ToUpper(idA) + `","devicesCount":1}]}`,
		idB: `{"totalCount":2,"items":[{"id":"ok","devicesCount":1},{"id":"other","devicesCount":2,"customerId":"` + idC + `"}]}`,
		// The key escaped is the same key to a JSON reader.
		idC: `{"totalCount":1,"items":[{"id":"escaped","customer\u0049d":"` + idA + `"}]}`,
		idD: `{"totalCount":1,"items":[{"id":"nested","devicesLink":{"customerId":"x"}}]}`,
		// A reader that keeps the first key reads another customer.
		idE: `{"totalCount":1,"items":[{"id":"repeated","customerId":"` + idA + `","customer\u0049d":"` + idE + `"}]}`,
		// encoding/json matches keys in any case.
		idF: `{"totalCount":1,"items":[{"id":"other case","CustomerID":"` + idA + `"}]}`,
		idG: `{"totalCount":1,"items":[{"id":"same, other case","CUSTOMERID":"` + idG + `"}]}`,
		idH: `{"totalCount":1,"items":[{"id":"long s","cuſtomerId":"` + idA + `"}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/customers/"), "/deviceBatches")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, bodies[id])
	}))
	t.Cleanup(srv.Close)
	ids := strings.Join([]string{idA, idB, idC, idD, idE, idF, idG, idH}, "\n")
	for _, format := range []string{"jsonl", "json"} {
		code, out, errOut := runCLIStdin(t, ids, "list", "--customers-file", "-", "--base-url", srv.URL, "-o", format, "--concurrency", "1")
		if code != exitFailure || !strings.Contains(errOut, "customer "+idB+": the service's batch 2 of 2 carries customerId \""+idC+"\", which is not this customer") ||
			!strings.Contains(errOut, "customer "+idC+": the service's batch 1 of 1 carries customerId \""+idA+"\"") ||
			!strings.Contains(errOut, "customer "+idE+": the service's batch 1 of 1 carries customerId \""+idA+"\"") ||
			!strings.Contains(errOut, "customer "+idF+": the service's batch 1 of 1 carries customerId \""+idA+"\"") ||
			!strings.Contains(errOut, "customer "+idH+": the service's batch 1 of 1 carries customerId \""+idA+"\"") ||
			!strings.Contains(errOut, "8 customers: 3 with batches, 0 without, 5 failed; 3 batches") {
			t.Fatalf("%s: exit %d, stderr:\n%s", format, code, errOut)
		}
		var objs []json.RawMessage
		if format == "json" {
			if err := json.Unmarshal([]byte(out), &objs); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
		} else {
			for line := range strings.Lines(out) {
				objs = append(objs, json.RawMessage(line))
			}
		}
		var got []string
		for _, o := range objs {
			// Every top-level key once: a decoder that keeps the first and
			// one that keeps the last (jq) read the same customer.
			dec := json.NewDecoder(bytes.NewReader(o))
			dec.Token()
			seen := map[string]bool{}
			for dec.More() {
				k, _ := dec.Token()
				if seen[k.(string)] {
					t.Errorf("%s: key %q twice in %s", format, k, o)
				}
				seen[k.(string)] = true
				var skip json.RawMessage
				dec.Decode(&skip)
			}
			var b struct{ ID, CustomerID string }
			json.Unmarshal(o, &b)
			got = append(got, b.ID+"="+strings.ToLower(b.CustomerID))
		}
		want := []string{"same=" + idA, "nested=" + idD, "same, other case=" + idG}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: batches %v, want %v\n%s", format, got, want, out)
		}
	}
}

// TestListedCustomerID: --all-customers takes only each listed customer's
// id from the customer as sent: any case, lower-cased as the model prints
// it; every id key the same GUID.
func TestListedCustomerID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ raw, id, err string }{
		{`{"id":"` + idA + `","companyProfile":{"companyName":5}}`, idA, ""},
		{`{"Id":"` + strings.ToUpper(idA) + `"}`, idA, ""},
		{`{"i\u0064":"` + idA + `","ID":"` + strings.ToUpper(idA) + `"}`, idA, ""},
		{`{"id":"` + idA + `","ID":"` + idB + `"}`, "", "customer 3 of the listing has id \"" + idB + "\", not one customer's GUID"},
		{`{"id":5}`, "", "customer 3 of the listing has id 5, not one customer's GUID"},
		{`{"id":"x"}`, "", `has id "x", not one`},
		{`{"companyProfile":{"id":"` + idA + `"}}`, "", "customer 3 of the listing has no id"},
	} {
		id, err := listedCustomerID([]byte(tt.raw), 2)
		if id != tt.id || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %q, %v; want %q, %q", tt.raw, id, err, tt.id, tt.err)
		}
	}
}

// TestContainsFold: the quoted key is found in any ASCII case wherever it
// stands, and not past the end.
func TestContainsFold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{`{"customerId":"a"}`, true},
		{`{"id":"x","CUSTOMERID":1}`, true},
		{`{"id":"x","customerid"`, true},
		{`{"id":"x","customerI`, false},
		{`{"id":"customer","Id":"x"}`, false},
		{`"`, false},
		{``, false},
	} {
		if got := containsFold([]byte(tc.s), `"customerId"`); got != tc.want {
			t.Errorf("containsFold(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}
