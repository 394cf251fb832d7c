// Package sandbox is a built-in, in-memory imitation of the Partner Center
// zero-touch operations of openapi/partnercenter.yaml (customers, device
// batches and devices, uploads and their status, deleting devices, Autopilot
// profiles and their assignment) for trying the CLI and library without a
// Partner Center account, and for end-to-end tests.
//
// Uploads are answered 202 with a Location and processed asynchronously:
// their state (queued, processing, finished, finished_with_errors) is
// computed from Options.Now when read, never by goroutines and sleeps, so
// tests with an injected clock see every state deterministically.
//
// Every request is matched and validated against the OpenAPI document
// before a handler runs, so the sandbox refuses what the document refuses.
// Answers follow the real service: Partner Center error bodies with numeric
// codes, MS-* response headers, devices paged 100 at a time with an opaque
// continuation token, and optional deterministic faults (throttling, 5xx,
// latency) to exercise a client's retry policy.
package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/guid"
)

// DefaultPageSize is the page size of a batch's devices, as in Partner Center.
const DefaultPageSize = 100

// DefaultRetryAfter is the Retry-After of injected 429 and 503 answers.
const DefaultRetryAfter = time.Second

// Options configures a Server. The zero value serves DefaultData with no
// faults and no log.
type Options struct {
	// Data is what the sandbox serves. Nil means DefaultData().
	Data *Data
	// Faults are injected into valid requests; the zero value injects none.
	Faults Faults
	// PageSize is the number of devices per page (listDevices). Default
	// DefaultPageSize.
	PageSize int
	// BatchPageSize, when positive, pages listDeviceBatches the same way.
	// Zero (the default) answers with every batch in one page, as Partner
	// Center documents no paging for that operation.
	BatchPageSize int
	// Logger receives one record per request (method, path, status,
	// duration, request and correlation ids; never the Authorization
	// header). Nil logs nothing.
	Logger *slog.Logger
	// Seed makes generated ids, continuation tokens and random faults
	// repeat from run to run.
	Seed int64
	// Now is the clock of the throttle token bucket, of upload processing
	// and of the dates the sandbox writes (creationDate, uploadedDate,
	// startedTime, completedTime). Default time.Now.
	Now func() time.Time
	// ProcessingDelay is how long an upload (createDeviceBatch, addDevices)
	// takes: queued for the first quarter, processing until the delay has
	// passed, then finished or finished_with_errors, and only then are its
	// devices in the batch. Zero processes uploads instantly (tests); the
	// CLI uses DefaultProcessingDelay. Policy updates are always instant.
	ProcessingDelay time.Duration
	// Customers adds that many customers generated deterministically from
	// Seed after those of Data (company names, domains, some with no batch,
	// others with one to three small batches), so that listing all
	// customers shows the whole flow. At most 10,000.
	Customers int
	// Drift makes successful answers differ from the document in the ways
	// listed (see Drift and drift.go), for contract validation tests. Nil
	// answers as documented.
	Drift []Drift
	// Quirks make answers show, within the document, ways the real service
	// answers that the default answers never show (see Quirk and
	// quirks.go), so that clients and contract validation are exercised
	// against them. Nil answers as by default.
	Quirks []Quirk
	// RateLimit, when set, is a per-tenant limit imposed in front of every
	// operation (Server.RateLimiter counts what it served and refused), so
	// that a client's adaptive rate can be measured against a known limit.
	// Its clock is Now.
	RateLimit *RateLimit
}

// Faults are failures injected into valid requests, deterministic under
// Options.Seed. Checks run in this order: Latency, ThrottleEvery,
// ThrottleRate, ErrorRate.
type Faults struct {
	// ThrottleEvery answers every Nth valid request with 429.
	ThrottleEvery int
	// ThrottleRate is the sustained requests per second above which
	// requests get 429 (a token bucket holding one second of requests,
	// at least one).
	ThrottleRate float64
	// RetryAfter is sent as Retry-After (whole seconds, at least 1) with
	// 429 and 503. Default DefaultRetryAfter.
	RetryAfter time.Duration
	// ErrorRate is the fraction (0 to 1) of requests answered with 500 or
	// 503, chosen by the seeded random source.
	ErrorRate float64
	// Latency delays every valid request before it is answered.
	Latency time.Duration
}

// handler answers one operation of the document, after validation.
type handler func(w http.ResponseWriter, r *http.Request, p params) answer

// params are the validated inputs of an operation.
type params struct {
	path  map[string]string
	token string // MS-ContinuationToken, "" for the first page
	body  []byte // the request body, already checked against the document
}

