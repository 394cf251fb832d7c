package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
)

// TestWaitExitCodesOverStatusBodies: status --wait and upload --wait exit
// 0 only when every device is registered. A status the client does not
// know (such as "failed", or one holding escape characters) with a device
// still in progress keeps the wait going until --timeout; a final status
// with a device not done ends it, and that device counts as not
// registered: exit 1 and a line naming it.
func TestWaitExitCodesOverStatusBodies(t *testing.T) {
	const (
		success    = `{"serialNumber":"S1","status":"success"}`
		failed808  = `{"serialNumber":"S2","status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"}`
		inProgress = `{"serialNumber":"S3","status":"in-progress"}`
		oddStatus  = `{"serialNumber":"S4","status":"success\u001b[0m"}`
		already806 = `{"serialNumber":"S6","status":"failed","errorCode":806}`
	)
	tests := []struct {
		name    string
		status  string // as JSON text
		devices string
		code    int
		stderr  []string // each must be on stderr
	}{
		{"finished", `"finished"`, success, exitOK, nil},
		{"finished, 806", `"finished"`, success + "," + already806, exitOK, nil},
		{"finished_with_errors", `"finished_with_errors"`, success + "," + failed808, exitFailure, []string{"1 of 2 devices failed (status finished_with_errors)"}},
		{"finished with a device in progress", `"finished"`, success + "," + inProgress, exitFailure,
			[]string{"status finished, but 1 of 2 devices are not done, so not registered: S3", "1 of 2 devices not done (status finished)", "see it later with: devicebatches status"}},
		{"finished, failed and in progress", `"finished"`, failed808 + "," + inProgress, exitFailure,
			[]string{"not registered: S3", "2 of 2 devices not registered (status finished): 1 failed (see ERROR and HINT), 1 not done"}},
		{"failed with a device in progress", `"failed"`, inProgress + "," + success, exitFailure,
			[]string{"upload T-42 not done after 10s: status failed, 1 of 2 devices done", "see it later with"}},
		{"escaped final status, device in progress", `"finished\u001b[2J"`, inProgress, exitFailure,
			[]string{`not done after 10s: status finished\x1b[2J, 0 of 1 devices done`}},
		{"unknown status, device with an unknown status", `"weird"`, oddStatus, exitFailure, []string{"not done after 10s"}},
		{"unknown status, every device done", `"unknown"`, success + "," + already806, exitOK, nil},
		{"unknown status, a device failed", `"failed"`, failed808, exitFailure, []string{"1 of 1 devices failed (status failed)"}},
		{"processing", `"processing"`, success, exitFailure, []string{"still processing after 10s"}},
	}
	env := map[string]string{"PARTNER_CENTER_TOKEN": "t"}
	plain := []appOption{withTransport(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}})}
	for _, tt := range tests {
		body := `{"batchTrackingId":"T-42","status":` + tt.status + `,"devicesStatus":[` + tt.devices + `]}`
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			switch {
			case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/deviceBatches"):
				fmt.Fprint(w, `{"totalCount":0,"items":[]}`)
			case r.Method == http.MethodPost:
				w.Header().Set("Location", "/customers/"+docCustomer+"/batchJobStatus/T-42")
				w.WriteHeader(http.StatusAccepted)
			default:
				fmt.Fprint(w, body)
			}
		}))
		t.Cleanup(srv.Close)
		// upload --wait sends exactly the devices the status lists: one it
		// leaves out would count as not registered.
		csv := "Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model\n"
		for _, m := range regexp.MustCompile(`"serialNumber":"(S[0-9])"`).FindAllStringSubmatch(tt.devices, -1) {
			csv += m[1] + ",,,Contoso,Laptop 5\n"
		}
		commands := map[string][]string{
			"status --wait": {"status", "--base-url", srv.URL, "--customer", docCustomer, "--tracking", "T-42", "--wait", "--timeout", "10s"},
			"upload --wait": {"upload", "--base-url", srv.URL, "--customer", docCustomer, "--batch", "B", "--csv", writeFile(t, csv), "--wait", "--timeout", "10s"},
		}
		for cmd, args := range commands {
			t.Run(tt.name+", "+cmd, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					code, out, errOut := runApp(t, env, "", plain, args...)
					if code != tt.code {
						t.Fatalf("exit %d, want %d:\n%s\n%s", code, tt.code, out, errOut)
					}
					for _, want := range tt.stderr {
						if !strings.Contains(errOut, want) {
							t.Errorf("stderr lacks %q:\n%s", want, errOut)
						}
					}
					if strings.Contains(errOut, "\x1b") {
						t.Errorf("stderr holds an escape character:\n%q", errOut)
					}
					if !strings.Contains(out, "S") {
						t.Errorf("stdout lacks the devices:\n%s", out)
					}
				})
			})
		}
	}
}

// TestStatusWithoutWaitNotDone: status without --wait on a status that
// is not done says so and how far it got, exit 0 as before; one that is
// done with a device in progress fails.
func TestStatusWithoutWaitNotDone(t *testing.T) {
	tests := []struct {
		body   string
		code   int
		stderr string
	}{
		{`{"batchTrackingId":"T-42","status":"failed","devicesStatus":[{"serialNumber":"S3","status":"in-progress"},{"serialNumber":"S1","status":"success"}]}`,
			exitOK, "the status is failed, not final yet (1 of 2 devices done): add --wait"},
		{`{"batchTrackingId":"T-42","status":"finished","devicesStatus":[{"serialNumber":"S3","status":"in-progress"}]}`,
			exitFailure, "1 of 1 devices not done (status finished)"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, tt.body)
		}))
		code, _, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", nil,
			"status", "--base-url", srv.URL, "--customer", docCustomer, "--tracking", "T-42")
		srv.Close()
		if code != tt.code || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", tt.body, code, errOut, tt.code, tt.stderr)
		}
	}
}
