package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
)

// TestSandboxCommandProcessingDelay: --processing-delay reaches the served
// sandbox (an hour-long delay keeps a new upload queued), and the upload
// and status commands work against a served sandbox.
func TestSandboxCommandProcessingDelay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--processing-delay", "1h"}, streams{in: strings.NewReader(""), out: pw, err: &errOut}, noEnv)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no listening line: %v; stderr %s", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "sandbox listening on ")
	if !ok {
		t.Fatalf("first line %q", line)
	}
	env := map[string]string{"PARTNER_CENTER_TOKEN": "sandbox-token"}
	rec := newRecording(t, false)
	code, out, stderr := runApp(t, env, "", []appOption{withTransport(rec)},
		"upload", "--base-url", base, "--customer", docCustomer, "--batch", "Slow", "--csv", sampleCSV)
	if code != exitOK {
		t.Fatalf("upload: exit %d: %s", code, stderr)
	}
	tracking := strings.TrimSpace(out)
	code, out, stderr = runApp(t, env, "", []appOption{withTransport(rec)},
		"status", "--base-url", base, "--customer", docCustomer, "--tracking", tracking, "-o", "jsonl")
	if code != exitOK || !strings.Contains(out, `"status":"queued"`) || !strings.Contains(stderr, "not final yet") {
		t.Errorf("status: exit %d\n%s\n%s", code, out, stderr)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("sandbox exit %d: %s", code, errOut.String())
	}
}
