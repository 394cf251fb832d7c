package wrapper

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/pchttp"
	"github.com/partnercenter-go/devicebatches/internal/safetext"
)

// ResponseError is returned for every non-2xx answer from Partner Center.
// Inspect it with errors.As:
//
//	var re *wrapper.ResponseError
//	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound { ... }
type ResponseError struct {
	// Method and URL of the request that failed (no credentials in either).
	Method string
	URL    string
	// StatusCode of the answer, such as 404.
	StatusCode int
	// Code is Partner Center's error code as text ("600", or a string
	// code); empty when the body carried none (throttling answers, HTML).
	Code string
	// Description is Partner Center's error description (or message), on
	// one line, HTML entities unescaped, control and bidi characters
	// escaped, at most 2 KiB (then "(truncated)"). The client's bearer
	// token and anything shaped like a JWT are replaced by REDACTED here,
	// in Code, Source, ErrorName, the ids and Body.
	Description string
	// Source is the Partner Center component that failed, such as PartnerFD.
	Source string
	// ErrorName and IsRetryable are set when the service sent them.
	ErrorName   string
	IsRetryable *bool
	// RequestID and CorrelationID identify the call for Microsoft support:
	// the answer's MS-RequestId and MS-CorrelationId, or the ones sent when
	// the answer lacked them.
	RequestID     string
	CorrelationID string
	// RetryAfter is how long the service asked to wait, zero when it did
	// not say. When it is longer than the retry policy's MaxRetryDelay, or
	// than the context's deadline allows, the call was not retried.
	RetryAfter time.Duration
	// ContentType of the answer, and its body, read up to 1 MiB, with
	// secrets replaced by REDACTED. A secret the server sent escaped (JSON's
	// \u002B or \/, HTML's &#43;) is found too; the body is then not
	// byte-exact: a JSON body is re-encoded with its strings cleaned, any
	// other is given with those escapes decoded.
	ContentType string
	Body        []byte

	// note says why a retriable answer was not retried.
	note string
}

// Error returns one line: operation, status, Partner Center code and
// description, and the ids to quote to Microsoft support.
func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	switch {
	case e.Code != "" && e.Description != "":
		fmt.Fprintf(&b, ": Partner Center error %s: %s", e.Code, e.Description)
	case e.Code != "":
		fmt.Fprintf(&b, ": Partner Center error %s", e.Code)
	case e.Description != "":
		fmt.Fprintf(&b, ": %s", e.Description)
	case len(e.Body) > 0:
		fmt.Fprintf(&b, ": %d-byte %s body that is not a Partner Center error", len(e.Body), orUnknown(e.ContentType))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.note != "" {
		fmt.Fprintf(&b, " (not retried: %s)", e.note)
	}
	fmt.Fprintf(&b, " [MS-RequestId: %s, MS-CorrelationId: %s]", orUnknown(e.RequestID), orUnknown(e.CorrelationID))
	return b.String()
}

// Throttled reports whether Partner Center refused the call for its rate
// limit (HTTP 429).
func (e *ResponseError) Throttled() bool { return e.StatusCode == http.StatusTooManyRequests }

// responseError reads (at most 1 MiB of) a failed answer and closes it.
// Every text that came from the server is cleaned of the client's bearer
// tokens and of anything shaped like a JWT, and a wait the service asked
// for but that was not waited is explained.
func (c *Client) responseError(resp *http.Response) *ResponseError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+errorBodyMargin))
	resp.Body.Close()
	// Redacted, then cut: a token the server echoed across the bound must
	// not leave a prefix of itself.
	kept := c.secrets.redactBody(body)
	if len(kept) > maxErrorBody {
		kept = kept[:maxErrorBody]
	}
	e := &ResponseError{
		Method: resp.Request.Method, URL: c.secrets.redact(redactedURL(resp.Request)), StatusCode: resp.StatusCode,
		RequestID: c.answerID(resp, "MS-RequestId"), CorrelationID: c.answerID(resp, "MS-CorrelationId"),
		ContentType: c.secrets.line(resp.Header.Get("Content-Type"), 200), Body: kept,
		RetryAfter: pchttp.RetryAfter(resp.Header, time.Now()),
	}
	decodeErrorBody(body, e, c.secrets.redact)
	if e.RetryAfter > 0 {
		// The call's deadline, not its last try's (TryTimeout).
		dl, ok := callContext(resp.Request.Context()).Deadline()
		switch {
		case ok && time.Now().Add(e.RetryAfter).After(dl):
			e.note = fmt.Sprintf("waiting %s would pass the call's deadline, %s away", e.RetryAfter, roundWait(max(time.Until(dl), 0)))
		case e.RetryAfter > c.maxRetryDelay:
			e.note = fmt.Sprintf("the service asked to wait %s, more than the retry policy's MaxRetryDelay of %s", e.RetryAfter, c.maxRetryDelay)
		}
	}
	return e
}

