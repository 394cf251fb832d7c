package wrapper

import (
	"context"
	"crypto/rand"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

// The headers' canonical names: the header map is indexed with them
// directly, so no call pays for canonicalizing "MS-RequestId" again.
var (
	hdrAccept        = http.CanonicalHeaderKey("Accept")
	hdrRequestID     = http.CanonicalHeaderKey("MS-RequestId")
	hdrCorrelationID = http.CanonicalHeaderKey("MS-CorrelationId")
	hdrLocale        = http.CanonicalHeaderKey("X-Locale")
	hdrApplication   = http.CanonicalHeaderKey("MS-PartnerCenter-Application")
)

// headersPolicy adds Partner Center's request headers once per call, before
// azcore's retry policy: so every retry of a call carries the same
// MS-RequestId (Partner Center's idempotency key) and each new call a new
// one. Headers already on the request (from generated parameters) win.
type headersPolicy struct{ c *Client }

// Do implements policy.Policy.
func (p headersPolicy) Do(req *policy.Request) (*http.Response, error) {
	h := req.Raw().Header
	// The values share one backing array, each its own capped slice (as
	// http.Header.Clone does): one allocation per call, not one per header.
	vals := make([]string, 0, 5) // every header setDefault may set
	setDefault := func(key, value string) {
		if v := h[key]; len(v) == 0 || v[0] == "" {
			vals = append(vals, value)
			h[key] = vals[len(vals)-1 : len(vals) : len(vals)]
		}
	}
	setDefault(hdrAccept, "application/json")
	setDefault(hdrRequestID, requestIDFor(req.Raw().Context()))
	setDefault(hdrCorrelationID, p.c.correlationFor(req.Raw().Context()))
	setDefault(hdrLocale, p.c.locale)
	if p.c.application != "" {
		setDefault(hdrApplication, p.c.application)
	}
	return req.Next()
}

type callKey struct{}

// callContext is the context of the call a try belongs to (recorded by
// Client.begin, which every operation opens with), as the caller
// passed it: its deadline is the call's, and it ends when the caller's
// ends. azcore's retry policy gives each try a context of its own, with
// RetryOptions.TryTimeout as deadline, which bounds sending one try only:
// how long the call may wait between tries (a Retry-After, the client's
// throttle) is the call's context's business.
func callContext(ctx context.Context) context.Context {
	if c, ok := ctx.Value(callKey{}).(context.Context); ok {
		return c
	}
	return ctx
}

type requestIDKey struct{}

// requestIDContext carries a call's MS-RequestId: one allocation, where
// context.WithValue would box the id in a second.
type requestIDContext struct {
	context.Context
	id string
}

// Value implements context.Context.
func (c *requestIDContext) Value(key any) any {
	if key == (requestIDKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// withRequestID returns ctx whose pipeline calls send id as MS-RequestId:
// for one call the service sees that the client sends as several pipeline
// calls (a page read again after its body was cut), so that every try of
// it carries the same id, as Partner Center's idempotency key requires.
func withRequestID(ctx context.Context, id string) context.Context {
	return &requestIDContext{ctx, id}
}

// requestIDFor is the MS-RequestId of a pipeline call: the one
// withRequestID set, else a new one.
func requestIDFor(ctx context.Context) string {
	if c, ok := ctx.Value(requestIDKey{}).(*requestIDContext); ok {
		return c.id
	}
	return newRequestID()
}

// newRequestID returns a new random (version 4) GUID for MS-RequestId,
// from crypto/rand into a buffer on the stack.
func newRequestID() string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])  // never fails (crypto/rand)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u.String()
}

type correlationKey struct{}

// WithCorrelationID returns a context whose calls send id as
// MS-CorrelationId instead of the client's, to tie the calls of one job
// together in Partner Center's logs. id must be a GUID; a call made with
// another value fails with an *InvalidArgumentError before any request.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

func (c *Client) correlationFor(ctx context.Context) string {
	if v, ok := ctx.Value(correlationKey{}).(string); ok && v != "" {
		return v
	}
	return c.correlationID
}
