package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"unicode/utf16"

	"github.com/partnercenter-go/devicebatches/internal/contract"
)

const sampleCSV = "../../wrapper/autopilot/testdata/sample-devices.csv"
const samplePartnerCSV = "../../wrapper/autopilot/testdata/sample-devices-partner.csv"

// recordingTransport records every request the CLI sends and validates
// each exchange against the document; with fail set it sends nothing.
type recordingTransport struct {
	mu       sync.Mutex
	requests []string
	contract *contract.Transport
	fail     bool
}

func newRecording(t *testing.T, fail bool) *recordingTransport {
	t.Helper()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	r := &recordingTransport{fail: fail}
	r.contract = &contract.Transport{Next: &http.Transport{DisableKeepAlives: true}, Validator: v}
	t.Cleanup(func() {
		for _, err := range r.contract.Errors() {
			t.Errorf("contract violation: %v", err)
		}
	})
	return r
}

func (r *recordingTransport) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.requests = append(r.requests, req.Method+" "+req.URL.EscapedPath())
	r.mu.Unlock()
	if r.fail {
		return nil, fmt.Errorf("test: no request may be sent")
	}
	return r.contract.RoundTrip(req)
}

func (r *recordingTransport) sent() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.requests...)
}

// runApp runs one command line in-process with options and stdin.
func runApp(t *testing.T, env map[string]string, stdin string, opts []appOption, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(streams{in: strings.NewReader(stdin), out: &out, err: &errb}, func(k string) string { return env[k] }, opts...)
	code = a.execute(context.Background(), args)
	return code, out.String(), errb.String()
}

// utf16File writes the file at src re-encoded as UTF-16 with a BOM and
// CRLF line ends, as Windows PowerShell 5.1 writes it.
func utf16File(t *testing.T, src string, order binary.ByteOrder) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "\n", "\r\n")
	units := utf16.Encode([]rune("\ufeff" + text))
	buf := make([]byte, 2*len(units))
	for i, u := range units {
		order.PutUint16(buf[2*i:], u)
	}
	p := filepath.Join(t.TempDir(), "utf16.csv")
	if err := os.WriteFile(p, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "devices.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUploadLayoutsAndEncodingsEndToEnd(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"UTF-8 default layout":      sampleCSV,
		"UTF-8 partner layout":      samplePartnerCSV,
		"UTF-16 LE, BOM, CRLF":      utf16File(t, sampleCSV, binary.LittleEndian),
		"UTF-16 BE, BOM, partner":   utf16File(t, samplePartnerCSV, binary.BigEndian),
		"UTF-8 BOM, dashboard case": writeFile(t, "\ufeffDevice serial number,Windows product ID,Hardware hash,Manufacturer name,Device Model\r\nSN-DASH-1,,,Contoso,Laptop 5\r\n"),
	}
	for name, path := range files {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := newRecording(t, false)
			code, out, errOut := runApp(t, nil, "", []appOption{withTransport(rec)},
				"upload", "--sandbox", "--customer", docCustomer, "--batch", "New batch", "--csv", path, "--wait")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if !strings.HasPrefix(lines[0], "SERIAL") || len(lines) < 2 {
				t.Fatalf("table:\n%s", out)
			}
			for _, l := range lines[1:] {
				if !strings.Contains(l, "success") {
					t.Errorf("row %q did not succeed", l)
				}
			}
			sent := rec.sent()
			if len(sent) < 3 || sent[0] != "GET /v1/customers/"+docCustomer+"/deviceBatches" || sent[1] != "POST /v1/customers/"+docCustomer+"/deviceBatches" {
				t.Errorf("requests %v", sent)
			}
			if strings.Contains(errOut, "\r") {
				t.Error("progress was drawn into a pipe")
			}
		})
	}
}

