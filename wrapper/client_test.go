package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/fixtures"

	"github.com/partnercenter-go/devicebatches/internal/contract"
)

const (
	testCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"
	testToken    = "test-token-6f1c2b-do-not-print"
)

// documentedExample is the response example of Partner Center's
// "Get a list of device batches for the specified customer" page, verbatim.
var documentedExample = string(fixtures.DeviceBatches)

// newTestClient returns a client for srv whose HTTP traffic is validated
// against the OpenAPI document, and the validating transport.
func newTestClient(t *testing.T, srv *httptest.Server, opts *ClientOptions) (*Client, *contract.Transport) {
	t.Helper()
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	tr := &contract.Transport{Next: srv.Client().Transport, Validator: v}
	var o ClientOptions
	if opts != nil {
		o = *opts
	}
	o.BaseURL = srv.URL
	o.Transport = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	if o.Retry.MaxRetries == 0 {
		o.Retry.MaxRetries = -1
	}
	c, err := NewClient(StaticToken(testToken), &o)
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// offContractClient is a client of srv with no retries and no contract
// validation, for answers that break the document on purpose (HTML pages,
// garbage bodies, statuses it does not list).
func offContractClient(t *testing.T, srv *httptest.Server) *Client {
	t.Helper()
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListDeviceBatchesSendsPartnerCenterHeaders(t *testing.T) {
	t.Parallel()
	var got http.Header
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.EscapedPath()
		if r.Method != http.MethodGet {
			t.Errorf("method %s, want GET", r.Method)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, documentedExample)
	}))
	defer srv.Close()
	corr := "de894e18-f027-4ac0-8b5a-34f0c222af0c"
	c, tr := newTestClient(t, srv, &ClientOptions{CorrelationID: corr, Locale: "de-DE", Application: "Contoso Autopilot", ClientOptions: azcore.ClientOptions{Telemetry: policy.TelemetryOptions{ApplicationID: "my-tool/1.2"}}})

	batches, err := c.ListDeviceBatches(context.Background(), testCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || batches[0].Id != "Test batch" {
		t.Fatalf("batches = %+v", batches)
	}
	if want := "/v1/customers/" + testCustomer + "/deviceBatches"; path != want {
		t.Errorf("path %q, want %q", path, want)
	}
	for name, want := range map[string]string{
		"Authorization":                "Bearer " + testToken,
		"Accept":                       "application/json",
		"MS-CorrelationId":             corr,
		"X-Locale":                     "de-DE",
		"MS-PartnerCenter-Application": "Contoso Autopilot",
	} {
		if g := got.Get(name); g != want {
			t.Errorf("%s = %q, want %q", name, g, want)
		}
	}
	if ua := got.Get("User-Agent"); !strings.HasPrefix(ua, "my-tool/1.2 azsdk-go-devicebatches/"+moduleVersion()+" ") {
		t.Errorf("User-Agent = %q", ua)
	}
	if err := CheckCustomerID(got.Get("MS-RequestId")); err != nil {
		t.Errorf("MS-RequestId: %v", err)
	}
	if errs := tr.Errors(); len(errs) > 0 {
		t.Errorf("contract violations: %v", errs)
	}
}

func TestRequestIDNewPerCallCorrelationPerClient(t *testing.T) {
	t.Parallel()
	var reqIDs, corrIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqIDs = append(reqIDs, r.Header.Get("MS-RequestId"))
		corrIDs = append(corrIDs, r.Header.Get("MS-CorrelationId"))
		fmt.Fprint(w, documentedExample)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, nil)
	ctx := context.Background()
	for range 2 {
		if _, err := c.ListDeviceBatches(ctx, testCustomer); err != nil {
			t.Fatal(err)
		}
	}
	perCall := "0f8fad5b-d9cb-469f-a165-70867728950e"
	if _, err := c.ListDeviceBatches(WithCorrelationID(ctx, perCall), testCustomer); err != nil {
		t.Fatal(err)
	}
	if reqIDs[0] == reqIDs[1] || reqIDs[1] == reqIDs[2] {
		t.Errorf("request ids repeat across calls: %v", reqIDs)
	}
	if corrIDs[0] != c.CorrelationID() || corrIDs[1] != c.CorrelationID() || corrIDs[2] != perCall {
		t.Errorf("correlation ids = %v, client's %s, per call %s", corrIDs, c.CorrelationID(), perCall)
	}
}

