package wrapper

import (
	"errors"
	"fmt"
	"net/http"
)

// NetworkError is returned when a request got no answer at all: the
// connection was refused or reset, a try timed out, TLS failed, the call's
// context ended. It carries the MS-RequestId and MS-CorrelationId the
// request was sent with, to quote to Microsoft support like a
// *ResponseError's. Err is the transport's error: errors.Is(err,
// context.DeadlineExceeded) and errors.As(err, new(*net.OpError)) see
// through it. Inspect it with errors.As.
type NetworkError struct {
	// Method and URL of the request (no query or credentials).
	Method, URL string
	// RequestID and CorrelationID the request was sent with.
	RequestID, CorrelationID string
	// Err is the transport's or the context's error.
	Err error
}

// Error returns one line: the request, what failed and the ids.
func (e *NetworkError) Error() string {
	return fmt.Sprintf("%s %s: %s [MS-RequestId: %s, MS-CorrelationId: %s]",
		e.Method, e.URL, oneLine(errText(e.Err)), orUnknown(e.RequestID), orUnknown(e.CorrelationID))
}

// Unwrap returns the transport's error.
func (e *NetworkError) Unwrap() error { return e.Err }

// networkError wraps a failure of the pipeline that came with no answer.
// A credential's failure stays an *AuthenticationError: it is not the
// network's; a throttling pause that refused the request is returned as
// the *ThrottlePauseError itself, and an option a policy refused (a zero
// drift.Policy, say) as the *InvalidArgumentError: nothing was sent.
func (c *Client) networkError(req *http.Request, err error) error {
	var ae *AuthenticationError
	var ne *NetworkError
	var pe *ThrottlePauseError
	var ie *InvalidArgumentError
	if errors.As(err, &pe) {
		return pe
	}
	if errors.As(err, &ie) {
		return ie
	}
	if req == nil || errors.As(err, &ae) || errors.As(err, &ne) {
		return err
	}
	return &NetworkError{
		Method:        req.Method,
		URL:           c.secrets.redact(redactedURL(req)),
		RequestID:     req.Header.Get("MS-RequestId"),
		CorrelationID: req.Header.Get("MS-CorrelationId"),
		Err:           c.secrets.redactErr(err),
	}
}
