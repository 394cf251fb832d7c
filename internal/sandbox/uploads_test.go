package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	profile1 = "019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e"
	profile2 = "7f3e2b9c-5d14-4a8e-b6f0-2c9d8e1a4b73"
	doc1     = "7c141ea9-2816-4e15-a819-53f6856499ff" // a device of Test batch, serial 2R9-ZNP67
)

var (
	batchesPath  = "/v1/customers/" + docCustomer + "/deviceBatches"
	locationRE   = regexp.MustCompile(`^/customers/` + docCustomer + `/batchJobStatus/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$`)
	uploadedRE   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}[+-]\d\d:\d\d$`)
	zonelessRE   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$`)
	appOnlyToken = jwt(map[string]any{"aud": "https://api.partnercenter.microsoft.com", "idtyp": "app", "roles": []string{"x"}})
	noScpToken   = jwt(map[string]any{"aud": "https://api.partnercenter.microsoft.com", "appid": "a"})
	userToken    = jwt(map[string]any{"aud": "https://api.partnercenter.microsoft.com", "scp": "user_impersonation", "upn": "admin@contoso.example"})
)

// jwt makes an unsigned token with these claims: the sandbox never
// verifies signatures, it only reads the claims.
func jwt(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]any{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// clock is an injectable Options.Now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

// trackingID checks a 202 upload answer and returns its tracking id.
func trackingID(t *testing.T, r reply) string {
	t.Helper()
	if r.status != 202 || len(r.raw) != 0 {
		t.Fatalf("status %d body %q, want 202 and no body", r.status, r.raw)
	}
	m := locationRE.FindStringSubmatch(r.header.Get("Location"))
	if m == nil {
		t.Fatalf("Location %q is not a relative batchJobStatus path without /v1", r.header.Get("Location"))
	}
	return m[1]
}

func status(t *testing.T, s *Server, tracking string) map[string]any {
	t.Helper()
	r := call(t, s, "GET", "/v1/customers/"+docCustomer+"/batchJobStatus/"+tracking, nil)
	if r.status != 200 {
		t.Fatalf("status of %s: %d %s", tracking, r.status, r.raw)
	}
	return r.body
}

func batchByID(t *testing.T, s *Server, id string) map[string]any {
	t.Helper()
	r := call(t, s, "GET", batchesPath, nil)
	for _, it := range r.body["items"].([]any) {
		if b := it.(map[string]any); b["id"] == id {
			return b
		}
	}
	return nil
}

func TestCreateDeviceBatchIsProcessedOverTime(t *testing.T) {
	clk := newClock()
	s := newServer(t, Options{Now: clk.now, ProcessingDelay: 4 * time.Second, Seed: 1})
	body := `{"batchId": "Spring wave", "devices": [
		{"hardwareHash": "T0FCSEZPVVIAAAIAAwAB", "serialNumber": "NEW-001", "modelName": "Surface Laptop 6", "oemManufacturerName": "Microsoft Corporation"},
		{"hardwareHash": "T0FCSEZPVVIAAAIAAwAC", "serialNumber": "OTHER-778"},
		{"hardwareHash": "T0FCSEZPVVIAAAIAAwAB", "serialNumber": "NEW-001-again"},
		{"productKey": "00329-00000-0003-AA6069", "serialNumber": "2R9-ZNP67", "oemManufacturerName": "Dell Inc.", "modelName": "Precision WorkStation T7500"},
		{"hardwareHash": "not base64!", "serialNumber": "NEW-002"},
		{"productKey": "00329-00000-0003-ZZ0001", "policies": [{"key": "o_o_b_e", "value": "` + profile2 + `"}]},
		{"productKey": "00329-00000-0003-ZZ0002", "policies": [{"key": "o_o_b_e", "value": "no-such-profile"}]}
	]}`
	tr := trackingID(t, send(t, s, "POST", batchesPath, bearer(userToken), body))

	st := status(t, s, tr)
	if st["status"] != "queued" || st["startedTime"] != nil || st["completedTime"] != nil || st["batchTrackingId"] != tr {
		t.Errorf("at once: %v", st)
	}
	for _, d := range st["devicesStatus"].([]any) {
		if d.(map[string]any)["status"] != "in-progress" {
			t.Errorf("queued device %v", d)
		}
	}
	b := batchByID(t, s, "Spring wave")
	if b == nil || b["status"] != "queued" || b["devicesCount"] != float64(0) || b["createdBy"] != "admin@contoso.example" || !zonelessRE.MatchString(b["creationDate"].(string)) {
		t.Errorf("new batch while queued: %v", b)
	}

	clk.advance(time.Second)
	if st = status(t, s, tr); st["status"] != "processing" || st["startedTime"] != "2026-03-02T10:00:01.0000000" || st["completedTime"] != nil {
		t.Errorf("after 1s: %v", st)
	}
	if b = batchByID(t, s, "Spring wave"); b["status"] != "processing" {
		t.Errorf("batch after 1s: %v", b)
	}
	if r := call(t, s, "GET", batchesPath+"/Spring%20wave/devices", nil); r.body["totalCount"] != float64(0) {
		t.Errorf("devices before processing ended: %s", r.raw)
	}

	clk.advance(3 * time.Second)
	st = status(t, s, tr)
	if st["status"] != "finished_with_errors" || st["completedTime"] != "2026-03-02T10:00:04.0000000" {
		t.Errorf("after 4s: %v", st)
	}
	type res struct{ status, code, desc string }
	var got []res
	var ids []string
	for _, d := range st["devicesStatus"].([]any) {
		m := d.(map[string]any)
		code, _ := m["errorCode"].(string)
		desc, _ := m["errorDescription"].(string)
		got = append(got, res{m["status"].(string), code, desc})
		if id, ok := m["deviceId"].(string); ok {
			ids = append(ids, id)
		}
	}
	want := []res{
		{"success", "", ""},
		{"failed", "808", "ZtdDeviceAssignedToOtherTenant"},
		{"failed", "ZtdDeviceDuplicated", "ZtdDeviceDuplicated"},
		{"failed", "806", "ZtdDeviceAlreadyAssigned"},
		{"failed", "InvalidZtdHardwareHash", "InvalidZtdHardwareHash"},
		{"success", "", ""},
		{"failed", "PolicyNotFound", "PolicyNotFound"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outcomes\n got %v\nwant %v", got, want)
	}
	if b = batchByID(t, s, "Spring wave"); b["status"] != "finished_with_errors" || b["devicesCount"] != float64(2) {
		t.Errorf("batch when done: %v", b)
	}
	r := call(t, s, "GET", batchesPath+"/Spring%20wave/devices", nil)
	items := r.body["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("devices: %s", r.raw)
	}
	for i, it := range items {
		d := it.(map[string]any)
		if d["id"] != ids[i] || !uploadedRE.MatchString(d["uploadedDate"].(string)) || fmt.Sprint(d["allowedOperations"]) != "[GET PATCH DELETE]" {
			t.Errorf("device %d: %v", i, d)
		}
	}
	if pol := items[1].(map[string]any)["policies"].([]any)[0].(map[string]any); pol["value"] != profile2 {
		t.Errorf("uploaded profile: %v", pol)
	}
	if pol := items[0].(map[string]any)["policies"].([]any)[0].(map[string]any); pol["key"] != "o_o_b_e" || pol["value"] != nil {
		t.Errorf("default policies: %v", pol)
	}
	// The same device again is now already assigned (806), and the batch's
	// status follows its latest upload.
	tr2 := trackingID(t, send(t, s, "POST", batchesPath+"/Spring%20wave/devices", nil, `[{"hardwareHash": "T0FCSEZPVVIAAAIAAwAB", "serialNumber": "NEW-001"}]`))
	clk.advance(4 * time.Second)
	if ds := status(t, s, tr2)["devicesStatus"].([]any)[0].(map[string]any); ds["errorCode"] != "806" {
		t.Errorf("re-upload: %v", ds)
	}
}

func TestUploadsWithoutDelayFinishAtOnce(t *testing.T) {
	s := newServer(t, Options{})
	tr := trackingID(t, send(t, s, "POST", batchesPath, nil, `{"batchId": "Quick", "devices": [{"productKey": "00329-1"}, {"serialNumber": "S-1", "oemManufacturerName": "HP Inc.", "modelName": "EliteBook 840 G10"}]}`))
	st := status(t, s, tr)
	if st["status"] != "finished" || st["startedTime"] == nil || st["completedTime"] == nil {
		t.Errorf("status %v", st)
	}
	if b := batchByID(t, s, "Quick"); b["status"] != "finished" || b["devicesCount"] != float64(2) {
		t.Errorf("batch %v", b)
	}
	// Batch names may hold '/', escaped as one segment.
	trackingID(t, send(t, s, "POST", batchesPath, nil, `{"batchId": "EMEA/Paris", "devices": [{"productKey": "00329-2"}]}`))
	if r := call(t, s, "GET", batchesPath+"/EMEA%2FParis/devices", nil); r.status != 200 || r.body["totalCount"] != float64(1) {
		t.Errorf("devices of EMEA/Paris: %d %s", r.status, r.raw)
	}
	// Another customer cannot read this customer's upload.
	if r := call(t, s, "GET", "/v1/customers/0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35/batchJobStatus/"+tr, nil); r.status != 404 {
		t.Errorf("foreign tracking id: %d", r.status)
	}
}

func TestUploadRefusals(t *testing.T) {
	good := `{"productKey": "00329-9"}`
	tests := []struct {
		name, method, path string
		hdr                map[string]string
		body               string
		status             int
		code               float64
		desc               string
	}{
		{"app-only create (idtyp app)", "POST", batchesPath, bearer(appOnlyToken), `{"batchId":"x","devices":[` + good + `]}`, 403, 3000, "App+User"},
		{"app-only create (no scp)", "POST", batchesPath, bearer(noScpToken), `{"batchId":"x","devices":[` + good + `]}`, 403, 3000, "App+User"},
		{"App+User JWT create", "POST", batchesPath, bearer(userToken), `{"batchId":"x","devices":[` + good + `]}`, 202, 0, ""},
		{"plain token create", "POST", batchesPath, bearer("sandbox-token"), `{"batchId":"x","devices":[` + good + `]}`, 202, 0, ""},
		{"app-only add", "POST", batchesPath + "/Test%20batch/devices", bearer(appOnlyToken), `[` + good + `]`, 202, 0, ""},
		{"no token", "POST", batchesPath, map[string]string{"Authorization": ""}, `{"batchId":"x","devices":[` + good + `]}`, 401, 401, "Authentication"},
		{"policies [] create", "POST", batchesPath, nil, `{"batchId":"x","devices":[{"productKey":"1","policies":[]}]}`, 500, 500, "Sequence contains no matching element"},
		{"policies [] add", "POST", batchesPath + "/Test%20batch/devices", nil, `[{"productKey":"1","Policies":[]}]`, 500, 500, "Sequence contains no matching element"},
		{"malformed JSON", "POST", batchesPath, nil, `{"batchId":"x","devices":[`, 400, 400, "request body"},
		{"no body", "POST", batchesPath, nil, ``, 400, 400, "request body"},
		{"no devices", "POST", batchesPath, nil, `{"batchId":"x","devices":[]}`, 400, 400, "devices"},
		{"empty name", "POST", batchesPath, nil, `{"batchId":"","devices":[` + good + `]}`, 400, 400, "batchId"},
		{"empty serial", "POST", batchesPath, nil, `{"batchId":"x","devices":[{"productKey":"1","serialNumber":""}]}`, 400, 400, "serialNumber"},
		{"serial alone", "POST", batchesPath, nil, `{"batchId":"x","devices":[{"serialNumber":"S"}]}`, 400, 400, "accepted identity"},
		{"tuple without model", "POST", batchesPath + "/Test%20batch/devices", nil, `[{"serialNumber":"S","oemManufacturerName":"Dell Inc."}]`, 400, 400, "Device 1"},
		{"add not an array", "POST", batchesPath + "/Test%20batch/devices", nil, good, 400, 400, "request body"},
		{"existing name", "POST", batchesPath, nil, `{"batchId":"test BATCH","devices":[` + good + `]}`, 409, 409, "Test batch"},
		{"unknown customer", "POST", "/v1/customers/00000000-0000-0000-0000-000000000001/deviceBatches", nil, `{"batchId":"x","devices":[` + good + `]}`, 404, 600, "customer"},
		{"add to unknown batch", "POST", batchesPath + "/nope/devices", nil, `[` + good + `]`, 404, 404, "nope"},
		{"status unknown tracking id", "GET", "/v1/customers/" + docCustomer + "/batchJobStatus/54be3a8f-47e2-4b51-a0b5-6a0f22e8a6c0", nil, ``, 404, 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, Options{})
			r := send(t, s, tt.method, tt.path, tt.hdr, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.status == 202 {
				trackingID(t, r)
				return
			}
			if r.body["code"] != tt.code || r.body["source"] != "PartnerFD" || !strings.Contains(r.body["description"].(string), tt.desc) {
				t.Errorf("body %s, want code %v and %q", r.raw, tt.code, tt.desc)
			}
		})
	}
}

func TestDeleteDevice(t *testing.T) {
	s := newServer(t, Options{})
	devices := batchesPath + "/Test%20batch/devices"
	r := call(t, s, "DELETE", devices+"/"+strings.ToUpper(doc1), nil)
	if r.status != 204 || len(r.raw) != 0 {
		t.Fatalf("delete: %d %q", r.status, r.raw)
	}
	if r := call(t, s, "GET", devices, nil); r.body["totalCount"] != float64(4) || strings.Contains(string(r.raw), doc1) {
		t.Errorf("after delete: %s", r.raw)
	}
	if b := batchByID(t, s, "Test batch"); b["devicesCount"] != float64(4) {
		t.Errorf("devicesCount after delete: %v", b["devicesCount"])
	}
	for _, tt := range []struct {
		path   string
		status int
		code   float64
	}{
		{devices + "/" + doc1, 404, 404},
		{batchesPath + "/nope/devices/" + doc1, 404, 404},
		{"/v1/customers/00000000-0000-0000-0000-000000000001/deviceBatches/Test%20batch/devices/" + doc1, 404, 600},
		{"/v1/customers/not-a-guid/deviceBatches/Test%20batch/devices/" + doc1, 400, 400},
	} {
		if r := call(t, s, "DELETE", tt.path, nil); r.status != tt.status || r.body["code"] != tt.code {
			t.Errorf("DELETE %s: %d %s, want %d", tt.path, r.status, r.raw, tt.status)
		}
	}
	// A new server starts from the data again: deletes never reach the
	// caller's Data.
	d := DefaultData()
	s1 := newServer(t, Options{Data: d})
	call(t, s1, "DELETE", devices+"/"+doc1, nil)
	if got := len(d.customer(docCustomer).batch("Test batch").devices); got != 5 {
		t.Errorf("the caller's Data lost a device: %d left", got)
	}
}

func TestProfilesAndAssignment(t *testing.T) {
	s := newServer(t, Options{})
	policies := "/v1/customers/" + docCustomer + "/policies"
	assigned := func() map[string]float64 {
		r := call(t, s, "GET", policies, nil)
		out := map[string]float64{}
		for _, it := range r.body["items"].([]any) {
			p := it.(map[string]any)
			if p["category"] != "o_o_b_e" {
				t.Errorf("category %v", p["category"])
			}
			out[p["id"].(string)] = p["devicesAssigned"].(float64)
		}
		return out
	}
	if got := assigned(); len(got) != 2 || got[profile1] != 1 || got[profile2] != 0 {
		t.Errorf("profiles %v", got)
	}
	body := `{"devices": [
		{"id": "` + doc1 + `", "policies": [{"key": "o_o_b_e", "value": "` + profile2 + `"}]},
		{"id": "00000000-0000-0000-0000-00000000dead", "policies": [{"key": "o_o_b_e", "value": "` + profile2 + `"}]},
		{"id": "e528a62f-5031-49f4-bea7-5fafe47388fd", "policies": [{"key": "o_o_b_e", "value": "no-such-profile"}]}
	]}`
	// Policy updates are final at once, whatever the processing delay.
	clk := newClock()
	s = newServer(t, Options{Now: clk.now, ProcessingDelay: time.Hour})
	upload := trackingID(t, send(t, s, "POST", batchesPath, nil, `{"batchId":"Slow","devices":[{"productKey":"00329-7"}]}`))
	tr := trackingID(t, send(t, s, "PATCH", "/v1/customers/"+docCustomer+"/DevicePolicyUpdates", bearer(appOnlyToken), body))
	st := status(t, s, tr)
	if st["status"] != "finished_with_errors" || st["completedTime"] == nil {
		t.Errorf("status %v", st)
	}
	if st := status(t, s, upload); st["status"] != "queued" {
		t.Errorf("the upload before it: %v", st["status"])
	}
	var codes []any
	for _, d := range st["devicesStatus"].([]any) {
		codes = append(codes, d.(map[string]any)["errorCode"])
	}
	if fmt.Sprint(codes) != "[<nil> DeviceNotFound PolicyNotFound]" {
		t.Errorf("device outcomes %v", codes)
	}
	if got := assigned(); got[profile2] != 1 || got[profile1] != 1 {
		t.Errorf("after assignment %v", got)
	}
	r := call(t, s, "GET", batchesPath+"/Test%20batch/devices", nil)
	if !strings.Contains(string(r.raw), `"policies":[{"key":"o_o_b_e","value":"`+profile2+`"}]`) {
		t.Errorf("device policies not updated: %s", r.raw)
	}
	for _, tt := range []struct {
		name, path, body string
		status           int
	}{
		{"other key", "/v1/customers/" + docCustomer + "/DevicePolicyUpdates", `{"devices":[{"id":"` + doc1 + `","policies":[{"key":"wifi","value":"x"}]}]}`, 400},
		{"policies []", "/v1/customers/" + docCustomer + "/DevicePolicyUpdates", `{"devices":[{"id":"` + doc1 + `","policies":[]}]}`, 400},
		{"no devices", "/v1/customers/" + docCustomer + "/DevicePolicyUpdates", `{"devices":[]}`, 400},
		{"unknown customer", "/v1/customers/00000000-0000-0000-0000-000000000001/DevicePolicyUpdates", body, 404},
	} {
		if r := send(t, s, "PATCH", tt.path, nil, tt.body); r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.raw, tt.status)
		}
	}
	if r := call(t, s, "GET", "/v1/customers/8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468/policies", nil); r.status != 200 || r.body["totalCount"] != float64(0) {
		t.Errorf("customer without profiles: %d %s", r.status, r.raw)
	}
	if r := call(t, s, "GET", "/v1/customers/00000000-0000-0000-0000-000000000001/policies", nil); r.status != 404 || r.body["code"] != float64(600) {
		t.Errorf("unknown customer's profiles: %d %s", r.status, r.raw)
	}
}

