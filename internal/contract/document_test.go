package contract

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/partnercenter-go/devicebatches/internal/fixtures"
)

func TestDocumentIsValid(t *testing.T) {
	t.Parallel()
	doc, err := Load() // Validate with examples: the documented example must pass.
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct{ method, path, id string }{
		{"GET", "/v1/customers", "listCustomers"},
		{"GET", "/v1/customers/{customer-id}/deviceBatches", "listDeviceBatches"},
		{"POST", "/v1/customers/{customer-id}/deviceBatches", "createDeviceBatch"},
		{"GET", "/v1/customers/{customer-id}/deviceBatches/{batch-id}/devices", "listDevices"},
		{"POST", "/v1/customers/{customer-id}/deviceBatches/{batch-id}/devices", "addDevices"},
		{"DELETE", "/v1/customers/{customer-id}/deviceBatches/{batch-id}/devices/{device-id}", "deleteDevice"},
		{"GET", "/v1/customers/{customer-id}/batchJobStatus/{tracking-id}", "getBatchUploadStatus"},
		{"GET", "/v1/customers/{customer-id}/policies", "listConfigurationPolicies"},
		{"PATCH", "/v1/customers/{customer-id}/DevicePolicyUpdates", "updateDevicePolicies"},
	} {
		item := doc.Paths.Find(op.path)
		if item == nil || item.GetOperation(op.method) == nil || item.GetOperation(op.method).OperationID != op.id {
			t.Errorf("%s %s: want operationId %s", op.method, op.path, op.id)
			continue
		}
		o := item.GetOperation(op.method)
		// Every operation takes the same Partner Center headers as the
		// listings, and answers with Partner Center errors.
		names := map[string]bool{}
		for _, p := range o.Parameters {
			names[p.Value.Name] = true
		}
		for _, h := range []string{"MS-RequestId", "MS-CorrelationId", "X-Locale", "MS-PartnerCenter-Application"} {
			if !names[h] {
				t.Errorf("%s: no %s parameter", op.id, h)
			}
		}
		// Every error status the service is seen to send, so that
		// contract validation reports only a truly unexpected one.
		for _, status := range serviceErrorStatuses {
			r := o.Responses.Status(status)
			if r == nil || r.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/ErrorResponse" {
				t.Errorf("%s: %d does not answer an ErrorResponse", op.id, status)
			}
		}
	}
	// Uploads and policy updates are accepted as the service answers
	// them: 200 with the status link in Location or in the body (empty only
	// beside a Location), or 201 or 202 with a required Location and no
	// content declared (standard tools then accept the empty body).
	for _, id := range []string{"createDeviceBatch", "addDevices", "updateDevicePolicies"} {
		var o *openapi3.Operation
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				if op.OperationID == id {
					o = op
				}
			}
		}
		if o == nil {
			t.Fatalf("no operation %s", id)
		}
		a := o.Responses.Status(200)
		if a == nil || a.Value.Headers["Location"] == nil || a.Value.Headers["Location"].Value.Required ||
			a.Value.Extensions[EmptyBodyExtension] != "Location" ||
			a.Value.Content.Get("application/json") == nil || a.Value.Content.Get("application/json").Schema.Value.Properties["uri"] == nil {
			t.Errorf("%s: 200 must take the status link in an optional Location or in the body", id)
		}
		for _, status := range []int{201, 202} {
			if c := o.Responses.Status(status); c == nil || c.Value.Headers["Location"] == nil || !c.Value.Headers["Location"].Value.Required || len(c.Value.Content) != 0 {
				t.Errorf("%s: %d must have a required Location and no body to read", id, status)
			}
		}
	}
	if r := doc.Paths.Find("/v1/customers/{customer-id}/deviceBatches").Post.Responses.Status(409); r == nil {
		t.Error("createDeviceBatch: no 409 for an existing batch name")
	}
	if doc.Servers[0].URL != "https://api.partnercenter.microsoft.com" {
		t.Errorf("first server %q", doc.Servers[0].URL)
	}
}

// serviceErrorStatuses are the error statuses Partner Center is seen to
// send; every operation of the document lists each.
var serviceErrorStatuses = []int{400, 401, 403, 404, 405, 406, 409, 412, 429, 500, 501, 502, 503, 504}

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

