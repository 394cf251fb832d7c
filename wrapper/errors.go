package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/partnercenter-go/devicebatches/generated"
)

// maxErrorBody bounds how much of a failed answer is read: an HTML error
// page or a runaway gateway must not exhaust memory.
const maxErrorBody = 1 << 20

// ResponseError is returned for every non-2xx answer from Partner Center.
// Inspect it with errors.As:
//
//	var re *wrapper.ResponseError
//	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound { ... }
type ResponseError struct {
	// Method and URL of the request that failed (no credentials in either).
	Method string
	URL    string
	// StatusCode and Status of the answer, such as 404 and "404 Not Found".
	StatusCode int
	Status     string
	// Code is Partner Center's error code as text ("600", or a string code);
	// empty when the body carried none (throttling answers, HTML pages).
	Code string
	// Description is Partner Center's error description, or the throttling
	// message.
	Description string
	// Source is the Partner Center component that failed, such as PartnerFD.
	Source string
	// RequestID and CorrelationID identify the call for Microsoft support:
	// the service's MS-RequestId and MS-CorrelationId response headers, or
	// the ones sent when the answer lacked them.
	RequestID     string
	CorrelationID string
	// RetryAfter is how long the service asked to wait (Retry-After,
	// retry-after-ms, or the throttling message), zero when it did not say.
	RetryAfter time.Duration
	// ContentType of the answer, and its body, read up to 1 MiB.
	ContentType string
	Body        []byte
}

// Error returns one line: operation, status, Partner Center code and
// description, and the ids to quote to Microsoft support.
func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %s", e.Method, e.URL, e.statusText())
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
	fmt.Fprintf(&b, " [MS-RequestId: %s, MS-CorrelationId: %s]", orUnknown(e.RequestID), orUnknown(e.CorrelationID))
	return b.String()
}

func (e *ResponseError) statusText() string {
	if e.Status != "" {
		return e.Status
	}
	return strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
}

// Throttled reports whether Partner Center refused the call for its rate
// limit (HTTP 429).
func (e *ResponseError) Throttled() bool { return e.StatusCode == http.StatusTooManyRequests }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// DecodeError is returned when a 2xx answer's body is not the JSON the
// document promises (garbage, HTML, truncated). Inspect it with errors.As.
type DecodeError struct {
	Method, URL   string
	StatusCode    int
	ContentType   string
	RequestID     string
	CorrelationID string
	// Err is the decoding or reading error.
	Err error

	// transport: reading the body failed (not its content), so another try
	// may succeed.
	transport bool
}

// Error returns one line naming the call, the problem and the ids.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d answer could not be read as %s JSON: %v [MS-RequestId: %s, MS-CorrelationId: %s]",
		e.Method, e.URL, e.StatusCode, "Partner Center", e.Err, orUnknown(e.RequestID), orUnknown(e.CorrelationID))
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

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
	if e.Value == "" {
		return e.Argument + " " + e.Problem
	}
	return fmt.Sprintf("%s %q %s", e.Argument, e.Value, e.Problem)
}

// PagingError is returned when a paged collection cannot be followed: the
// service repeated a continuation token or link (a loop), or a link points
// to another host or uses a method other than GET.
type PagingError struct {
	// Pages is how many pages were read before the problem.
	Pages int
	// Reason says what went wrong.
	Reason string
}

// Error returns one line.
func (e *PagingError) Error() string {
	return fmt.Sprintf("paging stopped after %d pages: %s", e.Pages, e.Reason)
}

// newResponseError reads (at most maxErrorBody of) a failed answer and
// closes its body.
func newResponseError(resp *http.Response, sentRequestID, sentCorrelationID string, now time.Time) *ResponseError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	drainAndClose(resp.Body)
	e := &ResponseError{
		Method:        resp.Request.Method,
		URL:           redactedURL(resp.Request),
		StatusCode:    resp.StatusCode,
		Status:        resp.Status,
		RequestID:     firstNonEmpty(resp.Header.Get("MS-RequestId"), sentRequestID),
		CorrelationID: firstNonEmpty(resp.Header.Get("MS-CorrelationId"), sentCorrelationID),
		ContentType:   resp.Header.Get("Content-Type"),
		Body:          body,
	}
	e.parseBody(stripBOM(body))
	e.RetryAfter = retryAfter(resp.Header, e.Description, now)
	return e
}

func (e *ResponseError) parseBody(body []byte) {
	if len(body) == 0 || !isJSONContent(e.ContentType, body) {
		return
	}
	// The two shapes the document lists: Partner Center's error and the
	// gateway's throttling body. Decoded loosely: a 5xx may be half-formed.
	var pc struct {
		generated.PartnerCenterError
		StatusCode json.RawMessage `json:"statusCode"`
		Message    string          `json:"message"`
	}
	if json.Unmarshal(body, &pc) != nil {
		return
	}
	e.Code = errorCodeText(pc.Code)
	e.Description = oneLine(deref(pc.Description))
	e.Source = deref(pc.Source)
	if e.Description == "" {
		e.Description = oneLine(pc.Message)
	}
}

// errorCodeText renders Partner Center's error code, a number in real
// answers and a string in the documentation, as text.
func errorCodeText(c generated.ErrorCode) string {
	raw, err := c.MarshalJSON()
	if err != nil || len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if n, err := c.AsErrorCode0(); err == nil && raw[0] != '"' {
		return strconv.Itoa(n)
	}
	if s, err := c.AsErrorCode1(); err == nil {
		return oneLine(s)
	}
	return oneLine(string(raw))
}

func isJSONContent(ct string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(ct); err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json") {
		return true
	}
	// Some gateways label JSON as text/plain or send no type at all.
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// oneLine folds a service-provided text into one printable line of at most
// 500 characters, so an error message stays one line whatever was sent.
func oneLine(s string) string {
	const max = 500
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || r == ' ' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// redactedURL is the request's URL without query or user info; the path of
// a Partner Center request carries ids, never secrets.
func redactedURL(req *http.Request) string {
	if req == nil || req.URL == nil {
		return ""
	}
	u := *req.URL
	u.User = nil
	u.RawQuery = ""
	u.Fragment = ""
	return u.String()
}

// drainAndClose reads a little of what is left so the connection can be
// reused, then closes the body.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

var errNilBody = errors.New("the answer has no body")