// answer is what a handler returns: a status and a JSON body (nil for an
// empty body, as 202 and 204 answers have).
type answer struct {
	status int
	body   any
	raw    []byte // body, encoded while the data lock is held
}

// maxBody bounds request bodies: a hardware hash is about 4 KB, so this
// holds about 8,000 devices (README, "Upload devices").
const maxBody = 32 << 20

// Server is the sandbox, an http.Handler. It is safe for concurrent use.
type Server struct {
	doc      *openapi3.T
	router   routers.Router
	filter   *openapi3filter.Options
	data     *Data
	faults   Faults
	pageSize int
	batchPg  int
	log      *slog.Logger
	now      func() time.Time
	sleep    func(context.Context, time.Duration) error
	key      []byte
	handlers map[string]handler
	delay    time.Duration
	drift    []Drift
	quirks   []Quirk
	limiter  *RateLimiter // Options.RateLimit; nil when none

	dmu     sync.Mutex // guards data, jobs and pending; taken before mu
	jobs    map[string]*job
	pending []*job // accepted and not yet processed, in order

	mu     sync.Mutex // guards rnd, count, bucket, last, seen, gateways, shapes
	rnd    *rand.Rand
	count  int
	bucket float64
	last   time.Time
	// seen, gateways and shapes are QuirkGateway5xx's request ids and
	// count, and QuirkLinkShapes' count of links reshaped.
	seen     map[string]bool
	gateways int
	shapes   int
}

