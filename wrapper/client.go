package wrapper

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/uuid"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/guid"
	"github.com/partnercenter-go/devicebatches/internal/version"
)

// DefaultBaseURL is Partner Center's global endpoint.
const DefaultBaseURL = "https://api.partnercenter.microsoft.com"

// ChinaBaseURL is Partner Center operated by 21Vianet.
const ChinaBaseURL = "https://partner.partnercenterapi.microsoftonline.cn"

// DefaultScope is the token scope for the global Partner Center API.
const DefaultScope = "https://api.partnercenter.microsoft.com/.default"

// DefaultLocale is sent as X-Locale unless ClientOptions.Locale says otherwise.
const DefaultLocale = "en-US"

// ClientOptions configures a Client. A nil *ClientOptions (or the zero
// value) gives safe defaults: the global service, en-US, a new correlation
// id, and azcore's retry policy (3 retries, Retry-After honoured).
type ClientOptions struct {
	// ClientOptions are the Azure SDK's pipeline options: Transport, Retry
	// (policy.RetryOptions: MaxRetries, RetryDelay, MaxRetryDelay,
	// TryTimeout), Logging (azcore/log; the Authorization header is always
	// redacted), Telemetry.ApplicationID (added to the User-Agent),
	// TracingProvider, PerCallPolicies and PerRetryPolicies.
	//
	// Retry.ShouldRetry, when nil, is this package's rule: GET and DELETE
	// are retried on 408, 429, 500, 502, 503, 504 and connection failures;
	// POST and PATCH (CreateDeviceBatch, AddDevices, AssignProfile) only
	// on 429, 503 and a connection that could not be made (DNS, refused,
	// the TLS handshake), never once the request may have reached the
	// service (a 500, a try's timeout, the stall timeout, a reset: the
	// error wraps ErrMaybeCarriedOut); every try carries the same
	// MS-RequestId, Partner Center's idempotency key; and no wait is
	// started that would end after the context's deadline.
	// Retry.StatusCodes, when not nil (and ShouldRetry is nil), replaces
	// that list of statuses, as azcore documents: a GET or DELETE is
	// retried on exactly the statuses it names, none when it is empty
	// (non-nil); it may name only 4xx and 5xx statuses (NewClient refuses
	// a success, which would resend a call that succeeded); a POST or
	// PATCH still only on 503 among them, as any
	// other failed answer may mean it was carried out. A 429 is retried
	// (after its Retry-After, within MaxRetryDelay and the deadline) and
	// connection failures as above whatever it says: a throttled request
	// was never carried out, and a fan-out over many customers depends on
	// waiting out Partner Center's throttling. Retry options given
	// per call (policy.WithRetryOptions), which azcore takes whole, get
	// the same rule and the same meaning of StatusCodes when their
	// ShouldRetry is nil.
	// Retry.TryTimeout bounds one try, not the waits between tries (a
	// Retry-After, the client's throttle): the context's deadline does.
	// It bounds sending an upload's body and reading a page's too, so a
	// short one can cut a large upload or page on a slow link. With
	// neither Transport nor Retry.TryTimeout set, a try is cut instead
	// after DefaultStallTimeout (60 s) with no byte from the service on
	// its connection (the doc of DefaultStallTimeout says what counts),
	// and retried as above: a server that never answers, or stops
	// mid-answer, cannot hold a call forever, and a page that keeps
	// arriving, or an upload the service keeps taking, is never cut. A
	// caller's Transport or TryTimeout bounds tries as it chooses.
	azcore.ClientOptions

	// BaseURL of the service. Default DefaultBaseURL. http:// is refused
	// unless the host is loopback: the token would travel in clear text.
	BaseURL string

	// Locale sent as X-Locale. Default "en-US".
	Locale string

	// CorrelationID sent as MS-CorrelationId on every call of this client
	// unless a call's context carries another (WithCorrelationID). Default:
	// a new GUID per client.
	CorrelationID string

	// Application is sent as MS-PartnerCenter-Application when set. It
	// must hold no control character (line breaks and tabs included).
	Application string

	// Scopes asked of the credential. Default: the base URL's host with
	// "/.default" (DefaultScope for the global service).
	Scopes []string

	// Limits bound what a server can make the client read and hold: body
	// size, string length, items per page, pages per listing, items a
	// slice holds. The zero value gives the defaults (512 MiB, 1 MiB,
	// 1,000,000, 10,000, 1,000,000).
	Limits Limits

	// Logger, when set, receives one debug record per try (page, try,
	// method, URL, status, duration, request and correlation ids; never a
	// header). azcore/log (see Logging) traces the same tries. Nil logs
	// nothing.
	Logger *slog.Logger
}

