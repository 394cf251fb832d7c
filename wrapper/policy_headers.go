package wrapper

import (
	"context"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

// headersPolicy adds Partner Center's request headers once per call, before
// azcore's retry policy: so every retry of a call carries the same
// MS-RequestId (Partner Center's idempotency key) and each new call a new
// one. Headers already on the request (from generated parameters) win.
type headersPolicy struct {
	c       *Client
	logging bool
}

// Do implements policy.Policy.
func (p headersPolicy) Do(req *policy.Request) (*http.Response, error) {
	h := req.Raw().Header
	setDefault(h, "Accept", "application/json")
	setDefault(h, "MS-RequestId", uuid.NewString())
	setDefault(h, "MS-CorrelationId", p.c.correlationFor(req.Raw().Context()))
	setDefault(h, "X-Locale", p.c.locale)
	if p.c.application != "" {
		setDefault(h, "MS-PartnerCenter-Application", p.c.application)
	}
	if p.logging {
		return req.Clone(withTryCounter(req.Raw().Context())).Next()
	}
	return req.Next()
}

func setDefault(h http.Header, key, value string) {
	if h.Get(key) == "" {
		h.Set(key, value)
	}
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
