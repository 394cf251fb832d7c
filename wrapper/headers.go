package wrapper

import (
	"context"
	"net/http"

	"github.com/google/uuid"
)

type correlationKey struct{}

// WithCorrelationID returns a context whose calls send id as
// MS-CorrelationId instead of the client's, to tie the calls of one job
// together in Partner Center's logs. id must be a GUID; the call fails with
// an *InvalidArgumentError before any request otherwise.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

func (c *Client) correlationFor(ctx context.Context) (string, error) {
	if v, ok := ctx.Value(correlationKey{}).(string); ok {
		if _, err := parseGUID("correlation id", v); err != nil {
			return "", err
		}
		return v, nil
	}
	return c.correlationID.String(), nil
}

// callHeaders are the Partner Center headers of one call: the same on every
// try and every page request it makes, except the request id, which is
// new per page (each page is its own call).
type callHeaders struct {
	requestID     string
	correlationID string
}

func newCallHeaders(correlationID string) callHeaders {
	return callHeaders{requestID: uuid.NewString(), correlationID: correlationID}
}

// setHeaders adds Partner Center's request headers (the Authorization
// header is added by authorize).
func (c *Client) setHeaders(req *http.Request, h callHeaders) {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MS-RequestId", h.requestID)
	req.Header.Set("MS-CorrelationId", h.correlationID)
	req.Header.Set("X-Locale", c.locale)
	req.Header.Set("User-Agent", c.userAgent)
	if c.application != "" {
		req.Header.Set("MS-PartnerCenter-Application", c.application)
	}
}