// Client calls Partner Center's zero-touch deployment operations. Create it
// with NewClient; it is safe for concurrent use, and sharing one Client
// shares its token cache and its throttle.
type Client struct {
	az            *azcore.Client
	gen           *generated.Client
	base          *url.URL
	locale        string
	correlationID string
	application   string
	maxRetryDelay time.Duration
	// secrets are the bearer tokens handed out, redacted from errors.
	secrets *secretSet
	limits  Limits
	// maxRetries of a page whose streamed body was cut short (walk).
	maxRetries int
	// tryTimeout is Retry.TryTimeout, named when it cuts an answer.
	tryTimeout time.Duration
	// logging: ClientOptions.Logger is set (logPolicy is in the pipeline).
	logging bool
}

// NewClient returns a Client that authenticates with cred: any
// azcore.TokenCredential (every azidentity credential) or StaticToken.
// options may be nil. Invalid options and a nil credential are reported as
// *InvalidArgumentError.
func NewClient(cred azcore.TokenCredential, options *ClientOptions) (*Client, error) {
	if isNil(cred) {
		return nil, &InvalidArgumentError{Argument: "credential", Problem: "is nil: pass an azidentity credential or wrapper.StaticToken(token)"}
	}
	var o ClientOptions
	if options != nil {
		o = *options
	}
	base, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, locale: DefaultLocale, correlationID: uuid.NewString(), application: o.Application, secrets: &secretSet{}}
	if c.limits, err = o.Limits.withDefaults(); err != nil {
		return nil, err
	}
	if o.Locale != "" {
		if !validLocale(o.Locale) {
			return nil, &InvalidArgumentError{Argument: "locale", Value: o.Locale, Problem: "is not a language tag: use a value like en-US or de-DE"}
		}
		c.locale = o.Locale
	}
	if o.CorrelationID != "" {
		if err := checkGUID("correlation id", o.CorrelationID); err != nil {
			return nil, err
		}
		c.correlationID = strings.ToLower(o.CorrelationID)
	}
	if strings.ContainsAny(o.Application, "\r\n") {
		return nil, &InvalidArgumentError{Argument: "application", Value: o.Application, Problem: "contains a line break"}
	}
	// net/http refuses a header value with any other control character
	// too, so every call would fail, after its retries, with no request
	// sent.
	if strings.IndexFunc(o.Application, isControl) >= 0 {
		return nil, &InvalidArgumentError{Argument: "application", Value: o.Application, Problem: "contains a control character: use printable text, such as your application's name"}
	}
	for _, code := range o.Retry.StatusCodes {
		if code < 400 || code > 599 {
			// A success in the list would send a call that succeeded again.
			return nil, &InvalidArgumentError{Argument: "Retry.StatusCodes", Value: strconv.Itoa(code), Problem: "is not an error status: list 4xx or 5xx statuses to retry"}
		}
	}
	if o.Retry.TryTimeout < 0 {
		// azcore would give every try a deadline already passed.
		return nil, &InvalidArgumentError{Argument: "Retry.TryTimeout", Value: o.Retry.TryTimeout.String(), Problem: "is negative: use 0 for no bound on one try (the stall timeout applies) or a positive duration"}
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{defaultScopeFor(base)}
	}
	azOpts := o.ClientOptions
	switch c.maxRetryDelay = azOpts.Retry.MaxRetryDelay; {
	case c.maxRetryDelay == 0:
		c.maxRetryDelay = 60 * time.Second // azcore's default
	case c.maxRetryDelay < 0:
		c.maxRetryDelay = math.MaxInt64
	}
	switch c.maxRetries = int(azOpts.Retry.MaxRetries); {
	case c.maxRetries == 0:
		c.maxRetries = 3 // azcore's default
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	switch {
	case azOpts.Retry.ShouldRetry != nil:
	case azOpts.Retry.StatusCodes != nil:
		azOpts.Retry.ShouldRetry = shouldRetryOn(azOpts.Retry.StatusCodes)
	default:
		azOpts.Retry.ShouldRetry = shouldRetry
	}
	if azOpts.Retry.StatusCodes == nil {
		// ShouldRetry decides, so the list is never read; left nil, azcore
		// would allocate its default list on every call.
		azOpts.Retry.StatusCodes = []int{}
	}
	c.tryTimeout = azOpts.Retry.TryTimeout
	azOpts.Transport = newTransport(azOpts.Transport, base, c.limits.MaxBodyBytes, azOpts.Retry.TryTimeout)
	bearer := runtime.NewBearerTokenPolicy(authCredential{cred: cred, scopes: scopes, seen: c.secrets}, scopes, &policy.BearerTokenOptions{
		// Plain http is possible only to loopback: parseBaseURL refused the rest.
		InsecureAllowCredentialWithHTTP: base.Scheme == "http",
	})
	// gatePolicy runs before the token is added, on every try. Each policy
	// costs every call an allocation in azcore: logPolicy is there only
	// when there is a Logger, and transport does what it can.
	perRetry := []policy.Policy{gatePolicy{base, &throttleGate{}, c.maxRetryDelay}, bearer}
	if c.logging = o.Logger != nil; c.logging {
		perRetry = append([]policy.Policy{logPolicy{o.Logger, c.secrets}}, perRetry...)
	}
	c.az, err = azcore.NewClient("devicebatches", moduleVersion(), runtime.PipelineOptions{
		AllowedHeaders: loggedHeaders,
		PerCall:        []policy.Policy{headersPolicy{c}},
		PerRetry:       perRetry,
		Tracing:        runtime.TracingOptions{Namespace: "Microsoft.PartnerCenter"},
	}, &azOpts)
	if err != nil {
		return nil, fmt.Errorf("devicebatches: %w", err)
	}
	c.gen, err = generated.NewClient(base.String(), generated.WithHTTPClient(pipelineDoer{c.az.Pipeline(), c}))
	if err != nil {
		return nil, fmt.Errorf("devicebatches: %w", err)
	}
	return c, nil
}

