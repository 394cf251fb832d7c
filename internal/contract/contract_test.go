package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/partnercenter-go/devicebatches/internal/fixtures"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

const customer = "47021739-3426-40bf-9601-61b4b6d7c793"

var (
	batchesPath = "/v1/customers/" + customer + "/deviceBatches"
	devicesPath = "/v1/customers/" + customer + "/deviceBatches/Test%20batch/devices"
)

func validator(t *testing.T) *contract.Validator {
	t.Helper()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// requestInput validates a well-formed request for the operation at path
// and returns the input ValidateResponse needs.
func requestInput(t *testing.T, v *contract.Validator, path string) *openapi3filter.RequestValidationInput {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "https://api.partnercenter.microsoft.com"+path, nil)
	req.Header.Set("Authorization", "Bearer token")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MS-RequestId", "e88d014d-ab70-41de-90a0-f7fd1797267d")
	req.Header.Set("MS-CorrelationId", "de894e18-f027-4ac0-8b5a-34f0c222af0c")
	req.Header.Set("X-Locale", "en-US")
	in, err := v.Request(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// readFixture returns a documented example from package fixtures, a copy
// the test may change.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	switch name {
	case "devicebatches.json":
		return bytes.Clone(fixtures.DeviceBatches)
	case "devices.json":
		return bytes.Clone(fixtures.Devices)
	}
	t.Fatalf("no fixture %s", name)
	return nil
}

// batchesWithDate is the documented example with another creationDate.
func batchesWithDate(t *testing.T, date string) []byte {
	t.Helper()
	b := readFixture(t, "devicebatches.json")
	out := bytes.Replace(b, []byte(`"2017-07-25T01:51:00"`), []byte(strconv.Quote(date)), 1)
	if bytes.Equal(out, b) && date != "2017-07-25T01:51:00" {
		t.Fatal("the fixture no longer has the documented creationDate")
	}
	return out
}

// bigBatchCollection is one page of 10,000 batches, far beyond what the
// service documents, to check the schema has no hidden size limit.
func bigBatchCollection(t *testing.T) []byte {
	t.Helper()
	items := make([]map[string]any, 10000)
	for i := range items {
		id := fmt.Sprintf("batch %05d", i)
		items[i] = map[string]any{
			"id": id, "status": "finished", "creationDate": "2017-07-25T01:51:00", "devicesCount": i % 500,
			"devicesLink": map[string]any{"uri": "/customers/" + customer + "/deviceBatches/" + id + "/devices", "method": "GET", "headers": []any{}},
			"attributes":  map[string]any{"objectType": "DeviceBatch"},
		}
	}
	b, err := json.Marshal(map[string]any{"totalCount": len(items), "items": items, "attributes": map[string]any{"objectType": "Collection"}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResponsesAgainstDocument(t *testing.T) {
	v := validator(t)
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	errorBody := func(code string) []byte {
		return []byte(`{"code": ` + code + `, "description": "The customer was not found.", "data": [], "source": "PartnerFD"}`)
	}
	type fixture struct {
		name   string
		path   string
		status int
		body   []byte
		ok     bool
	}
	tests := []fixture{
		{"batches documented example", batchesPath, 200, readFixture(t, "devicebatches.json"), true},
		{"devices documented example", devicesPath, 200, readFixture(t, "devices.json"), true},
		{"10,000 batches", batchesPath, 200, bigBatchCollection(t), true},
		{"zone-less creationDate", batchesPath, 200, batchesWithDate(t, "2017-07-25T01:51:00"), true},
		{"RFC 3339 creationDate", batchesPath, 200, batchesWithDate(t, "2017-07-25T01:51:00.123Z"), true},
		{"RFC 3339 offset creationDate", batchesPath, 200, batchesWithDate(t, "2017-08-09T14:43:26.0092288-07:00"), true},
		{"empty creationDate (no date)", batchesPath, 200, batchesWithDate(t, ""), true},
		{"creationDate yesterday", batchesPath, 200, batchesWithDate(t, "yesterday"), false},
		{"creationDate a space", batchesPath, 200, batchesWithDate(t, " "), false},
		{"creationDate month 13 day 45", batchesPath, 200, batchesWithDate(t, "2017-13-45T00:00:00"), false},
		{"uploadedDate yesterday", devicesPath, 200, bytes.Replace(readFixture(t, "devices.json"), []byte("2017-08-09T14:35:51.3126144-07:00"), []byte("yesterday"), 1), false},
		{"collection without items", devicesPath, 200, []byte(`{"totalCount": 0}`), false},
		{"throttling body", batchesPath, 429, []byte(`{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}`), true},
		{"throttling body on devices", devicesPath, 429, []byte(`{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}`), true},
		{"status not in the document", devicesPath, 418, errorBody("1"), false},
	}
	for _, status := range []int{400, 401, 403, 404, 429, 500, 503} {
		for _, path := range []string{batchesPath, devicesPath} {
			op := "batches"
			if path == devicesPath {
				op = "devices"
			}
			tests = append(tests,
				fixture{fmt.Sprintf("%s %d numeric code", op, status), path, status, errorBody(strconv.Itoa(status * 7)), true},
				fixture{fmt.Sprintf("%s %d string code", op, status), path, status, errorBody(`"` + strconv.Itoa(status*7) + `"`), true},
			)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := requestInput(t, v, tt.path)
			err := v.Response(context.Background(), in, tt.status, jsonHeader, tt.body)
			if tt.ok && err != nil {
				t.Errorf("valid response refused: %v", err)
			}
			if !tt.ok && err == nil {
				t.Errorf("invalid response accepted")
			}
		})
	}
}

// pagedDevices answers like the service: 100 devices per page, a relative
// links.next without /v1 carrying MS-ContinuationToken, continuationToken.
func pagedDevices(n int, calls *int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if strings.HasSuffix(r.URL.Path, "/deviceBatches") {
			_, _ = w.Write(fixtures.DeviceBatches)
			return
		}
		start, _ := strconv.Atoi(r.Header.Get("MS-ContinuationToken"))
		end := min(start+100, n)
		items := []map[string]any{}
		for i := start; i < end; i++ {
			items = append(items, map[string]any{"id": fmt.Sprintf("device-%03d", i), "uploadedDate": "2017-08-09T14:43:26.0092288-07:00"})
		}
		body := map[string]any{"totalCount": len(items), "items": items}
		if end < n {
			tok := strconv.Itoa(end)
			body["continuationToken"] = tok
			body["links"] = map[string]any{"next": map[string]any{
				"uri": "/customers/" + customer + "/deviceBatches/Test batch/devices", "method": "GET",
				"headers": []map[string]any{{"key": "MS-ContinuationToken", "value": tok}},
			}}
		}
		_ = json.NewEncoder(w).Encode(body)
	})
}

