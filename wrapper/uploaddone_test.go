package wrapper

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestUploadDoneOverStatusBodies: when a wait for an upload ends, over
// known and unknown batch statuses × device states. Only a documented final
// status ends it whatever the devices say; queued and processing never do;
// any other status (unknown, "failed", one with escape characters) ends it
// only when devices are listed and every one has an outcome. Registered
// counts only devices done: a device still in progress under a final
// status is not registered.
func TestUploadDoneOverStatusBodies(t *testing.T) {
	const (
		success    = `{"serialNumber":"S1","status":"success"}`
		failed808  = `{"serialNumber":"S2","status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"}`
		inProgress = `{"serialNumber":"S3","status":"in-progress"}`
		escaped    = `{"serialNumber":"S4","status":"success\u001b[0m"}` // unknown, no error: no outcome
		oddFailed  = `{"serialNumber":"S5","status":"x\u001b[31m","errorCode":"ZtdDeviceDuplicated"}`
		already806 = `{"serialNumber":"S6","status":"failed","errorCode":806}`
		empty      = `{"serialNumber":"S7","status":""}`
		upper      = `{"serialNumber":"S8","status":"SUCCESS"}`
	)
	tests := []struct {
		status     string // as JSON text
		devices    string
		done       bool
		registered int
	}{
		{`"finished"`, success, true, 1},
		{`"finished_with_errors"`, success + "," + failed808, true, 1},
		{`"FINISHED"`, upper, true, 1},
		{`"finished"`, "", true, 0},
		{`"finished"`, success + "," + inProgress, true, 1}, // final, but S3 is not registered
		{`"queued"`, "", false, 0},
		{`"processing"`, success, false, 1},
		{`"processing"`, success + "," + failed808, false, 1},
		{`"failed"`, inProgress + "," + success, false, 1}, // the hostile server's body
		{`"failed"`, failed808, true, 0},
		{`"failed"`, "", false, 0},
		{`"unknown"`, success + "," + already806, true, 2},
		{`"unknown"`, inProgress, false, 0},
		{`"finished\u001b[2J"`, inProgress, false, 0},
		{`"finished\u001b[2J"`, success, true, 1},
		{`"weird"`, escaped, false, 0},
		{`"weird"`, oddFailed, true, 0},
		{`"weird"`, success + "," + empty, false, 1},
	}
	for _, tt := range tests {
		name := tt.status + " [" + tt.devices + "]"
		t.Run(name, func(t *testing.T) {
			body := `{"batchTrackingId":"t1","status":` + tt.status + `,"devicesStatus":[` + tt.devices + `]}`
			srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, _ *http.Request, _ int) { writeBody(w, 200, body) })
			synctest.Test(t, func(t *testing.T) {
				c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{MaxRetries: -1}, nil)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				reads := 0
				d, err := c.WaitForBatchUpload(ctx, testCustomer, "t1", &WaitOptions{Progress: func(BatchUploadDetails) { reads++ }})
				if tt.done {
					if err != nil || reads != 1 {
						t.Fatalf("error %v after %d reads, want the wait to end at the first read", err, reads)
					}
				} else if !errors.Is(err, context.DeadlineExceeded) || reads < 2 {
					t.Fatalf("error %v after %d reads, want the wait to go on until the deadline", err, reads)
				}
				if UploadDone(d) != tt.done {
					t.Errorf("UploadDone %v, want %v", !tt.done, tt.done)
				}
				registered := 0
				for _, dev := range UploadDevices(d) {
					if DeviceRegistered(dev) {
						registered++
					}
				}
				if registered != tt.registered {
					t.Errorf("%d devices registered, want %d", registered, tt.registered)
				}
			})
		})
	}
}

// TestWaitNotDoneSaysHowFar: a wait cut short under a status that is not
// queued or processing says how many devices were done, not "still failed".
func TestWaitNotDoneSaysHowFar(t *testing.T) {
	body := `{"batchTrackingId":"t1","status":"failed","devicesStatus":[{"status":"in-progress"},{"status":"success"}]}`
	srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, _ *http.Request, _ int) { writeBody(w, 200, body) })
	synctest.Test(t, func(t *testing.T) {
		c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{MaxRetries: -1}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := c.WaitForBatchUpload(ctx, testCustomer, "t1", nil)
		if err == nil || !strings.Contains(err.Error(), "upload t1 not done after 20s: status failed, 1 of 2 devices done") {
			t.Errorf("error %v", err)
		}
	})
}