// schemaCheck validates JSON text against a component schema.
func schemaCheck(t *testing.T, doc *openapi3.T, name, body string) error {
	t.Helper()
	ref := doc.Components.Schemas[name]
	if ref == nil {
		t.Fatalf("no schema %s", name)
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return ref.Value.VisitJSON(v, SchemaOptions()...)
}

func TestSchemasAcceptWhatTheServiceSendsAndRefuseEmptyRequests(t *testing.T) {
	t.Parallel()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, schema, body string
		ok                 bool
	}{
		// Request bodies: never an empty array or string.
		{"upload", "DeviceBatchCreationRequest", `{"batchId":"Test batch","devices":[{"hardwareHash":"T0FC","serialNumber":"1R9"}]}`, true},
		{"upload with profile", "DeviceBatchCreationRequest", `{"batchId":"b","devices":[{"productKey":"00329","policies":[{"key":"o_o_b_e","value":"p1"}]}]}`, true},
		{"upload policies []", "DeviceBatchCreationRequest", `{"batchId":"b","devices":[{"productKey":"00329","policies":[]}]}`, false},
		{"upload policy value null", "DeviceBatchCreationRequest", `{"batchId":"b","devices":[{"productKey":"00329","policies":[{"key":"o_o_b_e","value":null}]}]}`, false},
		{"upload no devices", "DeviceBatchCreationRequest", `{"batchId":"b","devices":[]}`, false},
		{"upload empty name", "DeviceBatchCreationRequest", `{"batchId":"","devices":[{"productKey":"1"}]}`, false},
		{"upload no name", "DeviceBatchCreationRequest", `{"devices":[{"productKey":"1"}]}`, false},
		{"upload empty serial", "DeviceBatchCreationRequest", `{"batchId":"b","devices":[{"productKey":"1","serialNumber":""}]}`, false},
		{"policy update", "DevicePolicyUpdateRequest", `{"devices":[{"id":"d1","policies":[{"key":"o_o_b_e","value":"p1"}]}]}`, true},
		{"policy update policies []", "DevicePolicyUpdateRequest", `{"devices":[{"id":"d1","policies":[]}]}`, false},
		{"policy update no devices", "DevicePolicyUpdateRequest", `{"devices":[]}`, false},
		// Responses: what the service sends, quirks included.
		{"device policy value null", "Device", `{"id":"d","policies":[{"key":"o_o_b_e","value":null}]}`, true},
		{"status queued", "BatchUploadDetails", `{"batchTrackingId":"t","status":"queued","startedTime":null,"completedTime":null}`, true},
		{"status unknown to the document", "BatchUploadDetails", `{"batchTrackingId":"t","status":"cancelled_by_operator"}`, true},
		{"status done", "BatchUploadDetails", `{"batchTrackingId":"t","status":"finished_with_errors","startedTime":"2017-08-09T14:43:26.0092288","completedTime":"2017-08-09T14:43:31","devicesStatus":[{"deviceId":null,"serialNumber":"2R9","productKey":null,"status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"}]}`, true},
		{"status bad date", "BatchUploadDetails", `{"batchTrackingId":"t","status":"finished","completedTime":"soon"}`, false},
		{"status numeric errorCode", "BatchUploadDetails", `{"batchTrackingId":"t","status":"finished","devicesStatus":[{"status":"failed","errorCode":806}]}`, true},
		{"status null errorCode", "BatchUploadDetails", `{"batchTrackingId":"t","status":"finished","devicesStatus":[{"status":"success","errorCode":null}]}`, true},
		{"status fractional errorCode", "BatchUploadDetails", `{"batchTrackingId":"t","status":"finished","devicesStatus":[{"status":"failed","errorCode":806.5}]}`, false},
		{"status bool errorCode", "BatchUploadDetails", `{"batchTrackingId":"t","status":"finished","devicesStatus":[{"status":"failed","errorCode":true}]}`, false},
		{"profile", "ConfigurationPolicy", `{"id":"p","name":"n","category":"o_o_b_e","devicesAssigned":0,"policySettings":["skip_eula"],"createdDate":"2017-01-01T00:00:00.1234567-08:00","lastModifiedDate":"2017-01-01T00:00:00-08:00"}`, true},
		{"customer", "Customer", `{"id":"47021739-3426-40bf-9601-61b4b6d7c793","companyProfile":{"tenantId":"47021739-3426-40bf-9601-61b4b6d7c793","domain":"contoso.onmicrosoft.com","companyName":"Contoso"},"relationshipToPartner":"reseller"}`, true},
		{"customer id not a GUID", "Customer", `{"id":"contoso"}`, false},
		{"customers next page", "CustomerCollection", `{"totalCount":1,"items":[{"id":"47021739-3426-40bf-9601-61b4b6d7c793"}],"links":{"next":{"uri":"/v1/customers?size=500&seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"+RID:~a,b/c=="}]}}}`, true},
		{"status link", "BatchJobStatusLink", `{"uri":"/customers/c/batchJobStatus/t","method":"GET","headers":[]}`, true},
		// Errors: three shapes, any of them.
		{"error v1 numeric", "ErrorResponse", `{"code":600,"description":"The customer was not found.","data":[],"source":"PartnerFD"}`, true},
		{"error v1 string code 0", "ErrorResponse", `{"code":"0","description":"{\"error\":\"x\"}"}`, true},
		{"error v1 entities", "ErrorResponse", `{"code":400,"description":"The batch &#39;x&#39; is invalid."}`, true},
		{"error v2", "ErrorResponse", `{"code":0,"message":"Bad request","errorName":"BadRequest","isRetryable":false,"parameters":{"a":"b"},"errorMessageExtended":"x"}`, true},
		{"throttling", "ErrorResponse", `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`, true},
		{"not an error", "ErrorResponse", `{"error":"nope"}`, false},
		{"error code object", "ErrorResponse", `{"code":{"x":1},"description":"d"}`, false},
	} {
		err := schemaCheck(t, doc, tc.schema, tc.body)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// TestFixturesMatchTheDocument checks the fixtures of the new operations
// against their 200 answers, so tests built on them use real shapes.
func TestFixturesMatchTheDocument(t *testing.T) {
	t.Parallel()
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema string
		body   []byte
	}{
		{"BatchUploadDetails", fixtures.BatchUploadStatus},
		{"CustomerCollection", fixtures.Customers},
		{"ConfigurationPolicyCollection", fixtures.Policies},
	} {
		if err := schemaCheck(t, doc, tc.schema, string(tc.body)); err != nil {
			t.Errorf("%s fixture: %v", tc.schema, err)
		}
	}
}