// New returns a sandbox Server.
func New(opts Options) (*Server, error) {
	doc, router, err := contract.NewRouter()
	if err != nil {
		return nil, err
	}
	f := opts.Faults
	switch {
	case f.ThrottleEvery < 0:
		return nil, fmt.Errorf("sandbox: ThrottleEvery must be 0 or more, not %d", f.ThrottleEvery)
	case f.ThrottleRate < 0 || math.IsNaN(f.ThrottleRate) || math.IsInf(f.ThrottleRate, 0):
		return nil, fmt.Errorf("sandbox: ThrottleRate must be 0 or a positive number, not %v", f.ThrottleRate)
	case f.ErrorRate < 0 || f.ErrorRate > 1 || math.IsNaN(f.ErrorRate):
		return nil, fmt.Errorf("sandbox: ErrorRate must be between 0 and 1, not %v", f.ErrorRate)
	case f.RetryAfter < 0 || f.Latency < 0:
		return nil, errors.New("sandbox: RetryAfter and Latency must not be negative")
	case opts.PageSize < 0 || opts.BatchPageSize < 0:
		return nil, errors.New("sandbox: page sizes must not be negative")
	case opts.ProcessingDelay < 0:
		return nil, fmt.Errorf("sandbox: ProcessingDelay must not be negative, not %v", opts.ProcessingDelay)
	case opts.Customers < 0 || opts.Customers > MaxCustomers:
		return nil, fmt.Errorf("sandbox: Customers must be from 0 to %d, not %d", MaxCustomers, opts.Customers)
	}
	if err := checkDrift(opts.Drift); err != nil {
		return nil, err
	}
	if err := checkQuirks(opts.Quirks); err != nil {
		return nil, err
	}
	if f.RetryAfter == 0 {
		f.RetryAfter = DefaultRetryAfter
	}
	s := &Server{
		doc: doc, router: router, filter: contract.FilterOptions(),
		data: opts.Data, faults: f, pageSize: opts.PageSize, batchPg: opts.BatchPageSize,
		log: opts.Logger, now: opts.Now, sleep: sleepCtx,
		rnd:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x5eed5a4db0c5)),
		delay: opts.ProcessingDelay, jobs: map[string]*job{}, drift: slices.Clone(opts.Drift),
		quirks: slices.Clone(opts.Quirks), seen: map[string]bool{},
	}
	if s.data == nil {
		s.data = DefaultData()
	} else {
		// The sandbox changes its data (uploads, deletes, profiles); the
		// caller's Data stays as loaded.
		s.data = s.data.clone()
	}
	s.data.customers = append(s.data.customers, generateCustomers(opts.Customers, opts.Seed)...)
	if s.pageSize == 0 {
		s.pageSize = DefaultPageSize
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// The token key derives from the seed: tokens are opaque to clients
	// but the same from run to run under one seed.
	k := make([]byte, 32)
	for i := 0; i < len(k); i += 8 {
		binary.LittleEndian.PutUint64(k[i:], s.rnd.Uint64())
	}
	s.key = k
	s.bucket = max(f.ThrottleRate, 1)
	// One entry per operationId of the document: a new operation is one
	// more handler here.
	s.handlers = map[string]handler{
		"listCustomers":             s.listCustomers,
		"listDeviceBatches":         s.listDeviceBatches,
		"createDeviceBatch":         s.createDeviceBatch,
		"listDevices":               s.listDevices,
		"addDevices":                s.addDevices,
		"deleteDevice":              s.deleteDevice,
		"getBatchUploadStatus":      s.getBatchUploadStatus,
		"listConfigurationPolicies": s.listConfigurationPolicies,
		"updateDevicePolicies":      s.updateDevicePolicies,
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if s.handlers[op.OperationID] == nil {
				return nil, fmt.Errorf("sandbox: no handler for %s %s (operationId %q)", method, path, op.OperationID)
			}
		}
	}
	if opts.RateLimit != nil {
		if s.limiter, err = opts.RateLimit.Wrap(http.HandlerFunc(s.serveHTTP), s.now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.limiter != nil {
		s.limiter.ServeHTTP(w, r) // passes what the limit allows to serveHTTP
		return
	}
	s.serveHTTP(w, r)
}

// RateLimiter is the limit of Options.RateLimit, with its counts of served
// and refused requests; nil when none was set.
func (s *Server) RateLimiter() *RateLimiter { return s.limiter }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	h := w.Header()
	reqID := s.echoOrNew(r.Header.Get("MS-RequestId"))
	corrID := s.echoOrNew(r.Header.Get("MS-CorrelationId"))
	h.Set("MS-RequestId", reqID)
	h.Set("MS-CorrelationId", corrID)
	h.Set("MS-CV", s.cv())
	h.Set("MS-ServerId", "sandbox01")
	a := s.applyQuirks(w, r, s.applyDrift(s.serve(w, r)))
	s.write(w, a)
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "sandbox request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", a.status),
		slog.Duration("duration", s.now().Sub(start)),
		slog.String("requestId", reqID),
		slog.String("correlationId", corrID),
	)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) answer {
	route, pathParams, err := s.router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		w.Header().Set("Allow", s.allowed(r))
		return pcError(http.StatusMethodNotAllowed, 405, fmt.Sprintf("The method %s is not allowed on this resource.", r.Method))
	case err != nil:
		return pcError(http.StatusNotFound, 404, "The requested resource was not found.")
	}
	var body []byte
	if r.Body != nil {
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			return pcError(http.StatusBadRequest, 400, "The request body could not be read or is too large.")
		}
		// kin-openapi reads the body again.
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: pathParams, Route: route, Options: s.filter}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		if s.unauthenticated(r, in, route, err) {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.microsoftonline.com/common", resource_id="https://api.partnercenter.microsoft.com"`)
			return pcError(http.StatusUnauthorized, 401, "Authentication failed: the Authorization header must carry a bearer token.")
		}
		// The document forbids "policies": [] so clients never send it;
		// the service fails on it with a 500, and so does the sandbox.
		if emptyPolicies(route.Operation.OperationID, body) {
			return pcError(http.StatusInternalServerError, 500, sequenceNoElement)
		}
		return pcError(http.StatusBadRequest, 400, badRequestText(err))
	}
	// Binding is case-insensitive at the service: "Policies": [] passes
	// the document (an unknown field) but fails there all the same.
	if emptyPolicies(route.Operation.OperationID, body) {
		return pcError(http.StatusInternalServerError, 500, sequenceNoElement)
	}
	if a, faulted := s.fault(w, r); faulted {
		return a
	}
	if a, failed := s.gateway(w, r); failed {
		return a
	}
	// The router hands path parameters over as they appear in the URL;
	// batch ids like "Test batch" arrive escaped.
	for k, v := range pathParams {
		if u, err := url.PathUnescape(v); err == nil {
			pathParams[k] = u
		}
	}
	p := params{path: pathParams, token: r.Header.Get("MS-ContinuationToken"), body: body}
	// Handlers read and change the data under one lock, after processing
	// the uploads whose time has come, and the answer is encoded before
	// the lock is released: no answer shares maps with a later change.
	s.dmu.Lock()
	defer s.dmu.Unlock()
	s.settle(s.now())
	a := s.handlers[route.Operation.OperationID](w, r, p)
	if a.body != nil {
		if b, err := json.Marshal(a.body); err == nil {
			a.raw = b
		}
	}
	return a
}

