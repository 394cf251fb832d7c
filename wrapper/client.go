package wrapper

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/google/uuid"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/guid"
)

// Version is this client's version, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultBaseURL is Partner Center's global endpoint.
const DefaultBaseURL = "https://api.partnercenter.microsoft.com"

// ChinaBaseURL is Partner Center operated by 21Vianet.
const ChinaBaseURL = "https://partner.partnercenterapi.microsoftonline.cn"

// DefaultScope is the token scope for the global Partner Center API.
const DefaultScope = "https://api.partnercenter.microsoft.com/.default"

// DefaultLocale is sent as X-Locale unless ClientOptions.Locale says otherwise.
const DefaultLocale = "en-US"

// DefaultTimeout bounds one HTTP exchange when the caller brings no
// *http.Client of its own. Whole calls are bounded by the caller's context.
const DefaultTimeout = 3 * time.Minute

// ClientOptions configures a Client. The zero value (or nil) gives safe
// defaults: the global service, en-US, a new correlation id, an HTTP client
// with timeouts, and the retry policy described by RetryOptions.
type ClientOptions struct {
	// BaseURL of the service. Default DefaultBaseURL. http:// is refused
	// unless the host is loopback: the token would travel in clear text.
	BaseURL string

	// Locale sent as X-Locale. Default "en-US".
	Locale string

	// CorrelationID sent as MS-CorrelationId on every call of this client
	// unless a call's context carries another (WithCorrelationID). Default:
	// a new GUID per client.
	CorrelationID string

	// Application is sent as MS-PartnerCenter-Application when set.
	Application string

	// UserAgentSuffix is appended to the User-Agent header.
	UserAgentSuffix string

	// HTTPClient sends the requests. Default: a client with DefaultTimeout
	// and dial, TLS and header timeouts. Its redirect policy is wrapped so
	// that a redirect never carries the token to another host.
	HTTPClient *http.Client

	// Scopes asked of the credential. Default: the base URL's host with
	// "/.default" (DefaultScope for the global service).
	Scopes []string

	// Retry tunes the retry policy. Nil means the defaults.
	Retry *RetryOptions

	// Logger receives the debug trace (one record per try). Nil logs nothing.
	Logger *slog.Logger
}

// Client calls Partner Center's device-batch operations. Create it with
// NewClient; it is safe for concurrent use.
type Client struct {
	gen           *generated.Client
	base          *url.URL
	http          *http.Client
	cred          azcore.TokenCredential
	scopes        []string
	locale        string
	correlationID uuid.UUID
	application   string
	userAgent     string
	retry         retryPolicy
	log           *slog.Logger
	tokens        tokenCache
	gate          throttleGate
}

// NewClient returns a Client that authenticates with cred, any
// azcore.TokenCredential (an azidentity credential, or StaticToken).
// options may be nil.
func NewClient(cred azcore.TokenCredential, options *ClientOptions) (*Client, error) {
	if cred == nil {
		return nil, &InvalidArgumentError{Argument: "credential", Problem: "is nil: pass an azidentity credential or wrapper.StaticToken(token)"}
	}
	var o ClientOptions
	if options != nil {
		o = *options
	}
	base, err := ParseBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, cred: cred, locale: DefaultLocale, application: o.Application, log: o.Logger}
	if o.Locale != "" {
		if !validLocale(o.Locale) {
			return nil, &InvalidArgumentError{Argument: "locale", Value: o.Locale, Problem: "is not a language tag: use a value like en-US or de-DE"}
		}
		c.locale = o.Locale
	}
	if o.CorrelationID != "" {
		id, err := parseGUID("correlation id", o.CorrelationID)
		if err != nil {
			return nil, err
		}
		c.correlationID = id
	} else {
		c.correlationID = uuid.New()
	}
	c.scopes = o.Scopes
	if len(c.scopes) == 0 {
		c.scopes = []string{defaultScopeFor(base)}
	}
	c.userAgent = "devicebatches-go/" + Version
	if s := strings.TrimSpace(o.UserAgentSuffix); s != "" {
		if strings.ContainsAny(s, "\r\n") {
			return nil, &InvalidArgumentError{Argument: "user agent suffix", Value: s, Problem: "contains a line break"}
		}
		c.userAgent += " " + s
	}
	c.retry, err = newRetryPolicy(o.Retry)
	if err != nil {
		return nil, err
	}
	c.http = guardRedirects(o.HTTPClient, base)
	c.gen, err = generated.NewClient(base.String(), generated.WithHTTPClient(c.http))
	if err != nil {
		return nil, fmt.Errorf("devicebatches: %w", err)
	}
	return c, nil
}

// BaseURL returns the service URL this client calls.
func (c *Client) BaseURL() string { return c.base.String() }

// CorrelationID returns the MS-CorrelationId this client sends by default.
func (c *Client) CorrelationID() string { return c.correlationID.String() }

// ParseBaseURL checks a Partner Center base URL: absolute, https (or http to
// a loopback host only), no query or fragment. Empty means DefaultBaseURL.
func ParseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, &InvalidArgumentError{Argument: "base URL", Value: raw, Problem: "is not an absolute http(s) URL: use a value like " + DefaultBaseURL}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, &InvalidArgumentError{Argument: "base URL", Value: raw, Problem: "uses plain http to a host that is not loopback, so the token would travel in clear text: use https"}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, &InvalidArgumentError{Argument: "base URL", Value: u.Redacted(), Problem: "must not carry credentials, a query or a fragment"}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	// A trailing /v1 would be doubled by the operation paths, which carry it.
	u.Path = strings.TrimSuffix(u.Path, "/v1")
	u.RawPath = ""
	return u, nil
}

// IsLoopback reports whether host (without port) is a loopback name or
// address, the only hosts a token may reach over plain http.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

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
// is not a GUID. Every call checks its customer id this way before any
// network I/O.
func CheckCustomerID(id string) error {
	_, err := parseGUID("customer id", id)
	return err
}

func parseGUID(what, s string) (uuid.UUID, error) {
	if !guid.Valid(s) {
		return uuid.UUID{}, &InvalidArgumentError{Argument: what, Value: s, Problem: "is not a GUID: use the 36-character form, like 47021739-3426-40bf-9601-61b4b6d7c793"}
	}
	return uuid.MustParse(s), nil
}

// ErrRedirectRefused is wrapped by the error of a call whose answer was a
// redirect to another host or to plain http: following it could hand the
// token to a host that is not the configured service.
var ErrRedirectRefused = errors.New("redirect refused")

func guardRedirects(hc *http.Client, base *url.URL) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc // copy: the caller's client keeps its own policy
	} else {
		c = http.Client{Timeout: DefaultTimeout, Transport: defaultTransport()}
	}
	inner := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, base) {
			return fmt.Errorf("%w: the service redirected to %s://%s, not %s", ErrRedirectRefused, req.URL.Scheme, req.URL.Host, base.Host)
		}
		if inner != nil {
			return inner(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.MaxIdleConnsPerHost = 64
	return t
}

// sameOrigin reports whether u may receive the token: same scheme and host
// (with port) as the configured base URL.
func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}
