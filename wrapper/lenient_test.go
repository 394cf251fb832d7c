package wrapper

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestUploadStatusOddFields: one odd field of an upload status (a numeric
// errorCode, as the error body's code arrives; an empty date) does not fail
// the whole status, and the client accepts exactly what the document does:
// every body is also checked against it. -o json stays what was sent.
func TestUploadStatusOddFields(t *testing.T) {
	t.Parallel()
	status := func(times, device string) string {
		return `{"batchTrackingId":"t1","status":"finished_with_errors"` + times + `,"devicesStatus":[` + device + `]}`
	}
	failed := func(code string) string {
		return `{"serialNumber":"S1","status":"failed","errorCode":` + code + `,"errorDescription":"ZtdDeviceAlreadyAssigned"}`
	}
	tests := []struct {
		name string
		body string
		ok   bool
		code string // the device's errorCode as read; "null" for JSON null
		zero string // "started" or "completed": that time is present and zero
	}{
		{"errorCode a string", status("", failed(`"806"`)), true, "806", ""},
		{"errorCode a number", status("", failed(`806`)), true, "806", ""},
		{"errorCode 808 a number", status("", failed(`808`)), true, "808", ""},
		{"errorCode an integer with exponent", status("", failed(`8.08e2`)), true, "808", ""},
		{"errorCode negative", status("", failed(`-1`)), true, "-1", ""},
		{"errorCode null", status("", failed(`null`)), true, "null", ""},
		{"errorCode a fraction", status("", failed(`806.5`)), false, "", ""},
		{"errorCode a bool", status("", failed(`true`)), false, "", ""},
		{"errorCode an object", status("", failed(`{"n":806}`)), false, "", ""},
		{"startedTime empty", status(`,"startedTime":"","completedTime":null`, failed(`"806"`)), true, "806", "started"},
		{"completedTime empty", status(`,"startedTime":"2026-01-01T00:00:00","completedTime":""`, failed(`"806"`)), true, "806", "completed"},
		{"startedTime garbage", status(`,"startedTime":"yesterday"`, failed(`"806"`)), false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, tt.body) }))
			defer srv.Close()
			c, tr := newTestClient(t, srv, nil)
			raw, d, err := c.GetBatchUploadStatusJSON(context.Background(), testCustomer, "t1")
			if contractOK := len(tr.Errors()) == 0; contractOK != tt.ok {
				t.Errorf("the document accepts it: %v (%v); the client must agree", contractOK, tr.Errors())
			}
			if !tt.ok {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("err = %T %v, want a *DecodeError", err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != tt.body {
				t.Errorf("JSON %s, want what was sent, %s", raw, tt.body)
			}
			devs := UploadDevices(d)
			if len(devs) != 1 {
				t.Fatalf("devices %+v", devs)
			}
			if tt.code == "null" {
				if !devs[0].ErrorCode.IsNull() {
					t.Errorf("errorCode %+v, want null", devs[0].ErrorCode)
				}
			} else if code, err := devs[0].ErrorCode.Get(); err != nil || code != tt.code {
				t.Errorf("errorCode %q (%v), want %q", code, err, tt.code)
			}
			if tt.code == "806" && !DeviceRegistered(devs[0]) {
				t.Error("806 does not count as registered")
			}
			for which, v := range map[string]DateTime{"started": mustGet(t, d.StartedTime.Get), "completed": mustGet(t, d.CompletedTime.Get)} {
				if which == tt.zero && (!v.IsZero() || v.Raw != "" || v.String() != "") {
					t.Errorf("%s time %+v, want the zero DateTime", which, v)
				}
			}
		})
	}
}

// mustGet is a nullable's value, the zero value when absent or null.
func mustGet[T any](t *testing.T, get func() (T, error)) T {
	t.Helper()
	v, _ := get()
	return v
}

// TestListDeviceBatchesEmptyCreationDate: a batch whose creationDate is ""
// (the service saying "no date") reads as a zero date; the other batches are
// still listed, and -o json prints "" as sent.
func TestListDeviceBatchesEmptyCreationDate(t *testing.T) {
	t.Parallel()
	body := `{"totalCount":3,"items":[` +
		`{"id":"a","creationDate":"2017-07-25T01:51:00","devicesCount":1},` +
		`{"id":"b","creationDate":"","devicesCount":2},` +
		`{"id":"c","creationDate":"2017-07-26T01:51:00","devicesCount":3}],"attributes":{"objectType":"Collection"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, body) }))
	defer srv.Close()
	c, tr := newTestClient(t, srv, nil)
	got, err := c.ListDeviceBatches(context.Background(), testCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Id != "b" || !got[1].CreationDate.IsZero() || got[0].CreationDate.Raw != "2017-07-25T01:51:00" {
		t.Fatalf("batches %+v", got)
	}
	var raws []string
	for raw, err := range c.ListDeviceBatchesJSON(context.Background(), testCustomer) {
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, string(raw))
	}
	if len(raws) != 3 || raws[1] != `{"id":"b","creationDate":"","devicesCount":2}` {
		t.Errorf("JSON %q", raws)
	}
	if errs := tr.Errors(); len(errs) > 0 {
		t.Errorf("the document refuses what the client accepts: %v", errs)
	}
}

// TestUploadStatusLimits: an upload status is bounded by the client's
// Limits like any other answer: MaxStringBytes raised or lowered applies,
// and the status body's own bound is MaxUploadStatusBytes.
func TestUploadStatusLimits(t *testing.T) {
	t.Parallel()
	withString := func(n int) string {
		return `{"batchTrackingId":"t1","status":"finished","devicesStatus":[{"serialNumber":"S1","status":"failed","errorDescription":"` + strings.Repeat("x", n) + `"}]}`
	}
	pad := `{"batchTrackingId":"t1","status":"finished"` + strings.Repeat(" ", 200<<10) + `}`
	tests := []struct {
		name   string
		lim    Limits
		body   string
		option string // named in the error; "" for success
	}{
		{"a 1.5 MiB string with MaxStringBytes 4 MiB", Limits{MaxStringBytes: 4 << 20}, withString(3 << 19), ""},
		{"a 1.5 MiB string with the default", Limits{}, withString(3 << 19), "MaxStringBytes"},
		{"a 2 KiB string with MaxStringBytes 1 KiB", Limits{MaxStringBytes: 1 << 10}, withString(2 << 10), "MaxStringBytes"},
		{"a 200 KiB status with MaxUploadStatusBytes 64 KiB", Limits{MaxUploadStatusBytes: 64 << 10}, pad, "MaxUploadStatusBytes"},
		{"a 200 KiB status with the default", Limits{}, pad, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, tt.body) }))
			defer srv.Close()
			c := limitsClient(t, srv, tt.lim, nil)
			d, err := c.GetBatchUploadStatus(context.Background(), testCustomer, "t1")
			if tt.option == "" {
				if err != nil || d.Status != UploadFinished {
					t.Fatalf("status %q, err %v", d.Status, err)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) || !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "ClientOptions.Limits."+tt.option) {
				t.Fatalf("err = %T %v, want a *DecodeError wrapping ErrLimit naming %s", err, err, tt.option)
			}
			if tt.option == "MaxUploadStatusBytes" && !errors.Is(err, ErrBodyTooLarge) {
				t.Errorf("err = %v, want it to wrap ErrBodyTooLarge", err)
			}
		})
	}
}
