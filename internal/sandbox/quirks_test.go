package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/internal/sandbox/sandboxtest"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestQuirks: each quirk shows in the sandbox's raw answers, and every
// answer stays within the document.
func TestQuirks(t *testing.T) {
	t.Parallel()
	s, err := sandbox.New(sandbox.Options{Seed: 1, PageSize: 1, Quirks: sandbox.QuirkKinds})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	tr := &contract.Transport{Next: srv.Client().Transport, Validator: v}
	defer sandboxtest.CheckContract(t, tr)
	hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path, reqID, body string) (int, http.Header, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer sandbox")
		req.Header.Set("MS-RequestId", reqID)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, b
	}
	const id1, id2, id3 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "33333333-3333-4333-8333-333333333333"
	devices := "/v1/customers/" + docCustomer + "/deviceBatches/Test%20batch/devices"

	// gateway-5xx: the first try of a GET fails, its retry is served.
	if code, _, _ := do("GET", devices, id1, ""); code != 502 {
		t.Errorf("first try: HTTP %d, want 502", code)
	}
	code, _, body := do("GET", devices, id1, "")
	if code != 200 {
		t.Fatalf("retry: HTTP %d %s", code, body)
	}
	if code, _, _ := do("GET", devices, id2, ""); code != 504 {
		t.Errorf("next GET's first try: HTTP %d, want 504", code)
	}
	// bom and link-shapes.
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Errorf("no byte order mark: %.40q", body)
	}
	var page struct {
		Links struct{ Next struct{ URI string } } `json:"links"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), &page); err != nil {
		t.Fatal(err)
	}
	if u := page.Links.Next.URI; !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "/v1//v1/") && strings.HasPrefix(u, "/") {
		t.Errorf("next link %q in a default shape", u)
	}
	// upload-200-body: the status link in the body, no Location.
	code, h, body := do("POST", devices, id3, `[{"productKey":"00329-00000-0003-AA607"}]`)
	if code != 200 || h.Get("Location") != "" || !bytes.Contains(body, []byte(`batchJobStatus`)) {
		t.Errorf("upload: HTTP %d, Location %q, body %s", code, h.Get("Location"), body)
	}
	// error-v2, with a string code (a POST: no gateway error first).
	code, _, body = do("POST", "/v1/customers/00000000-0000-4000-8000-000000000001/deviceBatches/x/devices", id3, `[{"productKey":"k"}]`)
	var e map[string]any
	if err := json.Unmarshal(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), &e); err != nil || code != 404 {
		t.Fatalf("HTTP %d %s: %v", code, body, err)
	}
	if _, ok := e["code"].(string); !ok || e["message"] == nil || e["errorName"] == nil || e["isRetryable"] == nil || e["description"] != nil {
		t.Errorf("error body %s is not the V2 shape with a string code", body)
	}
}

// TestQuirksOffByDefault: the default answers show no quirk, and an
// unknown quirk is refused.
func TestQuirksOffByDefault(t *testing.T) {
	t.Parallel()
	c, tr := sandboxtest.Client(t, sandbox.Options{}, "sandbox", -1)
	defer sandboxtest.CheckContract(t, tr)
	_, err := c.ListDeviceBatches(context.Background(), "00000000-0000-4000-8000-000000000001")
	var re *wrapper.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 404 || re.Code != "600" {
		t.Errorf("err = %v", err)
	}
	if _, err := sandbox.New(sandbox.Options{Quirks: []sandbox.Quirk{"teapot"}}); err == nil {
		t.Error("an unknown quirk was accepted")
	}
	if q, err := sandbox.ParseQuirks(" bom, error-v2,bom "); err != nil || len(q) != 2 {
		t.Errorf("ParseQuirks: %v %v", q, err)
	}
	if q, err := sandbox.ParseQuirks("all"); err != nil || len(q) != len(sandbox.QuirkKinds) {
		t.Errorf("ParseQuirks(all): %v %v", q, err)
	}
	if _, err := sandbox.ParseQuirks("bom,teapot"); err == nil {
		t.Error("ParseQuirks accepted teapot")
	}
}
