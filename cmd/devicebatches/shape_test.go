package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestJQ: --jq filters the JSON a command prints, like gh: strings raw,
// other values as compact JSON, one per line; a bad or empty expression is
// a usage error naming where it went wrong, before any request; one that
// fails on the output exits 1.
func TestJQ(t *testing.T) {
	t.Parallel()
	body := `{"totalCount":2,"items":[{"id":"Test batch","devicesCount":5,"status":null},{"id":"宇宙 batch","devicesCount":0}]}`
	tests := []struct {
		name     string
		args     []string
		code     int
		out      string
		errPart  string
		requests int
	}{
		{name: "ids", args: []string{"--jq", ".[].id"}, out: "Test batch\n宇宙 batch\n", requests: 1},
		{name: "objects compact, zeros and nulls kept", args: []string{"--jq", ".[] | {id, devicesCount, status}"},
			out: "{\"devicesCount\":5,\"id\":\"Test batch\",\"status\":null}\n{\"devicesCount\":0,\"id\":\"宇宙 batch\",\"status\":null}\n", requests: 1},
		{name: "length", args: []string{"--jq", "length"}, out: "2\n", requests: 1},
		{name: "with -o json", args: []string{"-o", "json", "--jq", ".[0].devicesCount"}, out: "5\n", requests: 1},
		{name: "syntax error", args: []string{"--jq", ".[] | {id"}, code: exitUsage, errPart: "at position", requests: 0},
		{name: "with a table", args: []string{"-o", "table", "--jq", ".[].id"}, code: exitUsage, errPart: "use it with -o json", requests: 0},
		// A filter failing on the output is no usage error (exit 2 means
		// nothing was sent): exit 1, one line naming the expression.
		{name: "expression that does not fit", args: []string{"--jq", ".[].id.x"}, code: exitFailure, errPart: `--jq ".[].id.x" failed on the command's JSON output: expected an object`, requests: 1},
		{name: "error()", args: []string{"--jq", `.[] | error("boom")`}, code: exitFailure, errPart: `--jq ".[] | error(\"boom\")" failed on the command's JSON output: error: boom`, requests: 1},
		{name: "array filter on -o jsonl", args: []string{"-o", "jsonl", "--jq", ".[].id"}, code: exitFailure, errPart: "it runs on each object, not on an array", requests: 1},
		{name: "empty", args: []string{"--jq", ""}, code: exitUsage, errPart: "--jq is empty", requests: 0},
		{name: "blank", args: []string{"--jq= "}, code: exitUsage, errPart: "--jq is empty", requests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newExampleServer(t, 200, body)
			args := append([]string{"list", "--customer", documentedCustomer, "--base-url", srv.URL}, tt.args...)
			code, out, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, args...)
			if code != tt.code || (tt.code == 0 && out != tt.out) || !strings.Contains(errOut, tt.errPart) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr with %q", code, out, errOut, tt.code, tt.out, tt.errPart)
			}
			if tt.code != 0 && out != "" {
				t.Errorf("stdout %q, want nothing on failure", out)
			}
			if tt.code == exitFailure && strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr is not one line: %q", errOut)
			}
			if n := len(srv.headers); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

// TestCompletionOffersFlagValues: shells complete -o with the command's own
// formats and --auth with the credential kinds, never with file names.
func TestCompletionOffersFlagValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "list", "-o", ""}, []string{"table", "json"}},
		{[]string{"__complete", "devices", "--output", ""}, []string{"table", "json"}},
		{[]string{"__complete", "doctor", "-o", ""}, []string{"text", "json"}},
		{[]string{"__complete", "--auth", ""}, authMethods},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, nil, tt.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, %s", tt.args, code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if last := lines[len(lines)-1]; last != ":4" { // ShellCompDirectiveNoFileComp
			t.Errorf("%v: directive %q, want :4 (no file names)", tt.args, last)
		}
		got := lines[:len(lines)-1]
		for _, w := range tt.want {
			if !strings.Contains("\n"+strings.Join(got, "\n")+"\n", "\n"+w+"\n") {
				t.Errorf("%v: completions %q lack %q", tt.args, got, w)
			}
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		if code, out, errOut := runCLI(t, nil, "completion", shell); code != 0 || !strings.Contains(out, "devicebatches") {
			t.Errorf("completion %s: exit %d, %d bytes, %s", shell, code, len(out), errOut)
		}
	}
}

// TestCompletionUnknownShell: a mistyped or missing shell writes nothing
// to stdout (which is usually redirected into the completion file) and
// exits 2 naming the shells there are.
func TestCompletionUnknownShell(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"completion", "zssh"}, {"completion"}, {"completion", "Bash"}} {
		code, out, errOut := runCLI(t, nil, args...)
		first, _, _ := strings.Cut(errOut, "\n")
		if code != exitUsage || out != "" || !strings.Contains(first, "bash, zsh, fish, powershell") {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q; want exit 2, no stdout, one line naming the shells", args, code, len(out), errOut)
		}
	}
	if code, out, _ := runCLI(t, nil, "completion", "--help"); code != exitOK || !strings.Contains(out, "bash") {
		t.Errorf("completion --help: exit %d:\n%s", code, out)
	}
}

