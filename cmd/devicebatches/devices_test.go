package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

const testCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

// devicePager serves n devices 100 per page like the service: links.next
// relative without /v1 carrying MS-ContinuationToken, and continuationToken.
func devicePager(n int, calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.EscapedPath() != "/v1/customers/"+testCustomer+"/deviceBatches/Test%20batch/devices" || r.Header.Get("Authorization") != "Bearer s3cr3t" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":600,"description":"unexpected request"}`)
			return
		}
		start, _ := strconv.Atoi(r.Header.Get("MS-ContinuationToken"))
		end := min(start+100, n)
		items := []map[string]any{}
		for i := start; i < end; i++ {
			items = append(items, map[string]any{
				"id": fmt.Sprintf("device-%03d", i), "serialNumber": fmt.Sprintf("SN-%03d", i),
				"modelName": "HP Z420 Workstation", "oemManufacturerName": "Hewlett-Packard",
				"uploadedDate": "2017-08-09T14:43:26.0092288-07:00",
			})
		}
		body := map[string]any{"totalCount": len(items), "items": items}
		if end < n {
			tok := strconv.Itoa(end)
			body["continuationToken"] = tok
			body["links"] = map[string]any{"next": map[string]any{
				"uri": "/customers/" + testCustomer + "/deviceBatches/Test batch/devices", "method": "GET",
				"headers": []map[string]any{{"key": "MS-ContinuationToken", "value": tok}},
			}}
		}
		_ = json.NewEncoder(w).Encode(body)
	})
}

// tokenEnv is the environment of the devices tests: a static token only.
var tokenEnv = map[string]string{"PARTNER_CENTER_TOKEN": "s3cr3t"}

func TestDevicesCommandAllPages(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		t.Run(format, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(devicePager(250, &calls))
			defer srv.Close()
			code, out, errOut := runCLI(t, tokenEnv, "--base-url", srv.URL, "devices", "--customer", testCustomer, "--batch", "Test batch", "-o", format)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if n := calls.Load(); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
			var ids []string
			if format == "json" {
				var got []map[string]any
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				for _, d := range got {
					ids = append(ids, d["id"].(string))
					if d["uploadedDate"] != "2017-08-09T14:43:26.0092288-07:00" || d["serialNumber"] == nil || d["oemManufacturerName"] != "Hewlett-Packard" {
						t.Fatalf("device %v lost the service's fields or values", d)
					}
				}
			} else {
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if f := strings.Fields(lines[0]); strings.Join(f, " ") != "ID SERIAL MODEL MANUFACTURER UPLOADED" {
					t.Fatalf("header %q", lines[0])
				}
				for _, l := range lines[1:] {
					f := strings.Fields(l)
					ids = append(ids, f[0])
					if f[len(f)-1] != "2017-08-09T14:43:26.0092288-07:00" || f[1] != strings.Replace(f[0], "device", "SN", 1) {
						t.Fatalf("row %q", l)
					}
				}
			}
			if len(ids) != 250 {
				t.Fatalf("%d devices, want 250", len(ids))
			}
			for i, id := range ids {
				if want := fmt.Sprintf("device-%03d", i); id != want {
					t.Fatalf("device %d is %s, want %s", i, id, want)
				}
			}
		})
	}
}

func TestDevicesCommandErrors(t *testing.T) {
	var calls atomic.Int32
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("MS-RequestId", "7b3e2e00-b330-4480-9d84-59ace713427f")
		w.Header().Set("MS-CorrelationId", "4a5002a2-0c1b-4e57-b491-dbcf19c0e7b8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"code": 600, "description": "The batch was not found.", "data": [], "source": "PartnerFD"}`)
	}))
	defer failing.Close()
	tests := []struct {
		name  string
		args  []string
		code  int
		wants []string
	}{
		{"no customer", []string{"devices", "--batch", "b"}, exitUsage, []string{"--customer is required"}},
		{"bad customer", []string{"devices", "--customer", "contoso", "--batch", "b"}, exitUsage, []string{"customer id", "GUID"}},
		{"no batch", []string{"devices", "--customer", testCustomer}, exitUsage, []string{"--batch is required"}},
		{"blank batch", []string{"devices", "--customer", testCustomer, "--batch", " "}, exitUsage, []string{"batch id"}},
		{"bad output", []string{"devices", "--customer", testCustomer, "--batch", "b", "-o", "xml"}, exitUsage, []string{"unknown output format"}},
		{"service failure", []string{"--max-retries", "0", "devices", "--customer", testCustomer, "--batch", "Test batch"}, exitFailure,
			[]string{"404", "Partner Center error 600", "The batch was not found.", "7b3e2e00-b330-4480-9d84-59ace713427f", "4a5002a2-0c1b-4e57-b491-dbcf19c0e7b8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls.Load()
			code, out, errOut := runCLI(t, tokenEnv, append([]string{"--base-url", failing.URL}, tt.args...)...)
			if code != tt.code || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d", code, out, errOut, tt.code)
			}
			first := strings.SplitN(errOut, "\n", 2)[0]
			for _, w := range tt.wants {
				if !strings.Contains(first, w) {
					t.Errorf("first stderr line %q lacks %q", first, w)
				}
			}
			if strings.Contains(errOut, "s3cr3t") {
				t.Errorf("stderr may show the token: %q", errOut)
			}
			if tt.code == exitUsage && calls.Load() != before {
				t.Errorf("a request was made on invalid input")
			}
			if tt.code == exitFailure && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("service failure not on one line: %q", errOut)
			}
		})
	}
}
