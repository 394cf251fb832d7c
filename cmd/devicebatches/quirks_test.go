package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
)

// TestCommandsAgainstSandboxQuirks: with every quirk of the real service
// (byte order marks, link shapes, the newer error body with a string
// code, an upload answered 200 with a body, gateway errors retried), the
// commands work and --validate-contract=strict finds nothing to report.
func TestCommandsAgainstSandboxQuirks(t *testing.T) {
	t.Parallel()
	s, err := sandbox.New(sandbox.Options{Seed: 1, PageSize: 1, Quirks: sandbox.QuirkKinds})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	strict := []string{"--base-url", srv.URL, "--validate-contract=strict"}
	run := func(args ...string) (int, string, string) {
		t.Helper()
		code, out, errOut := runCLIStdin(t, "", append(args, strict...)...)
		if strings.Contains(errOut, "contract:") {
			t.Errorf("%v: contract deviations:\n%s", args, errOut)
		}
		return code, out, errOut
	}
	if code, out, errOut := run("list", "--customer", docCustomer); code != exitOK || !strings.Contains(out, "Test batch") {
		t.Errorf("list: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, errOut := run("devices", "--customer", docCustomer, "--batch", "Test batch", "-o", "jsonl"); code != exitOK || strings.Count(out, "\n") < 2 {
		t.Errorf("devices (one per page, links in every shape): exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := run("upload", "--customer", docCustomer, "--batch", "Test batch", "--csv", samplePartnerCSV, "--wait", "-o", "json")
	var st map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &st) != nil || st["batchTrackingId"] == nil {
		t.Errorf("upload (answered 200 with the link in its body): exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = run("list", "--customer", "00000000-0000-4000-8000-000000000001")
	if code == exitOK || !strings.Contains(errOut, "600") {
		t.Errorf("unknown customer (a V2 error body, code \"600\"): exit %d\n%s", code, errOut)
	}
}