// moduleVersion is this build's version in the semantic-version form azcore
// requires for the User-Agent ("devel" builds become v0.0.0-devel).
func moduleVersion() string {
	v := version.Version()
	if !strings.HasPrefix(v, "v") {
		v = "v0.0.0-" + v
	}
	return v
}

// loggedHeaders are shown by azcore's request log; every other header
// (Authorization, MS-ContinuationToken) is logged as REDACTED.
var loggedHeaders = []string{"MS-RequestId", "MS-CorrelationId", "MS-CV", "MS-ServerId", "X-Locale", "MS-PartnerCenter-Application", "Retry-After", "Location"}

// String describes the client without its credential, so that printing a
// Client (%v, %+v, %#v) can never show a token.
func (c *Client) String() string {
	if c.setUp() != nil {
		return "wrapper.Client{not set up}"
	}
	return "wrapper.Client{BaseURL: " + c.base.String() + "}"
}

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// BaseURL returns the service URL this client calls.
func (c *Client) BaseURL() string {
	if c.setUp() != nil {
		return ""
	}
	return c.base.String()
}

// CorrelationID returns the MS-CorrelationId this client sends by default.
func (c *Client) CorrelationID() string {
	if c == nil {
		return ""
	}
	return c.correlationID
}

// result turns what the pipeline returned into the answer to read or the
// call's error: a non-2xx answer is a *ResponseError, and a call that ended
// (cancelled, past its deadline) while waiting to retry a failed answer
// keeps that answer in its error.
func (c *Client) result(resp *http.Response, err error) (*http.Response, error) {
	switch {
	case err != nil && resp != nil && resp.StatusCode >= 300:
		return nil, fmt.Errorf("%w; the last try failed: %w", err, c.responseError(resp))
	case err != nil:
		return nil, err
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, c.responseError(resp)
	}
	return resp, nil
}

// begin starts operation op, before any I/O: it refuses a Client that
// NewClient did not make, a context whose correlation id
// (WithCorrelationID) is not a GUID and one whose RateLimiter
// (WithRateLimiter) NewRateLimiter did not make, records ctx as the call's context, and
// opens the operation's azcore tracing span ("Client.Op"), which end closes.
func (c *Client) begin(ctx context.Context, op string) (_ context.Context, end func(error), err error) {
	if err := c.setUp(); err != nil {
		return ctx, nil, err
	}
	if v, ok := ctx.Value(correlationKey{}).(string); ok {
		if err := checkGUID("correlation id", v); err != nil {
			return ctx, nil, err
		}
	}
	if err := rateLimiterFrom(ctx).check("the context's rate limiter (WithRateLimiter)"); err != nil {
		return ctx, nil, err
	}
	// Recorded for the per-retry code (callContext): each try runs under a
	// context of its own, whose deadline is the retry policy's TryTimeout.
	// Here, not in a per-call policy, the record costs one context per
	// operation and no copy of the request.
	ctx = context.WithValue(ctx, callKey{}, ctx)
	ctx = withOwnRetryRule(ctx)
	if !c.az.Tracer().Enabled() {
		return ctx, noSpan, nil // no span name built when there is no tracing
	}
	ctx, end = runtime.StartSpan(ctx, "Client."+op, c.az.Tracer(), nil)
	return ctx, end, nil
}

