// Package drift reports where Partner Center's answers differ from the
// OpenAPI document the client was built from (openapi/partnercenter.yaml,
// embedded in the binary): a status or header the document does not name, a
// required property missing, a value of another type, an enum value the
// document does not list, a link in another shape, or a property the
// document does not know.
//
// It is opt-in and kept out of package wrapper on purpose: the validator
// (kin-openapi) is heavy to load, and a client without this policy pays
// nothing for it. Add the policy to the client's per-retry policies:
//
//	p, err := drift.NewPolicy(func(d drift.Deviation) { log.Print(d) })
//	if err != nil { ... }
//	opts := &wrapper.ClientOptions{}
//	opts.PerRetryPolicies = append(opts.PerRetryPolicies, p)
//	client, err := wrapper.NewClient(cred, opts)
//
// Validation never changes what the client returns: the answer's body is
// copied as the client reads it (never read ahead of it) and checked once the
// client has read it to the end.
package drift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// Kinds of Deviation.
const (
	KindOperation    = "operation"     // the request matched no operation of the document
	KindStatus       = "status"        // a status code the operation does not document
	KindHeader       = "header"        // a documented response header missing or malformed
	KindContentType  = "content-type"  // a body that is not JSON where the document says JSON
	KindBody         = "body"          // a body that is not JSON at all
	KindRequired     = "required"      // a required property missing
	KindType         = "type"          // a value of another JSON type
	KindEnum         = "enum"          // a value outside the document's enum
	KindPattern      = "pattern"       // a string not matching the document's pattern or format
	KindSchema       = "schema"        // any other schema rule (minimum, anyOf, ...)
	KindUnknownField = "unknown-field" // a property the document does not name
	KindTruncated    = "truncated"     // more deviations in this answer than are reported one by one
)

// MaxValue is how many characters of an offending value a Deviation shows.
const MaxValue = 80

// MaxPerResponse bounds the deviations reported for one answer; the rest
// are counted in one last Deviation of kind KindTruncated.
const MaxPerResponse = 20

// MaxBody bounds the body copied for validation. A larger answer is passed
// through untouched and not validated.
const MaxBody = 256 << 20

// Deviation is one difference between an answer and the document.
type Deviation struct {
	// Operation is the document's operationId, such as listDeviceBatches
	// (GET /v1/customers/{customer-id}/deviceBatches); empty when the
	// request matched no operation.
	Operation string
	// Status is the answer's HTTP status code.
	Status int
	// Kind classifies the deviation: one of the Kind constants.
	Kind string
	// Path is the JSON pointer of the value in the body ("/items/0/id"),
	// "header:Location" for a header, empty for the status or the whole body.
	Path string
	// Expected is what the document asks for, such as `type integer`.
	Expected string
	// Got is what arrived, as JSON, truncated to MaxValue characters, with
	// anything that looks like a token redacted.
	Got string
}

// String is the deviation on one line:
// "listDeviceBatches HTTP 200 /items/0/devicesCount: expected type integer, got \"12\"".
func (d Deviation) String() string {
	op := d.Operation
	if op == "" {
		op = "(no operation)"
	}
	where := d.Path
	if where == "" {
		where = "(" + d.Kind + ")"
	}
	return fmt.Sprintf("%s HTTP %d %s: expected %s, got %s", op, d.Status, where, d.Expected, d.Got)
}

// Policy is the validating azcore pipeline policy NewPolicy returns.
type Policy struct {
	router routers.Router
	report func(Deviation)
	opts   *openapi3filter.Options
	schema []openapi3.SchemaValidationOption
}

var (
	loadOnce sync.Once
	router   routers.Router
	loadErr  error
)

