package main

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
)

// formulaBatches are batches whose cells a spreadsheet would run: names
// come from customers' tenants.
const formulaBatches = `{"totalCount":2,"items":[` +
	`{"id":"=HYPERLINK(\"http://x\",\"open\")","status":"+finished","creationDate":"2017-07-25T01:51:00","devicesCount":1,"createdBy":"@admin"},` +
	`{"id":"-2+3","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":2,"createdBy":"a=b"},` +
	`{"id":"\tTab","status":"\rCR","creationDate":"2017-07-25T01:51:00","devicesCount":3,"createdBy":""}]}`

// TestCSVSafe: -o csv is faithful by default; --csv-safe puts ' before
// every cell starting with = + - @, a tab or a carriage return (OWASP's
// advice), in a single listing and in a fan-out, and leaves other cells,
// the header and the customer ids alone.
func TestCSVSafe(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, formulaBatches)
	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}
	faithful := [][]string{
		{`=HYPERLINK("http://x","open")`, "+finished", "2017-07-25T01:51:00", "1", "@admin"},
		{"-2+3", "finished", "2017-07-25T01:51:00", "2", "a=b"},
		{"\tTab", "\rCR", "2017-07-25T01:51:00", "3", ""},
	}
	safe := [][]string{
		{`'=HYPERLINK("http://x","open")`, "'+finished", "2017-07-25T01:51:00", "1", "'@admin"},
		{"'-2+3", "finished", "2017-07-25T01:51:00", "2", "a=b"},
		{"'\tTab", "'\rCR", "2017-07-25T01:51:00", "3", ""},
	}
	read := func(out string) [][]string {
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		return recs
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  [][]string
		id    bool // a customerId column first
	}{
		{name: "faithful by default", args: []string{"list", "--customer", testCustomer, "-o", "csv"}, want: faithful},
		{name: "csv-safe", args: []string{"list", "--customer", testCustomer, "-o", "csv", "--csv-safe"}, want: safe},
		{name: "fan-out csv-safe", stdin: testCustomer + "\n", args: []string{"list", "--customers-file", "-", "-o", "csv", "--csv-safe"}, want: safe, id: true},
	}
	for _, tt := range tests {
		var code int
		var out, errOut string
		if tt.stdin != "" {
			code, out, errOut = runCLIStdinEnv(t, env, tt.stdin, tt.args...)
		} else {
			code, out, errOut = runCLI(t, env, tt.args...)
		}
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", tt.name, code, errOut)
		}
		recs := read(out)
		if recs[0][0] != "id" && recs[0][0] != "customerId" {
			t.Errorf("%s: header %q", tt.name, recs[0])
		}
		for i, rec := range recs[1:] {
			if tt.id {
				if rec[0] != testCustomer {
					t.Errorf("%s: customerId %q", tt.name, rec[0])
				}
				rec = rec[1:]
			}
			if fmt.Sprintf("%q", rec) != fmt.Sprintf("%q", tt.want[i]) {
				t.Errorf("%s: row %d = %q, want %q", tt.name, i+1, rec, tt.want[i])
			}
		}
	}
	if code, _, errOut := runCLI(t, env, "list", "--customer", testCustomer, "-o", "json", "--csv-safe"); code != exitUsage || !strings.Contains(errOut, "--csv-safe applies to -o csv, not -o json") {
		t.Errorf("--csv-safe with -o json: exit %d, %s", code, errOut)
	}
	for _, cmd := range []string{"list", "devices", "customers", "profiles"} {
		if code, out, _ := runCLI(t, nil, cmd, "--help"); code != exitOK || !strings.Contains(out, "as a formula; see --csv-safe)") || !strings.Contains(out, "--csv-safe ") {
			t.Errorf("%s --help does not warn of formulas in -o csv:\n%s", cmd, out)
		}
	}
}

// runCLIStdinEnv is runCLI with standard input.
func runCLIStdinEnv(t *testing.T, env map[string]string, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = run(t.Context(), args, streams{in: strings.NewReader(stdin), out: &out, err: &errb}, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// TestCSVAsDocumented pins what README and writeCSV's comment say of -o
// csv: RFC 4180 quoting with LF line ends (no CR), an absent text value
// an empty field, and an absent number 0, as in the table, while -o json
// keeps the item exactly as sent (no devicesCount).
func TestCSVAsDocumented(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, `{"totalCount":1,"items":[{"id":"No count, \"quoted\"","status":"finished"}]}`)
	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}
	_, out, _ := runCLI(t, env, "list", "--customer", testCustomer, "-o", "csv")
	if want := "id,status,creationDate,devicesCount,createdBy\n\"No count, \"\"quoted\"\"\",finished,,0,\n"; out != want {
		t.Errorf("csv:\n%q\nwant\n%q", out, want)
	}
	_, out, _ = runCLI(t, env, "list", "--customer", testCustomer)
	if !strings.HasSuffix(strings.TrimSpace(out), "  finished  -        0") {
		t.Errorf("table:\n%s", out)
	}
	_, out, _ = runCLI(t, env, "list", "--customer", testCustomer, "-o", "jsonl")
	if strings.Contains(out, "devicesCount") {
		t.Errorf("jsonl: %s", out)
	}
}