func noSpan(error) {}

// withOwnRetryRule gives a per-call retry override (azcore's
// policy.WithRetryOptions) without a ShouldRetry this package's rule, as
// ClientOptions.Retry gets it: azcore takes the override whole, so a POST
// answered 500 would otherwise be sent again, though it may have been
// carried out. Its StatusCodes keep their ClientOptions meaning.
func withOwnRetryRule(ctx context.Context) context.Context {
	key := retryOverrideKey()
	if key == nil {
		return ctx
	}
	o, ok := ctx.Value(key).(policy.RetryOptions)
	if !ok || o.ShouldRetry != nil {
		return ctx
	}
	if o.StatusCodes != nil {
		o.ShouldRetry = shouldRetryOn(o.StatusCodes)
	} else {
		o.ShouldRetry = shouldRetry
		o.StatusCodes = []int{} // never read; nil would make azcore allocate its list
	}
	return policy.WithRetryOptions(ctx, o)
}

// retryOverrideKey is the context key under which policy.WithRetryOptions
// stores a call's retry options. Its type is internal to azcore, so it is
// taken, once, from a context that carries one; nil (overrides left as
// they are) if the context package's layout ever hides it.
var retryOverrideKey = sync.OnceValue(func() any {
	ctx := policy.WithRetryOptions(context.Background(), policy.RetryOptions{})
	v := reflect.ValueOf(ctx)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("key")
	if !f.IsValid() || f.Kind() != reflect.Interface || f.IsNil() {
		return nil
	}
	key := reflect.Zero(f.Elem().Type()).Interface()
	if _, ok := ctx.Value(key).(policy.RetryOptions); !ok {
		return nil
	}
	return key
})

// parseBaseURL checks a Partner Center base URL: absolute, https (or http
// to a loopback host only), no credentials, query or fragment. Empty means
// DefaultBaseURL. A trailing /v1 is dropped: operation paths carry it.
func parseBaseURL(raw string) (*url.URL, error) {
	raw = cmp.Or(raw, DefaultBaseURL)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &InvalidArgumentError{Argument: "base URL", Value: raw, Problem: "is not an absolute http(s) URL: use a value like " + DefaultBaseURL}
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, &InvalidArgumentError{Argument: "base URL", Value: raw, Problem: "uses plain http to a host that is not loopback, so the token would travel in clear text: use https"}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, &InvalidArgumentError{Argument: "base URL", Value: u.Redacted(), Problem: "must not carry credentials, a query or a fragment"}
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/v1")
	u.RawPath = ""
	return u, nil
}

// isLoopback reports whether host (without port) is a loopback name or
// address, the only hosts a token may reach over plain http.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isControl reports an ASCII control character (tab and DEL included),
// which no header value of the client's may hold.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func defaultScopeFor(base *url.URL) string {
	if base.Scheme == "https" {
		return "https://" + base.Hostname() + "/.default"
	}
	// Sandboxes and test servers accept any token; ask for the real
	// audience so a real credential still works against them.
	return DefaultScope
}

func validLocale(s string) bool {
	if len(s) < 2 || len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if len(part) == 0 || len(part) > 8 || (i == 0 && (len(part) < 2 || len(part) > 3)) {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || (i > 0 && r >= '0' && r <= '9')) {
				return false
			}
		}
	}
	return true
}

// CheckCustomerID reports, as an *InvalidArgumentError, a customer id that
// is not a GUID. Every operation checks its customer id this way before
// any network I/O.
func CheckCustomerID(id string) error { return checkGUID("customer id", id) }

func checkGUID(what, s string) error {
	if s == "" {
		return &InvalidArgumentError{Argument: what, Problem: "is empty: give a GUID, like 47021739-3426-40bf-9601-61b4b6d7c793"}
	}
	if !guid.Valid(s) {
		return &InvalidArgumentError{Argument: what, Value: s, Problem: "is not a GUID: use the 36-character form, like 47021739-3426-40bf-9601-61b4b6d7c793"}
	}
	return nil
}

// customerUUID parses a customer id for the generated client, which types
// path GUIDs.
func customerUUID(id string) (uuid.UUID, error) {
	if err := CheckCustomerID(id); err != nil {
		return uuid.UUID{}, err
	}
	return uuid.MustParse(id), nil
}