func TestCallerOf(t *testing.T) {
	for _, tt := range []struct {
		tok     string
		appOnly bool
	}{
		{appOnlyToken, true},
		{noScpToken, true},
		{userToken, false},
		{"sandbox-token", false},
		{"a.b.c", false},
		{"a.!!!.c", false},
		{jwt(map[string]any{"idtyp": "app", "scp": "x"}), true},
		{jwt(map[string]any{"idtyp": "user", "scp": " "}), true},
	} {
		req := httptestRequest("Bearer " + tt.tok)
		if got := callerOf(req).appOnly; got != tt.appOnly {
			t.Errorf("%q: appOnly %v, want %v", tt.tok, got, tt.appOnly)
		}
	}
}

func httptestRequest(auth string) *http.Request {
	req := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
	req.Header.Set("Authorization", auth)
	return req
}

// TestConcurrentUploadsAndReads runs uploads, deletes and listings at once;
// with -race it proves answers never share maps with later changes.
func TestConcurrentUploadsAndReads(t *testing.T) {
	s := newServer(t, Options{ProcessingDelay: time.Millisecond})
	srv := httptest.NewServer(s)
	defer srv.Close()
	do := func(method, path, body string) int {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer x")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	done := make(chan int)
	for i := range 8 {
		go func() {
			n := 0
			for k := range 10 {
				if do("POST", batchesPath+"/Test%20batch/devices", fmt.Sprintf(`[{"productKey":"P-%d-%d"}]`, i, k)) == 202 {
					n++
				}
				do("GET", batchesPath, "")
				do("GET", batchesPath+"/Test%20batch/devices", "")
				do("GET", "/v1/customers/"+docCustomer+"/policies", "")
			}
			done <- n
		}()
	}
	total := 0
	for range 8 {
		total += <-done
	}
	time.Sleep(5 * time.Millisecond)
	r := call(t, s, "GET", batchesPath+"/Test%20batch/devices", nil)
	if total != 80 || r.body["totalCount"] != float64(85) {
		t.Errorf("%d uploads accepted, %v devices", total, r.body["totalCount"])
	}
}