// answerID is an id header (MS-RequestId, MS-CorrelationId) of the answer,
// or of the request when the answer lacks it, on one bounded line and
// cleaned of secrets.
func (c *Client) answerID(resp *http.Response, name string) string {
	v := cmp.Or(resp.Header.Get(name), resp.Request.Header.Get(name))
	return c.secrets.line(v, 200)
}

// DecodeError is returned when a 2xx answer's body is not the JSON the
// document promises (garbage, HTML, truncated, a required property
// missing, larger than the client reads), or when the upload status link
// of an accepted upload or profile assignment cannot be used (missing, on
// another host, or with a tracking id that holds the client's token or
// control characters: the request was accepted all the same). Inspect it
// with errors.As.
type DecodeError struct {
	Method, URL   string
	StatusCode    int
	ContentType   string
	RequestID     string
	CorrelationID string
	// Err is the decoding or reading error.
	Err error

	// problem replaces "could not be read as Partner Center JSON" when the
	// answer was read but cannot be used.
	problem string
}

// Error returns one line naming the call, the problem and the ids.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d answer %s: %s [MS-RequestId: %s, MS-CorrelationId: %s]",
		e.Method, e.URL, e.StatusCode, cmp.Or(e.problem, "could not be read as Partner Center JSON"), oneLine(errText(e.Err)), orUnknown(e.RequestID), orUnknown(e.CorrelationID))
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// decodeError describes a 2xx answer that could not be read, cleaned of
// the client's secrets (a server may echo the token into a header, and a
// decoder's message may quote the body).
func (c *Client) decodeError(resp *http.Response, err error) *DecodeError {
	return &DecodeError{
		Method: resp.Request.Method, URL: c.secrets.redact(redactedURL(resp.Request)), StatusCode: resp.StatusCode,
		ContentType: c.secrets.line(resp.Header.Get("Content-Type"), 200),
		RequestID:   c.answerID(resp, "MS-RequestId"), CorrelationID: c.answerID(resp, "MS-CorrelationId"),
		Err: c.secrets.redactErr(err),
	}
}

// InvalidArgumentError reports input refused before any request was made,
// such as a customer id that is not a GUID. Inspect it with errors.As.
type InvalidArgumentError struct {
	// Argument names the input ("customer id", "base URL", ...).
	Argument string
	// Value is the input as given (empty when showing it would not help).
	Value string
	// Problem says what is wrong and what to do.
	Problem string
}

// Error returns one line saying what to fix.
func (e *InvalidArgumentError) Error() string {
	arg, problem := cmp.Or(e.Argument, "an argument"), cmp.Or(e.Problem, "is not valid")
	if e.Value == "" {
		return arg + " " + problem
	}
	return fmt.Sprintf("%s %s %s", arg, strconv.Quote(e.Value), problem)
}

// PagingError is returned when a paged collection cannot be followed: the
// service repeated a continuation token or link (a loop), or a link points
// to another host or uses a method other than GET.
type PagingError struct {
	// Pages is how many pages were read before the problem.
	Pages int
	// Reason says what went wrong.
	Reason string
	// RequestID and CorrelationID identify, for Microsoft support, the
	// call whose page broke paging (the last page read): its answer's
	// MS-RequestId and MS-CorrelationId, or the ones sent when the answer
	// lacked them.
	RequestID, CorrelationID string
}

// Error returns one line, with the ids to quote to Microsoft support.
func (e *PagingError) Error() string {
	return fmt.Sprintf("paging stopped after %d pages: %s [MS-RequestId: %s, MS-CorrelationId: %s]", e.Pages, e.Reason, orUnknown(e.RequestID), orUnknown(e.CorrelationID))
}

// pagingError is a *PagingError after pages pages, naming the ids of last,
// the answer of the last page read (nil when there was none).
func (c *Client) pagingError(last *http.Response, pages int, reason string) *PagingError {
	e := &PagingError{Pages: pages, Reason: reason}
	if last != nil && last.Request != nil {
		e.RequestID, e.CorrelationID = c.answerID(last, "MS-RequestId"), c.answerID(last, "MS-CorrelationId")
	}
	return e
}

// oneLine folds a service-provided text into one printable line of at most
// 2 KiB (then "(truncated)"), with terminal control characters and Unicode
// bidi controls escaped, so an error message stays one honest line
// whatever was sent.
func oneLine(s string) string { return safetext.Line(s, safetext.MaxLine) }

func orUnknown(s string) string { return cmp.Or(s, "unknown") }

// errText is err's message; a hand-built error value may have no cause.
func errText(err error) string {
	if err == nil {
		return "(no cause recorded)"
	}
	return err.Error()
}

// redactedURL is the request's URL without query or user info; the path of
// a Partner Center request carries ids, never secrets.
func redactedURL(req *http.Request) string {
	if req == nil || req.URL == nil {
		return ""
	}
	u := *req.URL
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
