package main

import (
	"strings"
	"testing"
)

// TestDeleteDeviceChecksCredentialsBeforeAsking: on a terminal,
// delete-device finds its credential and checks its flags before it asks
// "Delete device …?": missing credentials are exit 2 with no question
// asked and no request sent, not an error after the user said yes.
func TestDeleteDeviceChecksCredentialsBeforeAsking(t *testing.T) {
	t.Parallel()
	const device = "7c141ea9-2816-4e15-a819-53f6856499ff"
	args := []string{"delete-device", "--customer", docCustomer, "--batch", "Test batch", "--device", device, "--base-url", "http://127.0.0.1:9"}
	terminal := withTerminal(func(any) bool { return true })
	tests := []struct {
		name  string
		env   map[string]string
		extra []string
		want  string // on stderr
	}{
		// TestMain limits the default chain to the environment credential.
		{"no credentials at all", nil, nil, "no credentials found"},
		{"--auth env without its variables", nil, []string{"--auth", "env"}, "--auth env needs the partner tenant"},
		{"--sandbox with --base-url", nil, []string{"--sandbox"}, "--sandbox and --base-url cannot be used together"},
		{"a bad --max-retries", map[string]string{"PARTNER_CENTER_TOKEN": "t"}, []string{"--max-retries", "-1"}, "--max-retries must be 0 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecording(t, true)
			code, out, errOut := runApp(t, tt.env, "y\n", []appOption{terminal, withTransport(rec)}, append(args, tt.extra...)...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want %d and nothing\n%s", code, out, exitUsage, errOut)
			}
			if strings.Contains(errOut, "Delete device") {
				t.Errorf("asked before checking:\n%s", errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errOut)
			}
			if s := rec.sent(); len(s) != 0 {
				t.Errorf("requests sent: %v", s)
			}
		})
	}
}
