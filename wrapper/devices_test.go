package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/oapi-codegen/nullable"
	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/fixtures"
)

// pagedDevices serves a batch of n devices 100 per page the way the
// service pages: the first page at the operation's path, later pages
// through a relative links.next without /v1 whose headers carry
// MS-ContinuationToken, and continuationToken in the body. It counts
// requests and records the escaped path and token of each.
type pagedDevices struct {
	n        int
	calls    atomic.Int32
	paths    []string
	tokens   []string
	wantPath string // escaped path every request must use
	noLinks  bool   // send continuationToken alone, without links.next
}

func (p *pagedDevices) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.calls.Add(1)
	p.paths = append(p.paths, r.URL.EscapedPath())
	tok := r.Header.Get("MS-ContinuationToken")
	p.tokens = append(p.tokens, tok)
	if r.Header.Get("Authorization") != "Bearer tok" || (p.wantPath != "" && r.URL.EscapedPath() != p.wantPath) {
		http.Error(w, `{"code":600,"description":"unexpected request"}`, http.StatusBadRequest)
		return
	}
	start := 0
	if tok != "" {
		var err error
		if start, err = strconv.Atoi(strings.TrimPrefix(tok, "ct-")); err != nil {
			http.Error(w, `{"code":600,"description":"bad token"}`, http.StatusBadRequest)
			return
		}
	}
	end := min(start+100, p.n)
	items := []map[string]any{}
	for i := start; i < end; i++ {
		items = append(items, map[string]any{
			"id": fmt.Sprintf("device-%03d", i), "serialNumber": fmt.Sprintf("SN-%03d", i),
			"uploadedDate": "2017-08-09T14:43:26.0092288-07:00",
			"attributes":   map[string]any{"objectType": "Device"},
		})
	}
	body := map[string]any{"totalCount": len(items), "items": items, "attributes": map[string]any{"objectType": "Collection"}}
	if end < p.n {
		next := "ct-" + strconv.Itoa(end)
		body["continuationToken"] = next
		if p.noLinks {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(body)
			return
		}
		// The service's link: relative, no /v1, space unescaped.
		body["links"] = map[string]any{"next": map[string]any{
			"uri":     "/customers/" + testCustomer + "/deviceBatches/Test batch/devices",
			"method":  "GET",
			"headers": []map[string]any{{"key": "MS-ContinuationToken", "value": next}},
		}}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func testClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := NewClient(StaticToken("tok"), &ClientOptions{BaseURL: url, ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testBatch(uri string) DeviceBatch {
	return DeviceBatch{Id: "Test batch", DevicesLink: Link{Uri: uri, Method: "GET", Headers: []KeyValuePair{}}}
}

// TestDevicesAllPages is the definition of done: 250 devices, 100
// per page, all returned in order in exactly three requests, by every way
// of listing them.
func TestDevicesAllPages(t *testing.T) {
	link := "/customers/" + testCustomer + "/deviceBatches/Test batch/devices"
	ways := map[string]func(context.Context, *Client) ([]Device, error){
		"ListDevices": func(ctx context.Context, c *Client) ([]Device, error) {
			return c.ListDevices(ctx, testCustomer, "Test batch")
		},
		"ListDevicesIter": func(ctx context.Context, c *Client) ([]Device, error) {
			var all []Device
			for d, err := range c.ListDevicesIter(ctx, testCustomer, "Test batch") {
				if err != nil {
					return nil, err
				}
				all = append(all, d)
			}
			return all, nil
		},
		"FollowDevicesLink": func(ctx context.Context, c *Client) ([]Device, error) {
			return c.FollowDevicesLink(ctx, testBatch(link))
		},
		"FollowDevicesLinkIter": func(ctx context.Context, c *Client) ([]Device, error) {
			var all []Device
			for d, err := range c.FollowDevicesLinkIter(ctx, testBatch(link)) {
				if err != nil {
					return nil, err
				}
				all = append(all, d)
			}
			return all, nil
		},
	}
	for name, list := range ways {
		t.Run(name, func(t *testing.T) {
			fake := &pagedDevices{n: 250, wantPath: "/v1/customers/" + testCustomer + "/deviceBatches/Test%20batch/devices"}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			got, err := list(t.Context(), testClient(t, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 250 {
				t.Fatalf("got %d devices, want 250", len(got))
			}
			for i, d := range got {
				if want := fmt.Sprintf("device-%03d", i); d.Id != want {
					t.Fatalf("device %d is %q, want %q", i, d.Id, want)
				}
			}
			if n := fake.calls.Load(); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
			if want := []string{"", "ct-100", "ct-200"}; strings.Join(fake.tokens, ",") != strings.Join(want, ",") {
				t.Errorf("continuation tokens sent %q, want %q", fake.tokens, want)
			}
		})
	}
}

// TestDevicesTokenOnly: a page with continuationToken but no links.next
// is continued with MS-ContinuationToken on the same operation or link.
func TestDevicesTokenOnly(t *testing.T) {
	link := "/customers/" + testCustomer + "/deviceBatches/Test batch/devices"
	for name, list := range map[string]func(*Client) ([]Device, error){
		"ListDevices":       func(c *Client) ([]Device, error) { return c.ListDevices(t.Context(), testCustomer, "Test batch") },
		"FollowDevicesLink": func(c *Client) ([]Device, error) { return c.FollowDevicesLink(t.Context(), testBatch(link)) },
	} {
		t.Run(name, func(t *testing.T) {
			fake := &pagedDevices{n: 250, noLinks: true, wantPath: "/v1/customers/" + testCustomer + "/deviceBatches/Test%20batch/devices"}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			got, err := list(testClient(t, srv.URL))
			if err != nil || len(got) != 250 || got[249].Id != "device-249" || fake.calls.Load() != 3 {
				t.Fatalf("%d devices in %d requests, err %v", len(got), fake.calls.Load(), err)
			}
		})
	}
}

// TestListDevicesEscapesBatchID checks, end to end, how batch ids with
// spaces and reserved characters reach the service: each is one escaped
// path segment, never a path separator, query or fragment.
func TestListDevicesEscapesBatchID(t *testing.T) {
	tests := []struct{ id, segment string }{
		{"Test batch", "Test%20batch"},
		{"a/b", "a%2Fb"},
		{"what?x=1", "what%3Fx=1"},
		{"tag#1", "tag%231"},
		{"100%", "100%25"},
		{"%2F", "%252F"},
		{"ünï", "%C3%BCn%C3%AF"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var rawQuery string
			fake := &pagedDevices{n: 1, wantPath: "/v1/customers/" + testCustomer + "/deviceBatches/" + tt.segment + "/devices"}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rawQuery = r.URL.RawQuery
				fake.ServeHTTP(w, r)
			}))
			defer srv.Close()
			got, err := testClient(t, srv.URL).ListDevices(t.Context(), testCustomer, tt.id)
			if err != nil {
				t.Fatalf("%v (paths seen %q)", err, fake.paths)
			}
			if len(got) != 1 || rawQuery != "" {
				t.Errorf("got %d devices, query %q", len(got), rawQuery)
			}
		})
	}
}

func TestDevicesInvalidInput(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
	defer srv.Close()
	c := testClient(t, srv.URL)
	post := "POST"
	tests := []struct {
		name     string
		call     func() error
		argument string
	}{
		{"customer not a GUID", func() error { _, err := c.ListDevices(t.Context(), "contoso", "Test batch"); return err }, "customer id"},
		{"customer checked first", func() error { _, err := c.ListDevices(t.Context(), "", ""); return err }, "customer id"},
		{"empty batch", func() error { _, err := c.ListDevices(t.Context(), testCustomer, ""); return err }, "batch id"},
		{"blank batch", func() error { _, err := c.ListDevices(t.Context(), testCustomer, "  "); return err }, "batch id"},
		{"dot batch", func() error { _, err := c.ListDevices(t.Context(), testCustomer, ".."); return err }, "batch id"},
		{"iter empty batch", func() error {
			for _, err := range c.ListDevicesIter(t.Context(), testCustomer, "") {
				return err
			}
			return nil
		}, "batch id"},
		{"no devicesLink", func() error { _, err := c.FollowDevicesLink(t.Context(), DeviceBatch{Id: "x"}); return err }, "devicesLink"},
		{"empty devicesLink", func() error { _, err := c.FollowDevicesLink(t.Context(), testBatch(" ")); return err }, "devicesLink"},
		{"other host", func() error {
			_, err := c.FollowDevicesLink(t.Context(), testBatch("https://evil.example/v1/customers/x/devices"))
			return err
		}, "devicesLink"},
		{"dot segment", func() error { _, err := c.FollowDevicesLink(t.Context(), testBatch("/customers/../x")); return err }, "devicesLink"},
		{"not GET", func() error {
			b := testBatch("/customers/x/deviceBatches/y/devices")
			b.DevicesLink.Method = post
			_, err := c.FollowDevicesLink(t.Context(), b)
			return err
		}, "devicesLink method"},
		{"iter no devicesLink", func() error {
			for _, err := range c.FollowDevicesLinkIter(t.Context(), DeviceBatch{}) {
				return err
			}
			return nil
		}, "devicesLink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ia *InvalidArgumentError
			if err := tt.call(); !errors.As(err, &ia) || ia.Argument != tt.argument {
				t.Fatalf("err = %v, want *InvalidArgumentError about %s", err, tt.argument)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests made on invalid input", n)
	}
}

// TestFollowDevicesLinkSendsLinkHeaders: the link's own headers go with
// the first request, and a link header may not replace the token.
func TestFollowDevicesLinkSendsLinkHeaders(t *testing.T) {
	var got http.Header
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, path = r.Header.Clone(), r.URL.EscapedPath()
		fmt.Fprint(w, `{"totalCount":0,"items":[]}`)
	}))
	defer srv.Close()
	v, evil := "x-1", "Bearer stolen"
	b := DeviceBatch{DevicesLink: Link{Uri: "/v1//v1/customers/c/deviceBatches/a b/devices", Headers: []KeyValuePair{
		{Key: "X-Test", Value: nullable.NewNullableWithValue(v)}, {Key: "Authorization", Value: nullable.NewNullableWithValue(evil)},
	}}}
	devices, err := testClient(t, srv.URL).FollowDevicesLink(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if devices == nil || len(devices) != 0 {
		t.Errorf("devices = %#v, want an empty non-nil slice", devices)
	}
	if got.Get("X-Test") != "x-1" || got.Get("Authorization") != "Bearer tok" {
		t.Errorf("headers X-Test %q Authorization %q", got.Get("X-Test"), got.Get("Authorization"))
	}
	if path != "/v1/customers/c/deviceBatches/a%20b/devices" {
		t.Errorf("path %q", path)
	}
}

// TestListDevicesServiceError: a failure on a later page is a
// *ResponseError and no partial list is returned.
func TestListDevicesServiceError(t *testing.T) {
	fake := &pagedDevices{n: 250}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("MS-ContinuationToken") == "ct-100" {
			w.Header().Set("MS-RequestId", "e88d014d-ab70-41de-90a0-f7fd1797267d")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code": 600, "description": "batch not found", "data": [], "source": "PartnerFD"}`)
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	got, err := testClient(t, srv.URL).ListDevices(t.Context(), testCustomer, "Test batch")
	var re *ResponseError
	if !errors.As(err, &re) || re.StatusCode != 404 || re.Code != "600" || got != nil {
		t.Fatalf("got %d devices, err %v", len(got), err)
	}
}

// TestGoldenDocumentedExamples decodes the documented examples through
// the client and checks every value.
func TestGoldenDocumentedExamples(t *testing.T) {
	batchesJSON, devicesJSON := fixtures.DeviceBatches, fixtures.Devices
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if strings.HasSuffix(r.URL.Path, "/devices") {
			w.Write(devicesJSON)
			return
		}
		w.Write(batchesJSON)
	}))
	defer srv.Close()
	c := testClient(t, srv.URL)

	var coll generated.DeviceBatchCollection
	if err := json.Unmarshal(batchesJSON, &coll); err != nil {
		t.Fatal(err)
	}
	if coll.TotalCount != 1 || coll.Attributes.ObjectType != "Collection" {
		t.Errorf("collection totalCount/objectType wrong: %+v", coll)
	}
	batches, err := c.ListDeviceBatches(t.Context(), testCustomer)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 {
		t.Fatalf("%d batches", len(batches))
	}
	b := batches[0]
	checks := []struct{ name, got, want string }{
		{"id", b.Id, "Test batch"},
		{"status", b.Status, "finished"},
		{"devicesLink.uri", b.DevicesLink.Uri, "/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/Test batch/devices"},
		{"devicesLink.method", b.DevicesLink.Method, "GET"},
		{"attributes.objectType", b.Attributes.ObjectType, "DeviceBatch"},
		{"creationDate.Raw", b.CreationDate.Raw, "2017-07-25T01:51:00"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if !b.CreationDate.Time.Equal(time.Date(2017, 7, 25, 1, 51, 0, 0, time.UTC)) || b.CreationDate.Time.Location() != time.UTC {
		t.Errorf("creationDate.Time = %v", b.CreationDate.Time)
	}
	if b.DevicesCount != 5 {
		t.Errorf("devicesCount = %v", b.DevicesCount)
	}
	if b.DevicesLink.Headers == nil || len(b.DevicesLink.Headers) != 0 {
		t.Errorf("devicesLink.headers = %v, want []", b.DevicesLink.Headers)
	}
	if b.CreatedBy != "" {
		t.Errorf("createdBy = %q, the example has none", b.CreatedBy)
	}

	// The batch's own link leads to its devices.
	devices, err := c.FollowDevicesLink(t.Context(), b)
	if err != nil {
		t.Fatal(err)
	}
	if len(devices) != 2 {
		t.Fatalf("%d devices", len(devices))
	}
	d := devices[0]
	dchecks := []struct{ name, got, want string }{
		{"id", d.Id, "7c141ea9-2816-4e15-a819-53f6856499ff"},
		{"serialNumber", d.SerialNumber, "2R9-ZNP67"},
		{"productKey", d.ProductKey, "00329-00000-0003-AA6069"},
		{"modelName", d.ModelName, "Precision WorkStation T7500"},
		{"oemManufacturerName", d.OemManufacturerName, "Dell Inc."},
		{"policies[0].key", d.Policies[0].Key, "o_o_b_e"},
		{"uploadedDate.Raw", d.UploadedDate.Raw, "2017-08-09T14:43:26.0092288-07:00"},
		{"[1].id", devices[1].Id, "e528a62f-5031-49f4-bea7-5fafe47388fd"},
		{"[1].serialNumber", devices[1].SerialNumber, "1234567890"},
		{"[1].productKey", devices[1].ProductKey, "12345-67890-09876-54321-13579"},
		{"[1].modelName", devices[1].ModelName, "HP Z420 Workstation"},
		{"[1].oemManufacturerName", devices[1].OemManufacturerName, "Hewlett-Packard"},
		{"[1].uploadedDate.Raw", devices[1].UploadedDate.Raw, "2017-08-09T14:35:51.3126144-07:00"},
		{"[1].attributes.objectType", devices[1].Attributes.ObjectType, "Device"},
	}
	for _, ck := range dchecks {
		if ck.got != ck.want {
			t.Errorf("device %s = %q, want %q", ck.name, ck.got, ck.want)
		}
	}
	if len(d.Policies) != 1 || !d.Policies[0].Value.IsNull() {
		t.Errorf("policies = %+v, want one o_o_b_e with a null value", d.Policies)
	}
	// " attributes" (with the space) is not attributes: the first device has none.
	if d.Attributes != (ResourceAttributes{}) {
		t.Errorf("first device attributes = %+v, want none (the example spells it \" attributes\")", d.Attributes)
	}
	if _, off := d.UploadedDate.Time.Zone(); off != -7*3600 {
		t.Errorf("uploadedDate offset %d s, want -07:00", off)
	}
	if want := time.Date(2017, 8, 9, 21, 43, 26, 9228800, time.UTC); !d.UploadedDate.Time.Equal(want) {
		t.Errorf("uploadedDate = %v, want %v", d.UploadedDate.Time, want)
	}
}
