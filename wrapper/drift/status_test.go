package drift

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestStatusesTheServiceSends: an error status Partner Center is seen to
// send, with its error body, is no deviation on any operation; a status it
// never sends (418, 302) still is.
func TestStatusesTheServiceSends(t *testing.T) {
	var got []Deviation
	p, err := NewPolicy(func(d Deviation) { got = append(got, d) })
	if err != nil {
		t.Fatal(err)
	}
	const cid = "47021739-3426-40bf-9601-61b4b6d7c793"
	for _, op := range []struct{ method, path string }{
		{http.MethodGet, "/v1/customers"},
		{http.MethodGet, "/v1/customers/" + cid + "/deviceBatches"},
		{http.MethodPost, "/v1/customers/" + cid + "/deviceBatches"},
		{http.MethodGet, "/v1/customers/" + cid + "/deviceBatches/b/devices"},
		{http.MethodPost, "/v1/customers/" + cid + "/deviceBatches/b/devices"},
		{http.MethodDelete, "/v1/customers/" + cid + "/deviceBatches/b/devices/d"},
		{http.MethodGet, "/v1/customers/" + cid + "/batchJobStatus/t"},
		{http.MethodGet, "/v1/customers/" + cid + "/policies"},
		{http.MethodPatch, "/v1/customers/" + cid + "/DevicePolicyUpdates"},
	} {
		req := httptest.NewRequest(op.method, "http://127.0.0.1"+op.path, nil)
		route, params, err := p.router.FindRoute(req)
		if err != nil {
			t.Fatal(err)
		}
		run := func(status int, body string) []Deviation {
			got = nil
			c := &check{p: p, route: route, params: params, req: req, status: status, header: http.Header{"Content-Type": {"application/json"}}}
			c.run([]byte(body))
			return got
		}
		for _, status := range []int{400, 401, 403, 404, 405, 406, 409, 412, 429, 500, 501, 502, 503, 504} {
			if d := run(status, `{"code":`+strconv.Itoa(status)+`,"description":"d","data":[],"source":"PartnerFD"}`); len(d) != 0 {
				t.Errorf("%s %s HTTP %d: %v", op.method, op.path, status, d)
			}
		}
		for _, status := range []int{418, 302} {
			if d := run(status, `{"code":1,"description":"d"}`); len(d) != 1 || d[0].Kind != KindStatus {
				t.Errorf("%s %s HTTP %d: %v, want one status deviation", op.method, op.path, status, d)
			}
		}
	}
}

// TestAcceptedUploadAnswers: what wrapper/upload.go's accepted() reads (a
// 200 or 202 with the status link in Location or in the body, a 201 with
// Location) is no deviation; an answer naming no status link is one.
func TestAcceptedUploadAnswers(t *testing.T) {
	var got []Deviation
	p, err := NewPolicy(func(d Deviation) { got = append(got, d) })
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/b/devices", nil)
	route, params, err := p.router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	const loc = "/customers/47021739-3426-40bf-9601-61b4b6d7c793/batchJobStatus/T1"
	link := `{"uri":"` + loc + `","method":"GET","headers":[]}`
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		want   int
	}{
		{"200 Location, empty body", 200, http.Header{"Location": {loc}}, "", 0},
		{"202 body link, no Location", 202, http.Header{"Content-Type": {"application/json"}}, link, 1},
		{"202 Location, empty body", 202, http.Header{"Location": {loc}}, "", 0},
		{"201 Location", 201, http.Header{"Location": {loc}}, "", 0},
		{"202 neither", 202, http.Header{}, "", 1},
		{"200 neither", 200, http.Header{}, "", 1},
	} {
		got = nil
		c := &check{p: p, route: route, params: params, req: req, status: tc.status, header: tc.header}
		c.run([]byte(tc.body))
		if len(got) != tc.want {
			t.Errorf("%s: %v, want %d deviation(s)", tc.name, got, tc.want)
		}
	}
}