// TestUploadBadFile: every bad row is listed, the exit code is 2 and no
// request is sent (nor a credential asked for).
func TestUploadBadFile(t *testing.T) {
	t.Parallel()
	hash := "T0GlAwEAHAB5cQifq/kU20pTozmhoEsaaFg/i8kgiaf0kdpnZLFe/V80ftUTkrk8tsXKG1r4mv5lQYZdQglqSwctdVYuIiI28J9XyuPTx3aexVZnmsD+kshzbhfVb7WGAH4imKWZCogz"
	csv := "Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n" +
		"GOOD-1,," + hash + ",,\n" + // row 2: fine
		"SERIAL-ONLY,,,,\n" + // row 3: no identity
		",," + hash + "2,,\n" + // row 4: hash without serial
		"DUP-1,," + hash + ",,\n" + // row 5: same hash as row 2
		"BAD-HASH,,not*base64!,,\n" + // row 6: hash not base64
		"TUPLE-1,,,Contoso,\n" + // row 7: tuple without model
		",,,,\n" // row 8: blank line, skipped
	path := writeFile(t, csv)
	rec := newRecording(t, true)
	code, out, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", []appOption{withTransport(rec)},
		"upload", "--customer", docCustomer, "--batch", "B", "--csv", path, "--wait")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2: %s", code, errOut)
	}
	for _, row := range []string{"row 3:", "row 4:", "row 5:", "row 6:", "row 7:"} {
		if !strings.Contains(errOut, row) {
			t.Errorf("stderr does not list %s:\n%s", row, errOut)
		}
	}
	if strings.Contains(errOut, "row 2:") || out != "" {
		t.Errorf("a good row was listed, or output printed: %q", out)
	}
	if !strings.Contains(errOut, "nothing was sent") || strings.Contains(errOut, "--help") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if s := rec.sent(); len(s) != 0 {
		t.Errorf("requests sent: %v", s)
	}
}

func TestUploadDryRunSendsNothing(t *testing.T) {
	t.Parallel()
	rec := newRecording(t, true)
	// No environment at all: a credential would be DefaultAzureCredential,
	// so reaching one would fail the test through rec or hang; none is built.
	code, out, errOut := runApp(t, nil, "", []appOption{withTransport(rec), withCredentialTransport(rec)},
		"upload", "--customer", docCustomer, "--batch", "Dry", "--csv", sampleCSV, "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(out), &body); err != nil {
		t.Fatalf("stdout is not the JSON body: %v\n%s", err, out)
	}
	devs, _ := body["devices"].([]any)
	if body["batchId"] != "Dry" || len(devs) != 5 {
		t.Errorf("body %v", body)
	}
	if strings.Contains(out, `""`) || strings.Contains(out, "policies") || strings.Contains(out, "productKey") {
		t.Errorf("the body carries empty values:\n%s", out)
	}
	if s := rec.sent(); len(s) != 0 {
		t.Errorf("requests sent: %v", s)
	}
}

// TestUploadOutcomes: 808 and a duplicate fail (exit 1, a count on
// stderr), 806 counts as registered; each row has its hint.
func TestUploadOutcomes(t *testing.T) {
	t.Parallel()
	csv := "Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n" +
		"OTHER-4411,,,Contoso,Laptop 5\n" +
		"SBX-00003,,,Microsoft Corporation,Surface Laptop 3\n" + // already in the sandbox customer
		"NEW-0001,,,Contoso,Laptop 5\n"
	rec := newRecording(t, false)
	code, out, errOut := runApp(t, nil, "", []appOption{withTransport(rec)},
		"upload", "--sandbox", "--customer", docCustomer, "--batch", "Mixed", "--csv", writeFile(t, csv), "--wait")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1:\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "1 of 3 devices failed") {
		t.Errorf("stderr lacks the count:\n%s", errOut)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		rows[strings.Fields(l)[0]] = l
	}
	if r := rows["OTHER-4411"]; !strings.Contains(r, "808 ZtdDeviceAssignedToOtherTenant") || !strings.Contains(r, "previous owner must deregister") {
		t.Errorf("808 row %q", r)
	}
	if r := rows["SBX-00003"]; !strings.Contains(r, "806") || !strings.Contains(r, "already registered to this customer") {
		t.Errorf("806 row %q", r)
	}
	if r := rows["NEW-0001"]; !strings.Contains(r, "success") {
		t.Errorf("new row %q", r)
	}
}

