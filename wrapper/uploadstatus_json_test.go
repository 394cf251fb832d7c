package wrapper

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestUploadStatusReadsBackWithEncodingJSON: the exported status model is
// read by encoding/json as the client reads it, a numeric errorCode
// included, and written back with the number still a number.
func TestUploadStatusReadsBackWithEncodingJSON(t *testing.T) {
	t.Parallel()
	const body = `{"batchTrackingId":"t1","status":"finished_with_errors","devicesStatus":[` +
		`{"serialNumber":"S1","status":"failed","errorCode":806,"errorDescription":"ZtdDeviceAlreadyAssigned"},` +
		`{"serialNumber":"S2","status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"},` +
		`{"deviceId":"d3","serialNumber":"S3","status":"success","errorCode":null},` +
		`{"deviceId":"d4","serialNumber":"S4","status":"success"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, body) }))
	defer srv.Close()
	c, tr := newTestClient(t, srv, nil)
	raw, fromClient, err := c.GetBatchUploadStatusJSON(context.Background(), testCustomer, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if errs := tr.Errors(); len(errs) != 0 {
		t.Errorf("contract: %v", errs)
	}
	var d BatchUploadDetails
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("encoding/json cannot read the status back: %v", err)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	clientOut, _ := json.Marshal(fromClient)
	if string(out) != string(clientOut) {
		t.Errorf("encoding/json read\n%s\nthe client read\n%s", out, clientOut)
	}
	var back struct {
		DevicesStatus []map[string]json.RawMessage `json:"devicesStatus"`
	}
	if err := json.Unmarshal(out, &back); err != nil || len(back.DevicesStatus) != 4 {
		t.Fatalf("%s: %v", out, err)
	}
	for i, want := range []string{`806`, `"808"`, `null`, ``} {
		if got := string(back.DevicesStatus[i]["errorCode"]); got != want {
			t.Errorf("device %d: errorCode written back as %q, want %q", i, got, want)
		}
	}
	devs, _ := d.DevicesStatus.Get()
	if code, err := devs[0].ErrorCode.Get(); err != nil || code != "806" {
		t.Errorf("errorCode 806 reads as %q (%v)", code, err)
	}
}
