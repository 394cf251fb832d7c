package drift_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/openapi"
	"github.com/partnercenter-go/devicebatches/wrapper"
	"github.com/partnercenter-go/devicebatches/wrapper/drift"
)

const customer = "47021739-3426-40bf-9601-61b4b6d7c793"

// recorder collects deviations.
type recorder struct {
	mu  sync.Mutex
	got []drift.Deviation
}

func (r *recorder) report(d drift.Deviation) {
	r.mu.Lock()
	r.got = append(r.got, d)
	r.mu.Unlock()
}

func (r *recorder) all() []drift.Deviation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]drift.Deviation(nil), r.got...)
}

// newClient returns a wrapper client on base with the drift policy and the
// deviations it reports.
func newClient(t *testing.T, base, token string) (*wrapper.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	p, err := drift.NewPolicy(rec.report)
	if err != nil {
		t.Fatal(err)
	}
	o := &wrapper.ClientOptions{BaseURL: base}
	o.PerRetryPolicies = append(o.PerRetryPolicies, p)
	o.Retry.MaxRetries = -1
	c, err := wrapper.NewClient(wrapper.StaticToken(token), o)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func sandboxClient(t *testing.T, o sandbox.Options) (*wrapper.Client, *recorder) {
	t.Helper()
	s, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return newClient(t, srv.URL, "sandbox-token")
}

func TestEmbeddedDocumentIsTheFile(t *testing.T) {
	b, err := os.ReadFile("../../openapi/partnercenter.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, openapi.Document) {
		t.Fatalf("openapi.Document (%d bytes) differs from openapi/partnercenter.yaml (%d bytes)", len(openapi.Document), len(b))
	}
}

func TestNoDeviationsFromTheSandbox(t *testing.T) {
	c, rec := sandboxClient(t, sandbox.Options{PageSize: 1})
	ctx := context.Background()
	batches, err := c.ListDeviceBatches(ctx, customer)
	if err != nil || len(batches) == 0 {
		t.Fatalf("ListDeviceBatches: %d, %v", len(batches), err)
	}
	devices, err := c.ListDevices(ctx, customer, batches[0].Id)
	if err != nil || len(devices) < 2 {
		t.Fatalf("ListDevices: %d, %v (the test needs a paged batch)", len(devices), err)
	}
	// An error answer the document lists is no deviation either.
	if _, err := c.ListDeviceBatches(ctx, "00000000-0000-0000-0000-000000000001"); err == nil {
		t.Fatal("unknown customer listed")
	}
	for _, d := range rec.all() {
		t.Errorf("deviation from the sandbox: %s", d)
	}
}

// TestEachDriftIsReportedWithItsPath: every kind of sandbox drift is
// reported once per answer with the JSON path, kind and expectation.
func TestEachDriftIsReportedWithItsPath(t *testing.T) {
	tests := []struct {
		drift    sandbox.Drift
		devices  bool // list a batch's (paged) devices instead of the batches
		kind     string
		path     string
		expected string
		got      string
		decodes  bool // the wrapper still returns the listing
	}{
		{sandbox.DriftUnknownField, false, drift.KindUnknownField, "/items/0/sandboxDrift", "only properties the document names", `"a property the document does not name"`, true},
		{sandbox.DriftUnknownField, true, drift.KindUnknownField, "/items/0/sandboxDrift", "only properties the document names", `"a property the document does not name"`, true},
		{sandbox.DriftMissingRequired, false, drift.KindRequired, "/items/0/id", `required property "id"`, "nothing", false},
		{sandbox.DriftWrongType, false, drift.KindType, "/items/0/devicesCount", "type integer", `"`, false},
		{sandbox.DriftWrongType, true, drift.KindType, "/totalCount", "type integer", `"1"`, false},
		{sandbox.DriftUnknownEnum, false, drift.KindEnum, "/items/0/devicesLink/method", "one of GET, POST, PUT, PATCH, DELETE", `"SEEK"`, true},
		{sandbox.DriftUnknownEnum, true, drift.KindEnum, "/links/next/method", "one of GET, POST, PUT, PATCH, DELETE", `"SEEK"`, false},
		{sandbox.DriftLinkShape, false, drift.KindType, "/items/0/devicesLink", "type object", `"/customers/`, false},
		{sandbox.DriftLinkShape, true, drift.KindType, "/links/next", "type object", `"/customers/`, false},
	}
	for _, tt := range tests {
		name := string(tt.drift)
		if tt.devices {
			name += "/devices"
		}
		t.Run(name, func(t *testing.T) {
			c, rec := sandboxClient(t, sandbox.Options{PageSize: 1, Drift: []sandbox.Drift{tt.drift}})
			ctx := context.Background()
			var n int
			var err error
			if tt.devices {
				var ds []wrapper.Device
				ds, err = c.ListDevices(ctx, customer, "Test batch")
				n = len(ds)
			} else {
				var bs []wrapper.DeviceBatch
				bs, err = c.ListDeviceBatches(ctx, customer)
				n = len(bs)
			}
			if tt.decodes && (err != nil || n == 0) {
				t.Errorf("tolerant decoding failed: %d items, %v", n, err)
			}
			devs := rec.all()
			if len(devs) == 0 {
				t.Fatalf("no deviation reported (listing: %d items, %v)", n, err)
			}
			d := devs[0]
			if d.Kind != tt.kind || d.Path != tt.path || d.Expected != tt.expected || !strings.HasPrefix(d.Got, tt.got) || d.Status != 200 {
				t.Errorf("first deviation %+v\nwant kind %s path %s expected %q got %q…", d, tt.kind, tt.path, tt.expected, tt.got)
			}
			wantOp := "listDeviceBatches"
			if tt.devices {
				wantOp = "listDevices"
			}
			// link-shape changes every item's link: the same property of
			// another item is expected then.
			last := tt.path[strings.LastIndex(tt.path, "/"):]
			for _, d := range devs {
				if d.Operation != wantOp || !strings.HasSuffix(d.Path, last) {
					t.Errorf("unexpected deviation %s", d)
				}
			}
			if line := d.String(); strings.Contains(line, "\n") || !strings.Contains(line, wantOp) || !strings.Contains(line, tt.path) {
				t.Errorf("line %q", line)
			}
		})
	}
}

// TestStatusHeadersValuesAndRedaction uses a hand-written server for what
// the sandbox never sends.
func TestStatusHeadersValuesAndRedaction(t *testing.T) {
	const token = "eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.c2lnbmF0dXJl"
	long := strings.Repeat("x", 500)
	tests := []struct {
		name, body, ct string
		status         int
		kind, path     string
		gotHas, gotNot string
	}{
		{"status", `{"code": 1, "description": "teapot"}`, "application/json", 418, drift.KindStatus, "", "418", ""},
		{"token in a value", `{"items":[{"id":"b","devicesCount":"` + token + `"}]}`, "application/json", 200, drift.KindType, "/items/0/devicesCount", "[REDACTED]", "eyJ"},
		{"token as a property name", `{"items":[{"id":"b","devicesCount":1,"` + token + `":1}]}`, "application/json", 200, drift.KindUnknownField, "/items/0/[REDACTED]", "1", ""},
		{"long value", `{"items":[{"id":"b","devicesCount":"` + long + `"}]}`, "application/json", 200, drift.KindType, "/items/0/devicesCount", "…", long[:90]},
		{"not JSON", `<html>gateway</html>`, "text/html", 200, drift.KindContentType, "header:Content-Type", "text/html", ""},
		{"pattern", `{"items":[{"id":"b","creationDate":"yesterday"}]}`, "application/json", 200, drift.KindPattern, "/items/0/creationDate", `"yesterday"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ct)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c, rec := newClient(t, srv.URL, token)
			_, _ = c.ListDeviceBatches(context.Background(), customer)
			devs := rec.all()
			if len(devs) == 0 {
				t.Fatal("no deviation")
			}
			d := devs[0]
			if d.Kind != tt.kind || d.Path != tt.path || !strings.Contains(d.Got, tt.gotHas) || (tt.gotNot != "" && strings.Contains(d.Got, tt.gotNot)) {
				t.Errorf("deviation %+v, want kind %s path %q got containing %q", d, tt.kind, tt.path, tt.gotHas)
			}
			for _, d := range devs {
				if strings.Contains(d.String(), token) || len([]rune(d.Got)) > drift.MaxValue {
					t.Errorf("deviation shows the token or a long value: %s", d)
				}
			}
		})
	}
}

// TestManyDeviationsAreCapped: a thousand bad items give MaxPerResponse
// deviations and one count of the rest.
func TestManyDeviationsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := range 1000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":"b","devicesCount":"1"}`)
	}
	b.WriteString(`]}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(b.String()))
	}))
	defer srv.Close()
	c, rec := newClient(t, srv.URL, "token-1")
	_, _ = c.ListDeviceBatches(context.Background(), customer)
	devs := rec.all()
	if len(devs) != drift.MaxPerResponse+1 || devs[len(devs)-1].Kind != drift.KindTruncated || !strings.HasPrefix(devs[len(devs)-1].Got, "980 more") {
		t.Errorf("%d deviations, last %+v", len(devs), devs[len(devs)-1])
	}
}

func TestNewPolicyNeedsAReport(t *testing.T) {
	if _, err := drift.NewPolicy(nil); err == nil {
		t.Error("nil report accepted")
	}
}

// TestWrapperDoesNotLoadTheValidator: validation costs nothing when off
// because package wrapper does not even link kin-openapi.
func TestWrapperDoesNotLoadTheValidator(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/partnercenter-go/devicebatches/wrapper").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/getkin/") || strings.HasSuffix(pkg, "/internal/contract") {
			t.Errorf("package wrapper depends on %s", pkg)
		}
	}
}

// TestZeroPolicyIsAnInvalidArgument: a Policy that NewPolicy did not make
// (the zero value, or nil) used to panic on the caller's goroutine; the
// call now fails with an *InvalidArgumentError naming NewPolicy, and
// nothing is sent (not even again, as a retry).
func TestZeroPolicyIsAnInvalidArgument(t *testing.T) {
	var hits int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"totalCount":0,"items":[],"attributes":{"objectType":"Collection"}}`))
	}))
	t.Cleanup(srv.Close)
	for name, p := range map[string]*drift.Policy{"zero": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			var tries int
			count := countPolicy(func() { tries++ })
			o := &wrapper.ClientOptions{BaseURL: srv.URL}
			// Even a ShouldRetry that retries everything does not ask again.
			o.Retry = policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Nanosecond, ShouldRetry: func(*http.Response, error) bool { return true }}
			o.PerRetryPolicies = append(o.PerRetryPolicies, count, p)
			c, err := wrapper.NewClient(wrapper.StaticToken("t"), o)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListDeviceBatches(context.Background(), customer)
			var ie *wrapper.InvalidArgumentError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), "drift.NewPolicy") || tries != 1 {
				t.Errorf("err = %T %v after %d tries, want an *InvalidArgumentError naming drift.NewPolicy after 1", err, err, tries)
			}
		})
	}
	if hits != 0 {
		t.Errorf("%d requests reached the server", hits)
	}
}

// countPolicy is a pipeline policy that calls count on every try.
type countPolicy func()

func (c countPolicy) Do(req *policy.Request) (*http.Response, error) { c(); return req.Next() }