func TestUploadAddsToExistingBatchIgnoringCase(t *testing.T) {
	t.Parallel()
	rec := newRecording(t, false)
	code, out, errOut := runApp(t, nil, "", []appOption{withTransport(rec)},
		"upload", "--sandbox", "--customer", docCustomer, "--batch", "test BATCH", "--csv", samplePartnerCSV, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := "POST /v1/customers/" + docCustomer + "/deviceBatches/Test%20batch/devices"
	if s := rec.sent(); len(s) != 2 || s[1] != want {
		t.Errorf("requests %v, want the list then %s", s, want)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(out), &v); err != nil || v["batchTrackingId"] == "" || v["batchId"] != "Test batch" {
		t.Errorf("output %q (%v)", out, err)
	}
}

func TestUploadWaitJSONIsTheServicesAnswer(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "jsonl"} {
		code, out, errOut := runApp(t, nil, "", nil,
			"upload", "--sandbox", "--customer", docCustomer, "--batch", "J", "--csv", sampleCSV, "--wait", "-o", format)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v\n%s", format, err, out)
		}
		if devs, _ := v["devicesStatus"].([]any); v["status"] != "finished" || len(devs) != 5 {
			t.Errorf("%s: %v", format, v)
		}
		if format == "jsonl" && strings.Count(out, "\n") != 1 {
			t.Errorf("jsonl is not one line: %q", out)
		}
	}
}