// unauthenticated reports whether the request lacks a usable bearer token.
// The service checks the token before anything else, so a bad token wins
// over any other problem of the request.
func (s *Server) unauthenticated(r *http.Request, in *openapi3filter.RequestValidationInput, route *routers.Route, err error) bool {
	var se *openapi3filter.SecurityRequirementsError
	if errors.As(err, &se) {
		return true
	}
	reqs := s.doc.Security
	if route.Operation.Security != nil {
		reqs = *route.Operation.Security
	}
	return openapi3filter.ValidateSecurityRequirements(r.Context(), in, reqs) != nil
}

// badRequestText names the parameter or body field kin-openapi refused, in
// one line.
func badRequestText(err error) string {
	var re *openapi3filter.RequestError
	if errors.As(err, &re) && re.Parameter != nil {
		if re.Parameter.Name == "customer-id" {
			return "The customer id is not a valid GUID."
		}
		return fmt.Sprintf("The %s %q is invalid.", re.Parameter.In, re.Parameter.Name)
	}
	if re != nil && re.RequestBody != nil {
		var se *openapi3.SchemaError
		if errors.As(err, &se) {
			return "The request body is invalid: " + schemaProblem(se) + "."
		}
		return "The request body is missing or is not JSON."
	}
	return "The request is invalid."
}

// allowed lists the methods the document has for the request's path.
func (s *Server) allowed(r *http.Request) string {
	var ms []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		c := r.Clone(r.Context())
		c.Method = m
		if _, _, err := s.router.FindRoute(c); err == nil {
			ms = append(ms, m)
		}
	}
	return strings.Join(ms, ", ")
}

// fault decides whether this request gets an injected failure. The checks
// share one lock so the sequence of outcomes depends only on the seed and
// the order of requests.
func (s *Server) fault(w http.ResponseWriter, r *http.Request) (answer, bool) {
	f := s.faults
	if f.Latency > 0 {
		if err := s.sleep(r.Context(), f.Latency); err != nil {
			return pcError(http.StatusServiceUnavailable, 503, "The request was cancelled."), true
		}
	}
	s.mu.Lock()
	s.count++
	throttled := f.ThrottleEvery > 0 && s.count%f.ThrottleEvery == 0
	if !throttled && f.ThrottleRate > 0 {
		now := s.now()
		if !s.last.IsZero() {
			s.bucket = min(max(f.ThrottleRate, 1), s.bucket+now.Sub(s.last).Seconds()*f.ThrottleRate)
		}
		s.last = now
		if s.bucket >= 1 {
			s.bucket--
		} else {
			throttled = true
		}
	}
	var fail, unavailable bool
	if !throttled && f.ErrorRate > 0 {
		fail = s.rnd.Float64() < f.ErrorRate
		unavailable = s.rnd.IntN(2) == 1
	}
	s.mu.Unlock()
	secs := int(math.Ceil(f.RetryAfter.Seconds()))
	switch {
	case throttled:
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return answer{status: http.StatusTooManyRequests, body: map[string]any{
			"statusCode": 429,
			"message":    fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", secs),
		}}, true
	case fail && unavailable:
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return pcError(http.StatusServiceUnavailable, 503, "The service is temporarily unavailable."), true
	case fail:
		return pcError(http.StatusInternalServerError, 500, "An internal error occurred."), true
	}
	return answer{}, false
}

// pcError is a Partner Center error body; code is a number, as the real
// service sends it.
func pcError(status, code int, description string) answer {
	return answer{status: status, body: map[string]any{
		"code":        code,
		"description": description,
		"data":        []any{},
		"source":      "PartnerFD",
	}}
}

func (s *Server) write(w http.ResponseWriter, a answer) {
	if a.body == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(a.status)
		return
	}
	b, err := a.raw, error(nil)
	if b == nil {
		b, err = json.Marshal(a.body)
	}
	if err != nil {
		// Bodies are built from checked data; this cannot happen short
		// of a defect, which a 500 reports honestly.
		a = pcError(http.StatusInternalServerError, 500, "The sandbox failed to encode its answer.")
		b, _ = json.Marshal(a.body)
	}
	if s.quirk(QuirkBOM) {
		b = append([]byte("\xef\xbb\xbf"), b...)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(a.status)
	_, _ = w.Write(b)
}

// echoOrNew echoes a caller's GUID header, or makes a new GUID.
func (s *Server) echoOrNew(v string) string {
	if guid.Valid(v) {
		return v
	}
	return s.newGUID()
}