// NewPolicy returns an azcore pipeline policy that validates every answer
// of every try against the embedded document and calls report once per
// deviation (report may be called from several goroutines at once when the
// client is shared). Add it to azcore.ClientOptions.PerRetryPolicies of
// wrapper.ClientOptions: per try, so that a throttling or error answer that
// is retried is checked too. It applies to every operation of the document
// (GET /v1/customers, GET and POST /v1/customers/{customer-id}/deviceBatches,
// and the others).
func NewPolicy(report func(Deviation)) (*Policy, error) {
	if report == nil {
		return nil, errors.New("drift: report is nil: pass a function that logs each Deviation")
	}
	loadOnce.Do(func() { _, router, loadErr = contract.NewRouter() })
	if loadErr != nil {
		return nil, fmt.Errorf("drift: %w", loadErr)
	}
	opts := contract.FilterOptions()
	opts.MultiError = true
	opts.IncludeResponseStatus = true
	opts.ExcludeResponseBody = true // the body is checked by checkBody, after the headers
	schema := append([]openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}, contract.SchemaOptions()...)
	return &Policy{router: router, report: report, opts: opts, schema: schema}, nil
}

// Do implements policy.Policy. A Policy that NewPolicy did not make (the
// zero Policy, or nil) has no document to check against: the call fails
// with a *wrapper.InvalidArgumentError, and nothing is sent.
func (p *Policy) Do(req *policy.Request) (*http.Response, error) {
	if p == nil || p.router == nil {
		// Not retried: the error is non-retriable (wrapper marks it so).
		return nil, &wrapper.InvalidArgumentError{Argument: "drift policy", Problem: "is a zero drift.Policy: create it with drift.NewPolicy"}
	}
	resp, err := req.Next()
	if err != nil || resp == nil {
		return resp, err
	}
	raw := req.Raw()
	route, params, ferr := p.router.FindRoute(raw)
	if ferr != nil {
		p.report(Deviation{Status: resp.StatusCode, Kind: KindOperation, Expected: "an operation of the document", Got: raw.Method + " " + truncate(raw.URL.Path)})
		return resp, nil
	}
	c := &check{p: p, route: route, params: params, req: raw, status: resp.StatusCode, header: resp.Header.Clone(), secret: bearer(raw)}
	if resp.Body == nil || resp.Body == http.NoBody || raw.Method == http.MethodHead {
		c.run(nil)
		return resp, nil
	}
	resp.Body = &teeBody{rc: resp.Body, done: c.run}
	return resp, nil
}

// check is the validation of one answer.
type check struct {
	p      *Policy
	route  *routers.Route
	params map[string]string
	req    *http.Request
	status int
	header http.Header
	secret string
	out    []Deviation
}

func (c *check) add(d Deviation) {
	// The path holds the answer's property names: a server can echo the
	// token as one ({"<token>": 1}), so it is redacted and bounded like
	// a value.
	d.Path = c.value(d.Path)
	d.Operation = c.route.Operation.OperationID
	d.Status = c.status
	c.out = append(c.out, d)
}

// run validates the answer (body is nil for an empty one) and reports.
func (c *check) run(body []byte) {
	in := &openapi3filter.RequestValidationInput{Request: c.req, PathParams: c.params, Route: c.route, Options: c.p.opts}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: c.status, Header: c.header, Options: c.p.opts}
	out.SetBodyBytes(body)
	// The document's statuses and headers, by openapi3filter itself. A
	// header problem ends its run, so the body is visited on its own.
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		c.filterError(err)
	}
	c.checkBody(body)
	n := len(c.out)
	for i, d := range c.out {
		if i == MaxPerResponse {
			c.p.report(Deviation{Operation: d.Operation, Status: d.Status, Kind: KindTruncated, Expected: "no more deviations", Got: strconv.Itoa(n-i) + " more in this answer"})
			break
		}
		c.p.report(d)
	}
}

// filterError turns openapi3filter's status and header errors into
// deviations.
func (c *check) filterError(err error) {
	var re *openapi3filter.ResponseError
	if !errors.As(err, &re) {
		c.add(Deviation{Kind: KindSchema, Expected: "a valid answer", Got: c.clean(oneLine(err.Error()))})
		return
	}
	reason := re.Reason
	switch {
	case reason == "status is not supported":
		c.add(Deviation{Kind: KindStatus, Expected: "a status the document lists (" + c.statuses() + ")", Got: strconv.Itoa(c.status)})
	case strings.HasPrefix(reason, "response header "):
		name := headerName(reason)
		got := "nothing"
		if v := c.header.Values(name); len(v) > 0 {
			got = c.value(strings.Join(v, ", "))
		}
		exp := "the header"
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			exp = expectation(se)
		}
		c.add(Deviation{Kind: KindHeader, Path: "header:" + name, Expected: exp, Got: got})
	default:
		c.add(Deviation{Kind: KindSchema, Expected: "a valid answer", Got: c.clean(oneLine(reason))})
	}
}