func TestInvalidInputMakesNoRequest(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	c, _ := newTestClient(t, srv, nil)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		id   string
		want string
	}{
		{"empty", context.Background(), "", "customer id is empty"},
		{"name", context.Background(), "contoso", `customer id "contoso" is not a GUID`},
		{"braces", context.Background(), "{" + testCustomer + "}", "is not a GUID"},
		{"path injection", context.Background(), testCustomer + "/../x", "is not a GUID"},
		{"bad correlation", WithCorrelationID(context.Background(), "nope"), testCustomer, `correlation id "nope" is not a GUID`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ListDeviceBatches(tc.ctx, tc.id)
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) {
				t.Fatalf("err = %v, want *InvalidArgumentError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line containing %q", err, tc.want)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestNewClientRefusesUnsafeOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts ClientOptions
		want string
	}{
		{"plain http to a remote host", ClientOptions{BaseURL: "http://api.partnercenter.microsoft.com"}, "clear text"},
		{"not a URL", ClientOptions{BaseURL: "api.partnercenter.microsoft.com"}, "not an absolute http(s) URL"},
		{"ftp", ClientOptions{BaseURL: "ftp://example.com"}, "not an absolute http(s) URL"},
		{"credentials in URL", ClientOptions{BaseURL: "https://user:pw@example.com"}, "must not carry credentials"},
		{"bad locale", ClientOptions{Locale: "en US"}, "not a language tag"},
		{"bad correlation id", ClientOptions{CorrelationID: "123"}, "not a GUID"},
		{"line break in application", ClientOptions{Application: "a\r\nX-Evil: 1"}, "line break"},
		// Accepted once, these made every call fail ~9 s later as a
		// *NetworkError with no request sent.
		{"control character in application", ClientOptions{Application: "inventory-sync\x01"}, "control character"},
		{"DEL in application", ClientOptions{Application: "sync\x7f"}, "control character"},
		{"negative try timeout", ClientOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{TryTimeout: -time.Second}}}, "Retry.TryTimeout"},
		{"success status to retry", ClientOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{StatusCodes: []int{503, 200}}}}, "Retry.StatusCodes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(StaticToken(testToken), &tc.opts)
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want *InvalidArgumentError containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error shows URL credentials: %v", err)
			}
		})
	}
	if _, err := NewClient(nil, nil); err == nil {
		t.Error("nil credential accepted")
	}
	for _, ok := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "https://example.com/pc/", DefaultBaseURL, ChinaBaseURL} {
		if _, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: ok}); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
}

func TestBaseURLTrailingV1AndSlashNotDoubled(t *testing.T) {
	t.Parallel()
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		fmt.Fprint(w, documentedExample)
	}))
	defer srv.Close()
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL + "/v1/", ClientOptions: azcore.ClientOptions{Transport: srv.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDeviceBatches(context.Background(), testCustomer); err != nil {
		t.Fatal(err)
	}
	if want := "/v1/customers/" + testCustomer + "/deviceBatches"; path != want {
		t.Errorf("path %q, want %q", path, want)
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	const reqID, corrID = "7b3e2e00-b330-4480-9d84-59ace713427f", "4a5002a2-0c1b-4e57-b491-dbcf19c0e7b8"
	for _, tc := range []struct {
		status      int
		contentType string
		body        string
		header      map[string]string
		code, desc  string
		source      string
		retryAfter  time.Duration
		inMessage   []string
	}{
		{status: 400, body: `{"code": 400, "description": "Bad customer", "data": [], "source": "PartnerFD"}`, code: "400", desc: "Bad customer", source: "PartnerFD",
			inMessage: []string{"HTTP 400 Bad Request", "Partner Center error 400: Bad customer", reqID, corrID}},
		{status: 401, body: `{"code": 401, "description": "Unauthorized", "data": [], "source": "PartnerFD"}`, header: map[string]string{"WWW-Authenticate": "Bearer"}, code: "401", desc: "Unauthorized"},
		{status: 403, body: `{"code": 3000, "description": "Access denied", "data": [], "source": "PartnerFD"}`, code: "3000", desc: "Access denied", inMessage: []string{"Partner Center error 3000: Access denied"}},
		{status: 404, body: `{"code": "600", "description": "Customer not found", "data": [], "source": "PartnerFD"}`, code: "600", desc: "Customer not found"},
		{status: 404, body: `{"code": "CustomerNotFound", "description": "x"}`, code: "CustomerNotFound", desc: "x"},
		{status: 429, body: `{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."}`, header: map[string]string{"Retry-After": "57"},
			desc: "Rate limit is exceeded. Try again in 57 seconds.", retryAfter: 57 * time.Second, inMessage: []string{"HTTP 429", "retry after 57s"}},
		{status: 429, body: `{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 12 seconds."}`, desc: "Rate limit is exceeded. Try again in 12 seconds.", retryAfter: 12 * time.Second},
		{status: 500, body: `{"code": 500, "description": "line one\nline two", "data": []}`, code: "500", desc: "line one line two"},
		{status: 503, body: `{"code": 503, "description": "Unavailable"}`, header: map[string]string{"Retry-After": "3"}, code: "503", desc: "Unavailable", retryAfter: 3 * time.Second},
		{status: 502, contentType: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>", inMessage: []string{"HTTP 502 Bad Gateway", "text/html body that is not a Partner Center error"}},
		{status: 500, contentType: "application/json", body: "\ufeff" + `{"code": 2, "description": "with BOM"}`, code: "2", desc: "with BOM"},
		{status: 409, contentType: "application/json", body: ``, inMessage: []string{"HTTP 409 Conflict"}},
	} {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.code+tc.contentType), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ct := tc.contentType
				if ct == "" {
					ct = "application/json; charset=utf-8"
				}
				w.Header().Set("Content-Type", ct)
				w.Header().Set("MS-RequestId", reqID)
				w.Header().Set("MS-CorrelationId", corrID)
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			c := offContractClient(t, srv)
			_, err := c.ListDeviceBatches(context.Background(), testCustomer)
			var re *ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *ResponseError", err)
			}
			if re.StatusCode != tc.status || re.Code != tc.code || re.Description != tc.desc || re.RetryAfter != tc.retryAfter {
				t.Errorf("got status %d code %q desc %q retryAfter %s; want %d %q %q %s", re.StatusCode, re.Code, re.Description, re.RetryAfter, tc.status, tc.code, tc.desc, tc.retryAfter)
			}
			if tc.source != "" && re.Source != tc.source {
				t.Errorf("source %q, want %q", re.Source, tc.source)
			}
			if re.RequestID != reqID || re.CorrelationID != corrID {
				t.Errorf("ids %q %q", re.RequestID, re.CorrelationID)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || strings.Contains(msg, testToken) || strings.Contains(msg, "<html") {
				t.Errorf("message not one clean line: %q", msg)
			}
			for _, want := range tc.inMessage {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q lacks %q", msg, want)
				}
			}
		})
	}
}