// TestSandboxHelpListsItsOwnFlags: the client's flags mean nothing to the
// sandbox server, so its help does not list them.
func TestSandboxHelpListsItsOwnFlags(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, nil, "sandbox", "--help")
	if code != 0 || !strings.Contains(out, "--processing-delay") || !strings.Contains(out, "--addr") {
		t.Fatalf("exit %d, help:\n%s", code, out)
	}
	for _, foreign := range []string{"Global Flags", "--auth", "--base-url", "--jq", "--timeout"} {
		if strings.Contains(out, foreign) {
			t.Errorf("sandbox help lists %s", foreign)
		}
	}
	if _, out, _ := runCLI(t, nil, "list", "--help"); !strings.Contains(out, "--auth") {
		t.Error("list help lost the global flags")
	}
}

// TestCSV: -o csv is RFC 4180 with a header row: values with commas,
// quotes and line breaks survive a round trip through a CSV reader, absent
// values are empty fields, and a failed listing prints nothing.
func TestCSV(t *testing.T) {
	t.Parallel()
	body := `{"items":[{"id":"d1","serialNumber":"SN, \"quoted\"","modelName":"Line\nbreak","uploadedDate":"2017-08-09T14:43:26.0092288-07:00"},{"id":"d2"}]}`
	srv := newExampleServer(t, 200, body)
	code, out, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "devices", "--customer", documentedCustomer, "--batch", "b", "--base-url", srv.URL, "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, out)
	}
	want := [][]string{
		{"id", "serialNumber", "productKey", "modelName", "oemManufacturerName", "uploadedDate"},
		{"d1", `SN, "quoted"`, "", "Line\nbreak", "", "2017-08-09T14:43:26.0092288-07:00"},
		{"d2", "", "", "", "", ""},
	}
	if fmt.Sprint(records) != fmt.Sprint(want) {
		t.Errorf("records %q\nwant    %q", records, want)
	}

	failing := newExampleServer(t, 404, `{"code":600,"description":"not found"}`)
	code, out, _ = runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "devices", "--customer", documentedCustomer, "--batch", "b", "--base-url", failing.URL, "-o", "csv")
	if code != exitFailure || out != "" {
		t.Errorf("failed listing: exit %d, stdout %q", code, out)
	}
}

// TestSandboxFlagErrorsNameFlags: every sandbox option error names the
// flag to fix, never a Go field, and an occupied port says which port and
// how to choose another.
func TestSandboxFlagErrorsNameFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--error-rate", "2"}, "--error-rate must be a fraction from 0 to 1"},
		{[]string{"--throttle-every", "-1"}, "--throttle-every must be"},
		{[]string{"--throttle-rate", "NaN"}, "--throttle-rate must be"},
		{[]string{"--retry-after", "-1s"}, "--retry-after must be"},
		{[]string{"--latency", "-1s"}, "--latency must be"},
		{[]string{"--customers", "20000"}, "--customers must be from 0 to 10000"},
		{[]string{"--rate-limit", "-5"}, "--rate-limit must be"},
		{[]string{"--rate-limit", "10", "--rate-model", "leaky"}, "--rate-model must be bucket or window"},
		{[]string{"--rate-limit", "0.5", "--rate-model", "window"}, "use 1 or more"},
		{[]string{"--page-size", "0"}, "--page-size must be 1 or more"},
	} {
		code, _, errOut := runCLI(t, nil, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q", tt.args, code, errOut, tt.want)
		}
		for _, field := range []string{"ErrorRate", "ThrottleEvery", "ThrottleRate", "RetryAfter", "Customers must", "Options"} {
			if strings.Contains(errOut, field) {
				t.Errorf("%v: stderr names a Go field: %q", tt.args, errOut)
			}
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	code, _, errOut := runCLI(t, nil, "sandbox", "--addr", ln.Addr().String())
	if code != exitUsage || !strings.Contains(errOut, "port "+port+" is already in use") || !strings.Contains(errOut, "--addr 127.0.0.1:0") {
		t.Errorf("occupied port: exit %d, stderr %q", code, errOut)
	}
}

// panickyTransport has a bug for one customer: it panics on that
// customer's request, on a fan-out worker goroutine.
type panickyTransport struct {
	bad  string
	next http.RoundTripper
}

func (p panickyTransport) Do(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, p.bad) {
		panic("a bug on a worker")
	}
	return p.next.RoundTrip(req)
}

// TestFanOutPanicExits70: a panic on a fan-out worker is a bug: the other
// customers are printed, the bad one is reported, and the exit code is 70,
// never 2 (which Go's runtime would use, and which means usage here).
func TestFanOutPanicExits70(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, documentedExample)
	const bad = "0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35"
	var out, errb bytes.Buffer
	s := streams{in: strings.NewReader(documentedCustomer + "\n" + bad + "\n"), out: &out, err: &errb}
	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}
	code := newApp(s, func(k string) string { return env[k] }, withTransport(panickyTransport{bad: bad, next: http.DefaultTransport})).
		execute(context.Background(), []string{"list", "--customers-file", "-", "--base-url", srv.URL, "-o", "jsonl"})
	if code != exitSoftware || !strings.Contains(out.String(), `"Test batch"`) || !strings.Contains(errb.String(), "internal error (a bug") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 70, the good customer's batch, the bug reported", code, out.String(), errb.String())
	}
}