// newGUID makes a version 4 GUID from the seeded source.
func (s *Server) newGUID() string {
	s.mu.Lock()
	hi, lo := s.rnd.Uint64(), s.rnd.Uint64()
	s.mu.Unlock()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// cv makes a correlation vector shaped like the service's (base.0).
func (s *Server) cv() string {
	s.mu.Lock()
	hi, lo := s.rnd.Uint64(), s.rnd.Uint32()
	s.mu.Unlock()
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], hi)
	binary.LittleEndian.PutUint32(b[8:], lo)
	return base64.RawURLEncoding.EncodeToString(b[:]) + ".0"
}

// listDeviceBatches answers GET /v1/customers/{customer-id}/deviceBatches.
func (s *Server) listDeviceBatches(_ http.ResponseWriter, _ *http.Request, p params) answer {
	c := s.data.customer(p.path["customer-id"])
	if c == nil {
		return customerNotFound()
	}
	now := s.now()
	items := make([]any, len(c.batches))
	for i, b := range c.batches {
		if b.pending != nil {
			b.fields["status"] = b.pending.status(now, s.delay)
		}
		items[i] = b.fields
	}
	if s.batchPg <= 0 {
		if p.token != "" {
			return invalidToken()
		}
		return collection(items, nil, "")
	}
	scope := "batches\x00" + strings.ToLower(c.id)
	return s.page(items, s.batchPg, scope, p.token, "/customers/"+c.id+"/deviceBatches")
}

// listDevices answers GET
// /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices.
func (s *Server) listDevices(_ http.ResponseWriter, _ *http.Request, p params) answer {
	c, b, missing := s.batchOf(p)
	if b == nil {
		return missing
	}
	items := make([]any, len(b.devices))
	for i, d := range b.devices {
		items[i] = d
	}
	scope := "devices\x00" + strings.ToLower(c.id) + "\x00" + b.id
	// Relative, without /v1 and with the batch id unescaped, like the
	// links the real service sends.
	return s.page(items, s.pageSize, scope, p.token, "/customers/"+c.id+"/deviceBatches/"+b.id+"/devices")
}

func customerNotFound() answer {
	return pcError(http.StatusNotFound, 600, "The customer was not found.")
}

func invalidToken() answer {
	return pcError(http.StatusBadRequest, 400, "The continuation token is invalid or has expired.")
}

// page answers one page of items starting where token says.
func (s *Server) page(items []any, size int, scope, token, uri string) answer {
	off := 0
	if token != "" {
		var ok bool
		off, ok = s.openToken(scope, token)
		if !ok || off > len(items) {
			return invalidToken()
		}
	}
	end := min(off+size, len(items))
	var next string
	if end < len(items) {
		next = s.sealToken(scope, end)
	}
	return collection(items[off:end], &uri, next)
}

func collection(items []any, uri *string, next string) answer {
	body := map[string]any{
		"totalCount": len(items),
		"items":      items,
		"attributes": map[string]any{"objectType": "Collection"},
	}
	if next != "" {
		body["continuationToken"] = next
		body["links"] = map[string]any{"next": map[string]any{
			"uri":     *uri,
			"method":  "GET",
			"headers": []any{map[string]any{"key": "MS-ContinuationToken", "value": next}},
		}}
	}
	return answer{status: http.StatusOK, body: body}
}

// sealToken makes an opaque continuation token: the offset and an HMAC of
// it with the collection it belongs to, so a token is neither guessable nor
// usable on another batch or customer.
func (s *Server) sealToken(scope string, off int) string {
	b := make([]byte, 8, 8+16)
	binary.BigEndian.PutUint64(b, uint64(off))
	return base64.RawURLEncoding.EncodeToString(append(b, s.mac(scope, b)...))
}

func (s *Server) openToken(scope, tok string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 8+16 {
		return 0, false
	}
	if !hmac.Equal(b[8:], s.mac(scope, b[:8])) {
		return 0, false
	}
	off := binary.BigEndian.Uint64(b[:8])
	if off > math.MaxInt32 {
		return 0, false
	}
	return int(off), true
}

func (s *Server) mac(scope string, off []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	io.WriteString(m, scope)
	m.Write([]byte{0})
	m.Write(off)
	return m.Sum(nil)[:16]
}

// batchOf finds the customer and batch a request's path names; when either
// is unknown, b is nil and missing is the service's 404.
func (s *Server) batchOf(p params) (c *customer, b *batch, missing answer) {
	if c = s.data.customer(p.path["customer-id"]); c == nil {
		return nil, nil, customerNotFound()
	}
	if b = c.batch(p.path["batch-id"]); b == nil {
		return c, nil, batchNotFound(p.path["batch-id"])
	}
	return c, b, answer{}
}
