package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// readError describes a 2xx answer that could not be read: err from the
// decoder, readErr from the body's own reads (nil when the body read
// fine). An answer that stopped arriving because a bound cut it (the
// call's context, the try's Retry.TryTimeout, the stall timeout) is a
// *NetworkError saying so: the JSON was not at fault. Anything else is a
// *DecodeError.
func (c *Client) readError(ctx context.Context, resp *http.Response, readErr, err error) error {
	var why string
	var se *StallError
	switch {
	case readErr == nil:
		return c.decodeError(resp, err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		why = "the call's deadline passed"
	case ctx.Err() != nil:
		why = "the call was cancelled"
	case errors.As(readErr, &se):
		why = "the stall timeout cut it"
	case errors.Is(readErr, context.DeadlineExceeded):
		why = fmt.Sprintf("the try's timeout (Retry.TryTimeout, %s) passed", c.tryTimeout)
	default:
		return c.decodeError(resp, err)
	}
	return &NetworkError{
		Method: resp.Request.Method, URL: c.secrets.redact(redactedURL(resp.Request)),
		RequestID: c.answerID(resp, "MS-RequestId"), CorrelationID: c.answerID(resp, "MS-CorrelationId"),
		Err: fmt.Errorf("the HTTP %d answer stopped arriving before its end: %s: %w", resp.StatusCode, why, c.secrets.redactErr(readErr)),
	}
}
