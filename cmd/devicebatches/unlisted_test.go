package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// finalStatusServer accepts an upload or assignment (202, tracking id
// T-7) and answers every status read with status, a final one.
func finalStatusServer(t *testing.T, status string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/deviceBatches"):
			fmt.Fprint(w, `{"totalCount":0,"items":[]}`)
		case r.Method == http.MethodPost || r.Method == http.MethodPatch:
			w.Header().Set("Location", "/customers/"+docCustomer+"/batchJobStatus/T-7")
			w.WriteHeader(http.StatusAccepted)
		default:
			fmt.Fprint(w, status)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestWaitCountsDevicesTheStatusLeavesOut: upload --wait and
// assign-profile --wait know what they sent, so a device sent that the
// final status does not list is not registered (exit 1, named on stderr);
// status --wait, which does not know, judges the listed devices only.
func TestWaitCountsDevicesTheStatusLeavesOut(t *testing.T) {
	t.Parallel()
	const (
		dev1 = "7c141ea9-2816-4e15-a819-53f6856499ff"
		dev2 = "e528a62f-5031-49f4-bea7-5fafe47388fd"
	)
	upload := []string{"upload", "--customer", docCustomer, "--batch", "B", "--csv", sampleCSV, "--wait"}
	assign := []string{"assign-profile", "--customer", docCustomer, "--profile", "P", "--device", dev1, "--device", dev2, "--wait"}
	status := []string{"status", "--customer", docCustomer, "--tracking", "T-7", "--wait"}
	all5 := `{"serialNumber":"PF3ZK1A0","status":"success"},{"serialNumber":"pf3zk1b7","status":"success"},` +
		`{"serialNumber":"5CG2341XQ9","status":"success"},{"serialNumber":"CNU9Q2LM4T","status":"success"},{"serialNumber":"0F00A2B3C4D5E6","status":"success"}`
	tests := []struct {
		name    string
		args    []string
		status  string
		code    int
		stderr  []string // each must appear
		noError bool     // stderr must not mention unlisted devices
	}{
		{"upload, empty devicesStatus", upload, `{"status":"finished","devicesStatus":[]}`, exitFailure,
			[]string{"5 of the 5 devices sent are not in it", "PF3ZK1A0, PF3ZK1B7, 5CG2341XQ9, CNU9Q2LM4T, 0F00A2B3C4D5E6", "5 of 5 devices not registered (status finished)"}, false},
		{"upload, devicesStatus missing", upload, `{"status":"finished"}`, exitFailure,
			[]string{"5 of the 5 devices sent are not in it", "5 of 5 devices not registered"}, false},
		{"upload, one listed and failed", upload, `{"status":"finished_with_errors","devicesStatus":[{"serialNumber":"PF3ZK1A0","status":"failed","errorCode":"808"}]}`, exitFailure,
			[]string{"4 of the 5 devices sent are not in it, so not registered: PF3ZK1B7, 5CG2341XQ9, CNU9Q2LM4T, 0F00A2B3C4D5E6", "5 of 5 devices not registered (status finished_with_errors): 1 failed (see ERROR and HINT), 4 not in the status"}, false},
		{"upload, every device listed (serial case aside)", upload, `{"status":"finished","devicesStatus":[` + all5 + `]}`, exitOK, nil, true},
		{"assign-profile, one left out", assign, `{"status":"finished","devicesStatus":[{"deviceId":"` + strings.ToUpper(dev1) + `","status":"success"}]}`, exitFailure,
			[]string{"1 of the 2 devices sent are not in it, so not registered: " + dev2, "1 of 2 devices not registered (status finished): the final status does not list them"}, false},
		{"assign-profile, both listed", assign, `{"status":"finished","devicesStatus":[{"deviceId":"` + dev1 + `","status":"success"},{"deviceId":"` + dev2 + `","status":"success"}]}`, exitOK, nil, true},
		{"status --wait knows nothing sent", status, `{"status":"finished","devicesStatus":[]}`, exitOK, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := finalStatusServer(t, tt.status)
			code, out, errOut := runApp(t, map[string]string{"PARTNER_CENTER_TOKEN": "t"}, "", nil, append(tt.args, "--base-url", srv.URL)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d:\n%s\n%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if tt.noError && strings.Contains(errOut, "not in") {
				t.Errorf("stderr names devices as unlisted:\n%s", errOut)
			}
		})
	}
}

// TestUnlistedNamesAFewThenCounts: a long list of devices the status
// leaves out is cut, as the not-done list is.
func TestUnlistedNamesAFewThenCounts(t *testing.T) {
	var sent []sentDevice
	for i := range 25 {
		sent = append(sent, sentDevice{serial: fmt.Sprintf("S%02d", i)})
	}
	sent = append(sent, sentDevice{productKey: "PK-1"})
	got := listShort(unlisted(sent, nil))
	if !strings.HasPrefix(got, "S00, S01,") || !strings.HasSuffix(got, "S09 and 16 more") {
		t.Errorf("got %q", got)
	}
}

// TestUnlistedHashOnlyDevices: a device sent with a hardware hash alone has
// nothing a status names it by; it counts as listed while the status lists
// devices no identified device claims, and as left out past that.
func TestUnlistedHashOnlyDevices(t *testing.T) {
	listedDev := func(serial string) wrapper.DeviceUploadDetails {
		var d wrapper.DeviceUploadDetails
		if serial != "" {
			d.SerialNumber.Set(serial)
		}
		return d
	}
	sent := []sentDevice{{serial: "S1"}, {}, {}}
	for _, tt := range []struct {
		name   string
		listed []wrapper.DeviceUploadDetails
		want   int
	}{
		{"all listed", []wrapper.DeviceUploadDetails{listedDev("S1"), listedDev(""), listedDev("")}, 0},
		{"one hash-only device left out", []wrapper.DeviceUploadDetails{listedDev("S1"), listedDev("")}, 1},
		{"the serial left out, the rest listed", []wrapper.DeviceUploadDetails{listedDev(""), listedDev("")}, 1},
		{"none listed", nil, 3},
	} {
		if got := unlisted(sent, tt.listed); len(got) != tt.want {
			t.Errorf("%s: unlisted = %q, want %d", tt.name, got, tt.want)
		}
	}
}