func (c *check) statuses() string {
	var s []string
	for k := range c.route.Operation.Responses.Map() {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// checkBody visits the body with the operation's schema for this status
// (the same visit openapi3filter makes, with every error kept), then looks
// for properties the document does not name.
func (c *check) checkBody(body []byte) {
	ref := c.route.Operation.Responses.Status(c.status)
	if ref == nil {
		ref = c.route.Operation.Responses.Default()
	}
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return
	}
	media := ref.Value.Content.Get("application/json")
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if contract.EmptyBodyAllowed(ref.Value, c.header) {
			return // the status link came in a header (x-empty-body-when-header)
		}
		c.add(Deviation{Kind: KindBody, Expected: "a JSON body", Got: "an empty body"})
		return
	}
	if ct := c.header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			c.add(Deviation{Kind: KindContentType, Path: "header:Content-Type", Expected: "application/json", Got: c.value(ct)})
		}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		c.add(Deviation{Kind: KindBody, Expected: "a JSON body", Got: c.value(string(body))})
		return
	}
	schema := media.Schema.Value
	if err := schema.VisitJSON(v, c.p.schema...); err != nil {
		for _, se := range schemaErrors(err) {
			c.add(c.fromSchemaError(se))
		}
	}
	unknownFields(schema, v, "", func(path string, val any) {
		c.add(Deviation{Kind: KindUnknownField, Path: path, Expected: "only properties the document names", Got: c.json(val)})
	})
}

// schemaErrors flattens kin-openapi's MultiError tree into its SchemaErrors.
// The alternatives of a failed anyOf or oneOf are reported as one error at
// their parent, not one per alternative.
func schemaErrors(err error) []*openapi3.SchemaError {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []*openapi3.SchemaError
		for _, x := range e {
			out = append(out, schemaErrors(x)...)
		}
		return out
	case *openapi3.SchemaError:
		return []*openapi3.SchemaError{e}
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return []*openapi3.SchemaError{se}
	}
	return nil
}

func (c *check) fromSchemaError(se *openapi3.SchemaError) Deviation {
	d := Deviation{Path: pointer(se.JSONPointer()), Expected: expectation(se)}
	switch se.SchemaField {
	case "required":
		d.Kind, d.Got = KindRequired, "nothing"
	case "type", "nullable":
		d.Kind, d.Got = KindType, c.json(se.Value)
	case "enum":
		d.Kind, d.Got = KindEnum, c.json(se.Value)
	case "pattern", "format":
		d.Kind, d.Got = KindPattern, c.json(se.Value)
	default:
		d.Kind, d.Got = KindSchema, c.json(se.Value)
	}
	if d.Path == "" {
		d.Path = "/"
	}
	return d
}

// expectation says what the schema asks for, briefly.
func expectation(se *openapi3.SchemaError) string {
	s := se.Schema
	switch se.SchemaField {
	case "required":
		if p := se.JSONPointer(); len(p) > 0 {
			return "required property " + strconv.Quote(p[len(p)-1])
		}
		return "a required property"
	case "type", "nullable":
		if s != nil && s.Type != nil && len(s.Type.Slice()) > 0 {
			return "type " + strings.Join(s.Type.Slice(), " or ")
		}
	case "enum":
		if s != nil {
			var vals []string
			for _, e := range s.Enum {
				vals = append(vals, fmt.Sprint(e))
			}
			return "one of " + strings.Join(vals, ", ")
		}
	case "pattern":
		if s != nil {
			return "pattern " + truncate(s.Pattern)
		}
	case "format":
		if s != nil {
			return "format " + s.Format
		}
	}
	if se.Reason != "" {
		return truncate(oneLine(se.Reason))
	}
	return "schema rule " + se.SchemaField
}

