package main

import (
	"strings"
	"testing"
)

// TestSandboxCommandProcessingDelay: --processing-delay reaches the served
// sandbox (an hour-long delay keeps a new upload queued), and the upload
// and status commands work against a served sandbox.
func TestSandboxCommandProcessingDelay(t *testing.T) {
	sb := serveSandbox(t, "--processing-delay", "1h")
	base := sb.base
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
	sb.stop()
	if code := <-sb.done; code != exitOK {
		t.Errorf("sandbox exit %d: %s", code, sb.errOut.String())
	}
}