func TestResponseErrorFallsBackToSentIDs(t *testing.T) {
	t.Parallel()
	var sentReq, sentCorr string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sentReq, sentCorr = r.Header.Get("MS-RequestId"), r.Header.Get("MS-CorrelationId")
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, nil)
	_, err := c.ListDeviceBatches(context.Background(), testCustomer)
	var re *ResponseError
	if !errors.As(err, &re) || re.RequestID != sentReq || re.CorrelationID != sentCorr || sentReq == "" {
		t.Fatalf("err = %v; sent %s %s", err, sentReq, sentCorr)
	}
}

func TestSuccessBodiesThatDoNotParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body string }{
		{"garbage", "not json at all"},
		{"html", "<html>maintenance</html>"},
		{"array", `[{"id":"x"}]`},
		{"bad date", `{"items":[{"id":"x","creationDate":"yesterday"}]}`},
		{"trailing data", `{"items":[]} {"items":[]}`},
		{"wrong type", `{"items":[{"id":5}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("MS-RequestId", "11111111-2222-3333-4444-555555555555")
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			c := offContractClient(t, srv)
			_, err := c.ListDeviceBatches(context.Background(), testCustomer)
			var de *DecodeError
			if !errors.As(err, &de) || de.StatusCode != 200 || de.RequestID != "11111111-2222-3333-4444-555555555555" {
				t.Fatalf("err = %v, want *DecodeError with status and ids", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line: %q", err)
			}
		})
	}
}

func TestByteOrderMarkTolerated(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, "\ufeff"+documentedExample)
	}))
	defer srv.Close()
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, ClientOptions: azcore.ClientOptions{Transport: srv.Client()}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.ListDeviceBatches(context.Background(), testCustomer)
	if err != nil || len(b) != 1 || b[0].Id != "Test batch" {
		t.Fatalf("got %+v, %v", b, err)
	}
}

func TestStaticTokenNeverFormatted(t *testing.T) {
	t.Parallel()
	cred := StaticToken(testToken)
	for _, s := range []string{fmt.Sprint(cred), fmt.Sprintf("%v %+v %#v %s", cred, cred, cred, cred)} {
		if strings.Contains(s, testToken) {
			t.Fatalf("token printed: %s", s)
		}
	}
	c, err := NewClient(cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", c, c, c, c); strings.Contains(s, testToken) {
		t.Fatalf("client formatting shows the token: %s", s)
	}
}