// unknownFields calls found for each property of v that the schema (or its
// allOf, anyOf and oneOf alternatives) does not name. Objects whose schema
// says additionalProperties are maps: any key is expected there.
func unknownFields(s *openapi3.Schema, v any, path string, found func(string, any)) {
	if s == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		if s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil {
			return
		}
		props := map[string]*openapi3.Schema{}
		collectProperties(s, props)
		if len(props) == 0 {
			return // a schema naming no properties expects none in particular
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "/" + escapePointer(k)
			ps, ok := props[k]
			if !ok {
				found(p, v[k])
				continue
			}
			unknownFields(ps, v[k], p, found)
		}
	case []any:
		if s.Items == nil || s.Items.Value == nil {
			return
		}
		for i, e := range v {
			unknownFields(s.Items.Value, e, path+"/"+strconv.Itoa(i), found)
		}
	}
}

func collectProperties(s *openapi3.Schema, into map[string]*openapi3.Schema) {
	for k, p := range s.Properties {
		if p != nil && p.Value != nil {
			into[k] = p.Value
		}
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range group {
			if r != nil && r.Value != nil {
				collectProperties(r.Value, into)
			}
		}
	}
}

// teeBody copies what the client reads and validates the copy when the
// client reaches the end. Closing early (a listing abandoned half way)
// drains the rest, bounded by MaxBody, so that the answer is still checked.
type teeBody struct {
	rc   io.ReadCloser
	buf  bytes.Buffer
	done func([]byte)
	over bool // more than MaxBody: not validated
	fin  bool
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	t.keep(p[:n])
	if err == io.EOF {
		t.finish()
	}
	return n, err
}

func (t *teeBody) keep(b []byte) {
	if t.over || len(b) == 0 {
		return
	}
	if t.buf.Len()+len(b) > MaxBody {
		t.over = true
		t.buf = bytes.Buffer{}
		return
	}
	t.buf.Write(b)
}

func (t *teeBody) finish() {
	if t.fin {
		return
	}
	t.fin = true
	if !t.over {
		t.done(t.buf.Bytes())
	}
	t.buf = bytes.Buffer{}
}

func (t *teeBody) Close() error {
	if !t.fin && !t.over {
		var chunk [32 << 10]byte
		for {
			n, err := t.rc.Read(chunk[:])
			t.keep(chunk[:n])
			if err == io.EOF {
				t.finish()
				break
			}
			if err != nil || t.over {
				t.fin = true // cut short: nothing whole to validate
				break
			}
		}
	}
	return t.rc.Close()
}

// Values shown in deviations: JSON, one line, truncated, tokens redacted.

var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

func (c *check) json(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // show & and < as they arrived
	if err := enc.Encode(v); err != nil {
		return "(unprintable)"
	}
	return c.value(b.String())
}

func (c *check) value(s string) string { return truncate(c.clean(oneLine(s))) }

// clean redacts the request's bearer token and anything shaped like a JWT.
func (c *check) clean(s string) string {
	if c.secret != "" {
		s = strings.ReplaceAll(s, c.secret, "[REDACTED]")
	}
	return jwtLike.ReplaceAllString(s, "[REDACTED]")
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		if t := strings.TrimSpace(h[7:]); len(t) >= 8 {
			return t
		}
	}
	return ""
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= MaxValue {
		return s
	}
	r := []rune(s)
	return string(r[:MaxValue-1]) + "…"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func pointer(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = escapePointer(p)
	}
	return "/" + strings.Join(esc, "/")
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// headerName is the quoted name in openapi3filter's `response header "X" ...`.
func headerName(reason string) string {
	if i := strings.IndexByte(reason, '"'); i >= 0 {
		if n, err := strconv.QuotedPrefix(reason[i:]); err == nil {
			if u, err := strconv.Unquote(n); err == nil {
				return u
			}
		}
	}
	return reason
}
