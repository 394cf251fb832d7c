package contract

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

func TestDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc, err := Load() // Validate with examples: the documented example must pass.
	if err != nil {
		t.Fatal(err)
	}
	for path, opID := range map[string]string{
		"/v1/customers/{customer-id}/deviceBatches":                    "listDeviceBatches",
		"/v1/customers/{customer-id}/deviceBatches/{batch-id}/devices": "listDevices",
	} {
		item := doc.Paths.Find(path)
		if item == nil || item.Get == nil || item.Get.OperationID != opID {
			t.Errorf("%s: want GET %s", path, opID)
		}
	}
	if doc.Servers[0].URL != "https://api.partnercenter.microsoft.com" {
		t.Errorf("first server %q", doc.Servers[0].URL)
	}
}

func TestDateTimeSchemaAcceptsWhatTheServiceSends(t *testing.T) {
	t.Parallel()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["PartnerCenterDateTime"].Value
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2017-07-25T01:51:00", true},
		{"2017-07-25T01:51:00Z", true},
		{"2017-08-09T14:43:26.0092288-07:00", true},
		{"2017-07-25T01:51:00.5+02:00", true},
		{"yesterday", false},
		{"2017-13-45T00:00:00", false},
		{"2017-07-25 01:51:00", false},
		{"2017-07-25", false},
		{"2017-07-25T25:00:00", false},
	} {
		err := schema.VisitJSON(tc.in, SchemaOptions()...)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

func TestRequestValidationRequiresBearerAndGUID(t *testing.T) {
	t.Parallel()
	_, r, err := NewRouter()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, auth string
		ok               bool
	}{
		{"valid", "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", "Bearer abc", true},
		{"lowercase scheme", "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", "bearer abc", true},
		{"no token", "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", "", false},
		{"basic", "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", "Basic abc", false},
		{"empty bearer", "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", "Bearer ", false},
		{"not a guid", "/v1/customers/contoso/deviceBatches", "Bearer abc", false},
		{"devices", "/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/Test%20batch/devices", "Bearer abc", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9"+tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			route, params, err := r.FindRoute(req)
			if err != nil {
				t.Fatal(err)
			}
			err = openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: FilterOptions()})
			if (err == nil) != tc.ok {
				t.Errorf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
