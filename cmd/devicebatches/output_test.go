package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// oddItems are batches with what -o json must print as sent: nulls, empty
// arrays, zeros, unknown fields, escapes, U+2028, dates as text, and
// white space the indenter must drop.
const oddItems = `{"totalCount":3,"items":[
 {"id":"Test batch","status":null,"devicesCount":0,"devicesLink":{"uri":"x","headers":[]},"extra":{"nested":[1,2.50,-0,1e3]},"creationDate":"2017-07-25T01:51:00"},
 {"id":"caf\u00e9 \ud83d\ude00","createdBy":"a\u2028b <&>","attributes":{},"status":"finished"} ,
 {  "id" : "x\"y\\z\/" , "devicesCount" : 2147483647 }
]}`

// TestJSONOutputIsIndentOfItems: -o json prints each item exactly as
// json.Indent(item, "  ", "  ") inside the array, and -o jsonl each item
// exactly as json.Compact, one per line.
func TestJSONOutputIsIndentOfItems(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, oddItems)
	var page struct{ Items []json.RawMessage }
	if err := json.Unmarshal([]byte(oddItems), &page); err != nil {
		t.Fatal(err)
	}
	var want, wantLines bytes.Buffer
	want.WriteString("[\n  ")
	for i, it := range page.Items {
		if i > 0 {
			want.WriteString(",\n  ")
		}
		if err := json.Indent(&want, it, "  ", "  "); err != nil {
			t.Fatal(err)
		}
		if err := json.Compact(&wantLines, it); err != nil {
			t.Fatal(err)
		}
		wantLines.WriteByte('\n')
	}
	want.WriteString("\n]\n")

	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}
	code, out, errOut := runCLI(t, env, "list", "--customer", documentedCustomer, "-o", "json")
	if code != exitOK || out != want.String() {
		t.Fatalf("exit %d, stderr %q\ngot:\n%s\nwant:\n%s", code, errOut, out, want.String())
	}
	code, out, errOut = runCLI(t, env, "list", "--customer", documentedCustomer, "-o", "jsonl")
	if code != exitOK || out != wantLines.String() {
		t.Fatalf("jsonl: exit %d, stderr %q\ngot:\n%s\nwant:\n%s", code, errOut, out, wantLines.String())
	}
}

// countingWriter counts Write calls, standing in for stdout's system calls.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestStdoutBuffered: every format reaches stdout in 64 KiB writes, not
// one per item, line or cell, and all of it arrives.
func TestStdoutBuffered(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(devicePager(2000, &calls))
	defer srv.Close()
	for _, format := range []string{"json", "jsonl", "table"} {
		var out countingWriter
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"--base-url", srv.URL, "devices", "--customer", testCustomer, "--batch", "Test batch", "-o", format},
			streams{in: strings.NewReader(""), out: &out, err: &errOut}, envFrom(tokenEnv))
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", format, code, errOut.String())
		}
		if n := strings.Count(out.String(), "device-1999"); n != 1 {
			t.Fatalf("%s: the last device appears %d times", format, n)
		}
		if max := out.Len()/(64<<10) + 2; out.writes > max {
			t.Errorf("%s: %d writes for %d bytes, want at most %d", format, out.writes, out.Len(), max)
		}
	}
}

// TestOutputFlushedOnError: a listing that fails on its second page still
// prints the first page's items (flushed at exit), the JSON array left
// open so that no parser takes it for a complete answer, and exits 1.
func TestOutputFlushedOnError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	pager := devicePager(250, &calls)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MS-ContinuationToken") != "" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":600,"description":"The continuation token is not valid"}`)
			return
		}
		pager.ServeHTTP(w, r)
	}))
	defer srv.Close()
	for _, tc := range []struct{ format, last string }{{"json", "device-099"}, {"jsonl", "device-099"}} {
		code, out, errOut := runCLI(t, tokenEnv, "--base-url", srv.URL, "devices", "--customer", testCustomer, "--batch", "Test batch", "-o", tc.format)
		if code != exitFailure || !strings.Contains(errOut, "continuation token is not valid") {
			t.Fatalf("%s: exit %d, stderr %q", tc.format, code, errOut)
		}
		if !strings.Contains(out, tc.last) || strings.Contains(out, "device-100") {
			t.Fatalf("%s: output does not end with the first page:\n%.300s", tc.format, out)
		}
		if tc.format == "json" && (json.Valid([]byte(out)) || strings.HasSuffix(out, "]\n")) {
			t.Fatalf("json: a failed listing printed a complete array")
		}
	}
}

// TestEveryJSONLIsOneCompactLinePerRecord: every command that takes
// -o jsonl prints one compact JSON object per line (json.Compact's form),
// whatever it prints: listings, fan-outs, accepted uploads, statuses,
// dry-run bodies.
func TestEveryJSONLIsOneCompactLinePerRecord(t *testing.T) {
	t.Parallel()
	const profile = "019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e"
	const device = "7c141ea9-2816-4e15-a819-53f6856499ff"
	upload := []string{"upload", "--sandbox", "--customer", docCustomer, "--batch", "L", "--csv", sampleCSV}
	status := []string{"status", "--base-url", statusServer(t, "finished").URL, "--customer", docCustomer, "--tracking", "t1"}
	assign := []string{"assign-profile", "--sandbox", "--customer", docCustomer, "--profile", profile, "--device", device}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		records int // -1: one or more
	}{
		{"list", []string{"list", "--sandbox", "--customer", docCustomer}, "", 2},
		{"list --customers-file", []string{"list", "--sandbox", "--customers-file", "-"}, docCustomer + "\n", 2},
		{"list --all-customers", []string{"list", "--sandbox", "--all-customers", "--include-empty"}, "", -1},
		{"customers", []string{"customers", "--sandbox"}, "", -1},
		{"devices", []string{"devices", "--sandbox", "--customer", docCustomer, "--batch", "Test batch"}, "", -1},
		{"profiles", []string{"profiles", "--sandbox", "--customer", docCustomer}, "", 2},
		{"upload", upload, "", 1},
		{"upload --wait", append(upload, "--wait"), "", 1},
		{"upload --dry-run", append(upload, "--dry-run"), "", 1},
		{"status", status, "", 1},
		{"status --wait", append(status, "--wait"), "", 1},
		{"assign-profile", assign, "", 1},
		{"assign-profile --wait", append(assign, "--wait"), "", 1},
		{"delete-device", []string{"delete-device", "--sandbox", "--customer", docCustomer, "--batch", "Test batch", "--device", device, "--yes"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, tt.stdin, nil, append(tt.args, "-o", "jsonl")...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			n := 0
			for line := range strings.Lines(out) {
				n++
				var compact bytes.Buffer
				if err := json.Compact(&compact, []byte(line)); err != nil || compact.String()+"\n" != line || !strings.HasPrefix(line, "{") {
					t.Fatalf("line %d is not one compact JSON object (%v): %.200q", n, err, line)
				}
			}
			if n != tt.records && (tt.records >= 0 || n == 0) {
				t.Errorf("%d lines, want %d:\n%s", n, tt.records, out)
			}
		})
	}
}