// statusServer answers every status read with the next of statuses (the
// last repeating).
func statusServer(t *testing.T, statuses ...string) *httptest.Server {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st := statuses[min(n, len(statuses)-1)]
		n++
		mu.Unlock()
		dev := `{"serialNumber":"S1","status":"in-progress"}`
		if st == "finished" {
			dev = `{"deviceId":"d1","serialNumber":"S1","status":"success"}`
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"batchTrackingId":"t1","status":%q,"devicesStatus":[%s]}`, st, dev)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStatusWait(t *testing.T) {
	tests := []struct {
		name     string
		statuses []string
		args     []string
		code     int
		stderr   string
	}{
		{"to finished", []string{"queued", "processing", "finished"}, nil, exitOK, ""},
		{"past --timeout", []string{"queued", "processing"}, []string{"--timeout", "10s"}, exitFailure, "still processing"},
		{"not waiting", []string{"processing"}, []string{"--wait=false"}, exitOK, "not final yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := statusServer(t, tt.statuses...)
			synctest.Test(t, func(t *testing.T) {
				progress := false
				args := append([]string{"status", "--base-url", srv.URL, "--customer", docCustomer, "--tracking", "t1", "--wait"}, tt.args...)
				code, out, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "",
					[]appOption{withTransport(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}), withTerminal(func(s any) bool {
						progress = true
						return true
					})}, args...)
				if code != tt.code {
					t.Fatalf("exit %d, want %d:\n%s\n%s", code, tt.code, out, errOut)
				}
				if !strings.Contains(errOut, tt.stderr) {
					t.Errorf("stderr lacks %q:\n%q", tt.stderr, errOut)
				}
				if tt.code == exitOK && !strings.Contains(out, "S1") {
					t.Errorf("table:\n%s", out)
				}
				if tt.name == "to finished" && (!progress || !strings.Contains(errOut, "processing: 0/1 devices done")) {
					t.Errorf("no progress on the terminal:\n%q", errOut)
				}
				if tt.code == exitFailure && !strings.Contains(errOut, "devicebatches status --customer") {
					t.Errorf("the timeout does not say how to look later:\n%s", errOut)
				}
			})
		})
	}
}

func TestDeleteDevice(t *testing.T) {
	t.Parallel()
	const device = "7c141ea9-2816-4e15-a819-53f6856499ff"
	args := []string{"delete-device", "--sandbox", "--customer", docCustomer, "--batch", "Test batch", "--device", device}
	terminal := withTerminal(func(any) bool { return true })
	tests := []struct {
		name   string
		extra  []string
		stdin  string
		opts   []appOption
		code   int
		delete bool
	}{
		{"no --yes in a pipe", nil, "y\n", nil, exitUsage, false},
		{"--yes", []string{"--yes"}, "", nil, exitOK, true},
		{"terminal, confirmed", nil, "yes\n", []appOption{terminal}, exitOK, true},
		{"terminal, declined", nil, "n\n", []appOption{terminal}, exitFailure, false},
		{"--yes -o json prints nothing", []string{"--yes", "-o", "json"}, "", nil, exitOK, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecording(t, false)
			code, out, errOut := runApp(t, nil, tt.stdin, append(tt.opts, withTransport(rec)), append(args, tt.extra...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			deleted := false
			for _, r := range rec.sent() {
				deleted = deleted || r == "DELETE /v1/customers/"+docCustomer+"/deviceBatches/Test%20batch/devices/"+device
			}
			if deleted != tt.delete {
				t.Errorf("deleted %v, want %v (%v)", deleted, tt.delete, rec.sent())
			}
			wantOut := tt.delete && !strings.Contains(tt.name, "json")
			if wantOut != strings.Contains(out, "deleted device") {
				t.Errorf("stdout %q", out)
			}
		})
	}
}

func TestProfilesAndAssignment(t *testing.T) {
	t.Parallel()
	const profile = "019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e"
	code, out, errOut := runApp(t, nil, "", nil, "profiles", "--sandbox", "--customer", docCustomer, "-o", "jsonl")
	if code != exitOK || strings.Count(out, "\n") != 2 || !strings.Contains(out, profile) {
		t.Fatalf("profiles: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runApp(t, nil, "", nil, "profiles", "--sandbox", "--customer", docCustomer)
	if code != exitOK || !strings.HasPrefix(out, "ID") || !strings.Contains(out, "Test Config Policy") {
		t.Fatalf("profiles table: exit %d\n%s", code, out)
	}

	ids := "# devices of Test batch\n7c141ea9-2816-4e15-a819-53f6856499ff\n\ne528a62f-5031-49f4-bea7-5fafe47388fd\n"
	rec := newRecording(t, false)
	code, out, errOut = runApp(t, nil, ids, []appOption{withTransport(rec)},
		"assign-profile", "--sandbox", "--customer", docCustomer, "--profile", profile, "--devices-file", "-", "--wait")
	if code != exitOK {
		t.Fatalf("assign: exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "DEVICE ID") || !strings.Contains(out, "e528a62f-5031-49f4-bea7-5fafe47388fd") {
		t.Errorf("assign table:\n%s", out)
	}
	if s := rec.sent(); len(s) < 2 || s[0] != "PATCH /v1/customers/"+docCustomer+"/DevicePolicyUpdates" {
		t.Errorf("requests %v", s)
	}
}

func TestWriteCommandsUsage(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"upload", "--customer", docCustomer, "--batch", "B"},
		{"upload", "--customer", "nope", "--batch", "B", "--csv", sampleCSV},
		{"upload", "--customer", docCustomer, "--batch", "..", "--csv", sampleCSV},
		{"upload", "--customer", docCustomer, "--batch", "B", "--csv", "/does/not/exist.csv"},
		{"upload", "--customer", docCustomer, "--batch", "B", "--csv", sampleCSV, "-o", "yaml"},
		{"status", "--customer", docCustomer},
		{"delete-device", "--customer", docCustomer, "--batch", "B"},
		{"assign-profile", "--customer", docCustomer, "--profile", "p"},
		{"assign-profile", "--customer", docCustomer, "--profile", "p", "--device", "d", "--devices-file", "-"},
		{"assign-profile", "--customer", docCustomer, "--profile", "p", "--device", "d", "--device", "d"},
		{"profiles"},
		{"sandbox", "--processing-delay", "-1s"},
	}
	for _, args := range tests {
		rec := newRecording(t, true)
		code, _, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", []appOption{withTransport(rec)}, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errOut)
		}
		if strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%v: more than a line and the help hint:\n%s", args, errOut)
		}
		if s := rec.sent(); len(s) != 0 {
			t.Errorf("%v: requests sent: %v", args, s)
		}
	}
}
