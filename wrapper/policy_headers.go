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
	n := 4
	if p.c.application != "" {
		n++
	}
	h := headerSet{h: req.Raw().Header, vals: make([]string, 0, n)}
	h.setDefault(hdrAccept, "application/json")
	if h.missing(hdrRequestID) {
		h.add(hdrRequestID, newRequestID())
	}
	h.setDefault(hdrCorrelationID, p.c.correlationFor(req.Raw().Context()))
	h.setDefault(hdrLocale, p.c.locale)
	if p.c.application != "" {
		h.setDefault(hdrApplication, p.c.application)
	}
	return req.Next()
}

// headerSet adds header values that share one backing array (each value
// its own capped slice, as http.Header.Clone does): one allocation per
// call instead of one per header.
type headerSet struct {
	h    http.Header
	vals []string
}

func (s *headerSet) missing(key string) bool {
	v := s.h[key]
	return len(v) == 0 || v[0] == ""
}

// setDefault sets key, a canonical name, unless the request carries it.
func (s *headerSet) setDefault(key, value string) {
	if s.missing(key) {
		s.add(key, value)
	}
}

func (s *headerSet) add(key, value string) {
	n := len(s.vals)
	s.vals = append(s.vals, value)
	s.h[key] = s.vals[n : n+1 : n+1]
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

// checkContext validates what a call's context carries, before any I/O.
func checkContext(ctx context.Context) error {
	if v, ok := ctx.Value(correlationKey{}).(string); ok {
		return checkGUID("correlation id", v)
	}
	return nil
}
