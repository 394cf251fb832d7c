package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/contract"
)

// TestErrorStatusesTheServiceSends: every error status Partner Center is
// seen to send, with its error body, is within the document; a status it
// never sends is still refused.
func TestErrorStatusesTheServiceSends(t *testing.T) {
	t.Parallel()
	v := validator(t)
	in := requestInput(t, v, batchesPath)
	h := http.Header{"Content-Type": {"application/json"}}
	for _, status := range []int{400, 401, 403, 404, 405, 406, 409, 412, 429, 500, 501, 502, 503, 504} {
		for _, body := range []string{
			`{"code":` + strconv.Itoa(status) + `,"description":"d","data":[],"source":"PartnerFD"}`,
			`{"code":"3000","message":"m","errorName":"E","isRetryable":true,"parameters":{},"errorMessageExtended":"x"}`,
			`{"statusCode":` + strconv.Itoa(status) + `,"message":"m"}`,
		} {
			if err := v.Response(context.Background(), in, status, h, []byte(body)); err != nil {
				t.Errorf("HTTP %d %s refused: %v", status, body, err)
			}
		}
	}
	for _, status := range []int{302, 418, 505} {
		if err := v.Response(context.Background(), in, status, h, []byte(`{"code":1,"description":"d"}`)); err == nil {
			t.Errorf("HTTP %d accepted: the document does not list it", status)
		}
	}
}

// TestAcceptedUploadAnswers: the document accepts exactly the answers to
// an upload that wrapper/upload.go's accepted() reads: 200 or 202 with the
// status link in Location or in the body, 201 with Location.
func TestAcceptedUploadAnswers(t *testing.T) {
	t.Parallel()
	v := validator(t)
	const loc = "/customers/" + customer + "/batchJobStatus/54be3a8f"
	link := `{"uri":"` + loc + `","method":"GET","headers":[]}`
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		ok     bool
	}{
		{"202 Location, empty body", 202, http.Header{"Location": {loc}}, "", true},
		// Not described: a 202 declares no content, so that standard
		// tools accept the empty body the service sends.
		{"202 body link, no Location", 202, json, link, false},
		{"202 both", 202, http.Header{"Location": {loc}, "Content-Type": {"application/json"}}, link, true},
		{"200 Location, empty body", 200, http.Header{"Location": {loc}}, "", true},
		{"200 body link", 200, json, link, true},
		{"201 Location", 201, http.Header{"Location": {loc}}, "", true},
		{"202 neither", 202, http.Header{}, "", false},
		{"200 neither", 200, http.Header{}, "", false},
		{"201 no Location", 201, json, link, false},
		{"202 body without uri", 202, json, `{"method":"GET"}`, false},
		{"204", 204, http.Header{"Location": {loc}}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "https://api.partnercenter.microsoft.com"+devicesPath, strings.NewReader(`[{"productKey":"00329-00000-0003-AA607"}]`))
			req.Header.Set("Authorization", "Bearer token")
			req.Header.Set("Content-Type", "application/json")
			in, err := v.Request(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			err = v.Response(context.Background(), in, tc.status, tc.header, []byte(tc.body))
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestResponseWithByteOrderMark: a UTF-8 byte order mark before a JSON
// answer, as the real service sends, is tolerated.
func TestResponseWithByteOrderMark(t *testing.T) {
	t.Parallel()
	v := validator(t)
	in := requestInput(t, v, batchesPath)
	body := append([]byte("\xef\xbb\xbf"), readFixture(t, "devicebatches.json")...)
	if err := v.Response(context.Background(), in, 200, http.Header{"Content-Type": {"application/json"}}, body); err != nil {
		t.Error(err)
	}
}

// TestEmptyBodyAllowed: the extension applies only with its header there.
func TestEmptyBodyAllowed(t *testing.T) {
	t.Parallel()
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	up := doc.Components.Responses["UploadStatusLink"].Value
	if !contract.EmptyBodyAllowed(up, http.Header{"Location": {"/x"}}) || contract.EmptyBodyAllowed(up, http.Header{"Location": {" "}}) || contract.EmptyBodyAllowed(up, nil) {
		t.Error("UploadStatusLink: an empty body is allowed only beside a Location")
	}
	if contract.EmptyBodyAllowed(doc.Components.Responses["BadRequest"].Value, http.Header{"Location": {"/x"}}) {
		t.Error("BadRequest allows an empty body")
	}
	if !contract.EmptyBodyAllowed(doc.Components.Responses["UploadCreated"].Value, nil) || contract.EmptyBodyAllowed(nil, nil) {
		t.Error("a response without content allows an empty body; no response none")
	}
}
