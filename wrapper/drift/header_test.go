package drift

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHeaderDeviations: a header the document requires (an upload's 201
// Location) is reported as header:Location, and the body is still checked
// after a header problem.
func TestHeaderDeviations(t *testing.T) {
	var got []Deviation
	p, err := NewPolicy(func(d Deviation) { got = append(got, d) })
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", nil)
	route, params, err := p.router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	run := func(status int, h http.Header, body string) []Deviation {
		got = nil
		c := &check{p: p, route: route, params: params, req: req, status: status, header: h}
		c.run([]byte(body))
		return got
	}
	if d := run(201, http.Header{}, ""); len(d) != 1 || d[0].Kind != KindHeader || d[0].Path != "header:Location" || d[0].Got != "nothing" || d[0].Operation != "createDeviceBatch" {
		t.Errorf("201 without Location: %+v", d)
	}
	if d := run(202, http.Header{"Location": {"/customers/c/batchJobStatus/t"}}, ""); len(d) != 0 {
		t.Errorf("202 with Location: %+v", d)
	}
	d := run(200, http.Header{"Content-Type": {"application/json"}}, `{"method":"GET"}`)
	if len(d) != 1 || d[0].Kind != KindRequired || d[0].Path != "/uri" {
		t.Errorf("status link without uri: %+v", d)
	}
}
