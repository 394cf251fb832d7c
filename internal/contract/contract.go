// Package contract validates HTTP traffic against openapi/partnercenter.yaml
// with kin-openapi, for the wrapper's and the sandbox's contract tests.
package contract

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Validator checks requests and responses against the document.
type Validator struct {
	router routers.Router
	opts   *openapi3filter.Options
}

var (
	once      sync.Once
	shared    *Validator
	sharedErr error
)

// New returns a Validator over the embedded document. The document is
// loaded once per process: it never changes at run time.
func New() (*Validator, error) {
	once.Do(func() {
		_, r, err := NewRouter()
		if err != nil {
			sharedErr = err
			return
		}
		shared = &Validator{router: r, opts: FilterOptions()}
	})
	return shared, sharedErr
}

// Request validates req (its body, if any, is restored for the caller).
// It returns the route input needed by Response.
func (v *Validator) Request(ctx context.Context, req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("contract: %s %s: no operation in the document: %w", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: v.opts}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return in, fmt.Errorf("contract: request %s %s: %w", req.Method, req.URL.String(), err)
	}
	return in, nil
}

// Response validates a response to a request that Request accepted. body is
// the whole response body.
// A UTF-8 byte order mark before the body is tolerated, as clients must
// (the real service sends one on some answers), and an empty body where
// the document allows one (EmptyBodyAllowed) is not checked against the
// content the answer may otherwise carry.
func (v *Validator) Response(ctx context.Context, in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	body = bytes.TrimPrefix(body, utf8BOM)
	opts := v.opts
	if len(bytes.TrimSpace(body)) == 0 && EmptyBodyAllowed(responseFor(in.Route, status), header) {
		o := *opts
		o.ExcludeResponseBody = true
		opts = &o
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("contract: response %d to %s %s: %w", status, in.Request.Method, in.Request.URL.Path, err)
	}
	return nil
}

// Transport is an http.RoundTripper that validates every request before
// sending it and every response before returning it. Violations are
// collected (and the response still returned) so a test can report them
// all; Errors returns them.
type Transport struct {
	Next      http.RoundTripper
	Validator *Validator

	mu   sync.Mutex
	errs []error
	seen int
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	in, err := t.Validator.Request(ctx, req)
	t.record(err)
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, rerr := next.RoundTrip(req)
	if rerr != nil || in == nil {
		return resp, rerr
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if rerr != nil {
		// Fault tests cut bodies on purpose; hand the caller what arrived.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.record(t.Validator.Response(ctx, in, resp.StatusCode, resp.Header, body))
	return resp, nil
}

func (t *Transport) record(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seen++
	if err != nil {
		t.errs = append(t.errs, err)
	}
}

// Errors returns every violation seen so far.
func (t *Transport) Errors() []error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]error(nil), t.errs...)
}

var utf8BOM = []byte("\xef\xbb\xbf")

// responseFor is the document's response of route's operation for status,
// nil when it lists none.
func responseFor(route *routers.Route, status int) *openapi3.Response {
	if route == nil || route.Operation == nil || route.Operation.Responses == nil {
		return nil
	}
	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		ref = route.Operation.Responses.Default()
	}
	if ref == nil {
		return nil
	}
	return ref.Value
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