// TestWrapperRequestsAgainstDocument validates every request the wrapper
// sends (first pages and followed links) and every answer it reads.
func TestWrapperRequestsAgainstDocument(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(pagedDevices(250, &calls))
	defer srv.Close()
	tr := &contract.Transport{Next: srv.Client().Transport, Validator: validator(t)}
	o := &wrapper.ClientOptions{BaseURL: srv.URL}
	o.Transport = &http.Client{Transport: tr}
	o.Retry.MaxRetries = -1
	c, err := wrapper.NewClient(wrapper.StaticToken("token"), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	batches, err := c.ListDeviceBatches(ctx, customer)
	if err != nil || len(batches) != 1 {
		t.Fatalf("ListDeviceBatches: %d batches, %v", len(batches), err)
	}
	devices, err := c.ListDevices(ctx, customer, "Test batch")
	if err != nil || len(devices) != 250 {
		t.Fatalf("ListDevices: %d devices, %v", len(devices), err)
	}
	devices, err = c.FollowDevicesLink(ctx, batches[0])
	if err != nil || len(devices) != 250 {
		t.Fatalf("FollowDevicesLink: %d devices, %v", len(devices), err)
	}
	if calls != 7 {
		t.Errorf("%d requests, want 1 + 3 + 3", calls)
	}
	for _, err := range tr.Errors() {
		t.Error(err)
	}
}

// TestTransportCatchesBadRequests shows the contract check can fail: a
// request without a token or with a non-GUID customer is refused.
func TestTransportCatchesBadRequests(t *testing.T) {
	v := validator(t)
	tests := []struct{ name, path, auth string }{
		{"no token", devicesPath, ""},
		{"customer not a GUID", "/v1/customers/contoso/deviceBatches/Test%20batch/devices", "Bearer token"},
		{"unknown operation", "/v1/customers/" + customer + "/devices", "Bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://api.partnercenter.microsoft.com"+tt.path, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if _, err := v.Request(context.Background(), req); err == nil {
				t.Error("request accepted")
			}
		})
	}
}

// TestReservedBatchIDsAgainstDocument: batch ids with reserved characters
// reach the service as one path segment the document's route matches.
func TestReservedBatchIDsAgainstDocument(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"totalCount": 0, "items": []}`))
	}))
	defer srv.Close()
	tr := &contract.Transport{Next: srv.Client().Transport, Validator: validator(t)}
	o := &wrapper.ClientOptions{BaseURL: srv.URL}
	o.Transport = &http.Client{Transport: tr}
	c, err := wrapper.NewClient(wrapper.StaticToken("token"), o)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{"Test batch": "Test%20batch", "a/b": "a%2Fb", "what?x=1": "what%3Fx=1", "tag#1": "tag%231", "100%": "100%25"}
	for id, seg := range ids {
		paths = nil
		if _, err := c.ListDevices(context.Background(), customer, id); err != nil {
			t.Fatalf("%q: %v", id, err)
		}
		if want := "/v1/customers/" + customer + "/deviceBatches/" + seg + "/devices"; len(paths) != 1 || paths[0] != want {
			t.Errorf("%q sent as %q, want %q", id, paths, want)
		}
	}
	for _, err := range tr.Errors() {
		t.Error(err)
	}
}
