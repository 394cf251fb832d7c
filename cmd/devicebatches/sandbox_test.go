package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const docCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

func noEnv(string) string { return "" }

func TestListSandboxTable(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "list", "--sandbox", "--customer", docCustomer)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("table:\n%s", out)
	}
	if f := strings.Fields(lines[1]); len(f) != 5 || f[0] != "Test" || f[1] != "batch" || f[2] != "finished" || f[3] != "2017-07-25T01:51:00" || f[4] != "5" {
		t.Errorf("Test batch row = %q", lines[1])
	}
	if !strings.Contains(errOut, sandboxNotice) {
		t.Errorf("stderr lacks the sandbox notice: %q", errOut)
	}
	if strings.Contains(out, sandboxNotice) {
		t.Error("the notice went to stdout")
	}
}

func TestListSandboxJSON(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "list", "--sandbox", "--customer", docCustomer, "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"creationDate": "2017-07-25T01:51:00"`) {
		t.Errorf("creationDate changed:\n%s", out)
	}
	var batches []map[string]any
	if err := json.Unmarshal([]byte(out), &batches); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || batches[0]["id"] != "Test batch" || batches[0]["devicesCount"] != float64(5) || batches[1]["devicesCount"] != float64(250) {
		t.Errorf("batches = %v", batches)
	}
}

func TestListSandboxErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"unknown customer", []string{"list", "--sandbox", "--customer", "00000000-0000-0000-0000-000000000001"}, exitFailure, "404"},
		{"with base url", []string{"list", "--sandbox", "--base-url", "http://127.0.0.1:1", "--customer", docCustomer}, exitUsage, "--sandbox and --base-url"},
		{"no token needed but id checked", []string{"list", "--sandbox", "--customer", "nope"}, exitUsage, "customer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.msg)
			}
		})
	}
}

func TestSandboxCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\"customers\": [\n  {\"id\": 12}]}"), 0o600); err != nil {
		t.Fatal(err)
	}
	caseDup := filepath.Join(dir, "casedup.json")
	if err := os.WriteFile(caseDup, []byte(`{"customers":[{"id":"0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35","batches":[{"id":"A"},{"id":"a"}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// Sparse: over the limit without writing 64 MiB.
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, []byte(`{"customers":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 64<<20+1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		// A device, as /dev/zero is, which once grew the sandbox until it
		// was killed; /dev/null makes old code fail instead.
		{"device as data", []string{"sandbox", "--addr", "127.0.0.1:0", "--data", "/dev/null"}, "sandbox data /dev/null: is not a regular file"},
		{"data too large", []string{"sandbox", "--addr", "127.0.0.1:0", "--data", huge}, "huge.json: is larger than 64 MiB"},
		{"batch ids differing in case", []string{"sandbox", "--addr", "127.0.0.1:0", "--data", caseDup}, `casedup.json: at customers[0].batches[1].id: batch "a" and batch "A" (batches[0]) differ only in case`},
		{"missing data", []string{"sandbox", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "none.json")}, "none.json: cannot read"},
		{"bad data", []string{"sandbox", "--addr", "127.0.0.1:0", "--data", bad}, "bad.json: at line 2, column"},
		{"remote", []string{"sandbox", "--addr", "0.0.0.0:0"}, "--allow-remote"},
		{"no host", []string{"sandbox", "--addr", ":8080"}, "not a loopback"},
		{"not host:port", []string{"sandbox", "--addr", "localhost"}, "not host:port"},
		{"bad error rate", []string{"sandbox", "--addr", "127.0.0.1:0", "--error-rate", "2"}, "--error-rate must be a fraction from 0 to 1"},
		{"bad page size", []string{"sandbox", "--addr", "127.0.0.1:0", "--page-size", "0"}, "--page-size"},
		{"unknown quirk", []string{"sandbox", "--addr", "127.0.0.1:0", "--quirks", "bom,teapot"}, `--quirks: unknown quirk "teapot"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat("/dev/null"); err != nil && slices.Contains(tt.args, "/dev/null") {
				t.Skip("no /dev/null")
			}
			code, out, errOut := runSandboxCmd(t, tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.msg) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.msg)
			}
			if strings.Contains(out, "listening") {
				t.Error("the sandbox started")
			}
			if first, _, _ := strings.Cut(errOut, "\n"); !strings.HasPrefix(first, "devicebatches: ") {
				t.Errorf("first stderr line %q", first)
			}
		})
	}
}

// runSandboxCmd runs `devicebatches args...` and stops it once it prints
// its listening line, so a sandbox that starts when it should not fails
// the test instead of hanging it.
func runSandboxCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errOut := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, streams{in: strings.NewReader(""), out: pw, err: errOut}, noEnv)
		pw.Close()
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "sandbox listening on ") {
			cancel()
		}
	}
	return <-done, out.String(), errOut.String()
}

// TestSandboxAllowRemote: on a wildcard address the sandbox announces a
// URL the CLI accepts as --base-url (it once announced http://[::]:PORT,
// refused as plain http to a host that is not loopback) and warns that it
// is open to the network; on loopback it does not warn.
func TestSandboxAllowRemote(t *testing.T) {
	for _, tt := range []struct {
		name, addr, urlPrefix string
		warns                 bool
	}{
		{"wildcard", "0.0.0.0:0", "http://127.0.0.1:", true},
		{"loopback", "127.0.0.1:0", "http://127.0.0.1:", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			errOut := &lockedBuffer{}
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"sandbox", "--addr", tt.addr, "--allow-remote"}, streams{in: strings.NewReader(""), out: pw, err: errOut}, noEnv)
				pw.Close()
			}()
			br := bufio.NewReader(pr)
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("no listening line: %v; stderr %s", err, errOut.String())
			}
			go io.Copy(io.Discard, br)
			base, _ := strings.CutPrefix(strings.TrimSpace(line), "sandbox listening on ")
			if !strings.HasPrefix(base, tt.urlPrefix) {
				t.Errorf("announced %q, want a URL starting %q", line, tt.urlPrefix)
			}
			code, out, listErr := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": "anything"}, "list", "--base-url", base, "--customer", docCustomer, "-o", "json")
			if code != exitOK || !strings.Contains(out, "Test batch") {
				t.Errorf("list --base-url %s: exit %d, stderr %q", base, code, listErr)
			}
			cancel()
			if code := <-done; code != exitOK {
				t.Errorf("exit %d after cancel: %s", code, errOut.String())
			}
			log := errOut.String()
			warned := strings.Contains(log, "warning: --allow-remote: the sandbox accepts any token and is reachable from the network") &&
				strings.Contains(log, "remote clients need https in front of it")
			if warned != tt.warns {
				t.Errorf("warned %v, want %v; stderr:\n%s", warned, tt.warns, log)
			}
		})
	}
}

func TestAnnouncedURL(t *testing.T) {
	tcp := func(ip string, port int) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }
	for _, tt := range []struct {
		host   string
		addr   net.Addr
		url    string
		remote bool
	}{
		{"127.0.0.1", tcp("127.0.0.1", 8080), "http://127.0.0.1:8080", false},
		{"localhost", tcp("127.0.0.1", 8080), "http://127.0.0.1:8080", false},
		{"::1", tcp("::1", 8080), "http://[::1]:8080", false},
		{"0.0.0.0", tcp("::", 8080), "http://127.0.0.1:8080", true},
		{"", tcp("::", 8080), "http://127.0.0.1:8080", true},
		{"::", tcp("::", 8080), "http://[::1]:8080", true},
		{"192.0.2.7", tcp("192.0.2.7", 8080), "http://192.0.2.7:8080", true},
	} {
		url, remote := announcedURL(tt.host, tt.addr)
		if url != tt.url || remote != tt.remote {
			t.Errorf("announcedURL(%q, %v) = %q, %v; want %q, %v", tt.host, tt.addr, url, remote, tt.url, tt.remote)
		}
	}
}

// lockedBuffer lets the test read stderr while the command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// servedSandbox is `devicebatches sandbox` running in the background.
type servedSandbox struct {
	base   string // http://127.0.0.1:port, from its listening line
	stop   context.CancelFunc
	done   <-chan int // its exit code, after stop
	errOut *lockedBuffer
}

// serveSandbox runs `devicebatches sandbox --addr 127.0.0.1:0 args...` and
// waits for its listening line.
func serveSandbox(t *testing.T, args ...string) servedSandbox {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	errOut := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...), streams{in: strings.NewReader(""), out: pw, err: errOut}, noEnv)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v; stderr %s", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "sandbox listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}
	return servedSandbox{base: base, stop: cancel, done: done, errOut: errOut}
}

func TestSandboxCommandServesAndStops(t *testing.T) {
	sb := serveSandbox(t, "--page-size", "2", "--seed", "3")
	req, _ := http.NewRequest("GET", sb.base+"/v1/customers/"+docCustomer+"/deviceBatches/Test%20batch/devices", nil)
	req.Header.Set("Authorization", "Bearer secret-token-value")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body["totalCount"] != float64(2) || body["continuationToken"] == nil {
		t.Errorf("--page-size 2 not applied: %d %v", resp.StatusCode, body)
	}
	sb.stop()
	if code := <-sb.done; code != exitOK {
		t.Errorf("exit %d after cancel: %s", code, sb.errOut.String())
	}
	log := sb.errOut.String()
	if !strings.Contains(log, "status=200") || !strings.Contains(log, "Test batch") && !strings.Contains(log, "Test%20batch") {
		t.Errorf("request log: %q", log)
	}
	if strings.Contains(log, "secret-token-value") {
		t.Error("the request log shows the token")
	}
}

func TestSandboxFlagIsGlobal(t *testing.T) {
	root := (&app{io: streams{out: io.Discard, err: io.Discard}, getenv: noEnv}).rootCommand()
	for _, c := range root.Commands() {
		if c.Name() == "list" && c.InheritedFlags().Lookup("sandbox") == nil {
			t.Error("list does not inherit --sandbox")
		}
	}
	code, _, errOut := runCLI(t, nil, "sandbox", "--sandbox", "--addr", "127.0.0.1:0")
	if code != exitUsage || !strings.Contains(errOut, "--sandbox applies") {
		t.Errorf("sandbox --sandbox: %d %q", code, errOut)
	}
}

// TestListCustomersFileSandbox: --sandbox reaches every service path,
// including the many-customers fan-out (it once built its own client and
// silently went to Partner Center instead).
func TestListCustomersFileSandbox(t *testing.T) {
	file := filepath.Join(t.TempDir(), "customers.txt")
	content := "# sandbox customers\n" + docCustomer + "\n\n8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "list", "--sandbox", "--customers-file", file, "-o", "jsonl")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, sandboxNotice) {
		t.Errorf("stderr lacks the sandbox notice: %q", errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(out, `"id":"Test batch"`) || !strings.Contains(out, `"customerId":"`+docCustomer+`"`) {
		t.Fatalf("jsonl output:\n%s", out)
	}
}
