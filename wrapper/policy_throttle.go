package wrapper

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
)

// gatePolicy runs on every try, before the bearer token policy, and
// decides whether and when the try may go out.
//
// Where: only to the configured scheme and host, so that a request for
// anything else, whatever a link or a caller's policy put in its URL,
// never gets the token (the credential is not even asked).
//
// When: Partner Center's limits are per partner tenant, so a 429 to one
// call is news for every call of the Client: the gate holds every try back
// until the service's Retry-After has passed, instead of spending the limit
// on answers that will be 429 too. It also turns the gateway's throttling
// body ("Try again in 57 seconds.") into a Retry-After header when the
// header is missing, so azcore's retry policy waits as long as the service
// asked. (One policy for both: each policy costs every call an allocation
// in azcore.)
type gatePolicy struct {
	base *url.URL
	gate *throttleGate
}

// Do implements policy.Policy.
func (p gatePolicy) Do(req *policy.Request) (*http.Response, error) {
	if err := checkOrigin(req.Raw().URL, p.base); err != nil {
		return nil, err
	}
	if r := rateLimiterFrom(req.Raw().Context()); r != nil {
		return p.doLimited(req, r) // policy_adaptive.go
	}
	if err := p.gate.wait(req.Raw().Context()); err != nil {
		return nil, nonRetriable{err}
	}
	resp, err := req.Next()
	if err != nil || resp.StatusCode != http.StatusTooManyRequests {
		return resp, err
	}
	if d := throttledFor(resp); d > 0 {
		p.gate.pause(time.Now().Add(d))
	}
	return resp, nil
}

// throttledFor is the wait a 429 answer asks for. The gateway's throttling
// body ("Try again in 57 seconds.") becomes a Retry-After header when the
// header is missing, so that azcore's retry policy waits as long too.
func throttledFor(resp *http.Response) time.Duration {
	if resp.Header.Get("Retry-After") == "" && resp.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if s := pchttp.TryAgainSeconds(body); s != "" {
			resp.Header.Set("Retry-After", s)
		}
	}
	return retryAfter(resp.Header, time.Now())
}

// throttleGate is the pause every call of one Client observes.
type throttleGate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *throttleGate) pause(until time.Time) {
	g.mu.Lock()
	if until.After(g.until) {
		g.until = until
	}
	g.mu.Unlock()
}

// wait holds the caller until the pause is over. A pause that would outlast
// the context's deadline is refused at once: waiting could not help.
func (g *throttleGate) wait(ctx context.Context) error {
	g.mu.Lock()
	until := g.until
	g.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
		return fmt.Errorf("the service is throttling this client for another %s, past the call's deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// shouldRetry is the default policy.RetryOptions.ShouldRetry. azcore asks it
// after every failed try that is not marked non-retriable.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		return transient(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		// A POST or PATCH that failed this way may have been carried out.
		if m := resp.Request.Method; m == http.MethodPost || m == http.MethodPatch {
			return false
		}
	default:
		return false
	}
	// A wait that would end after the call's deadline is not started: the
	// caller learns at once, with RetryAfter set, instead of at the deadline.
	if d := retryAfter(resp.Header, time.Now()); d > 0 {
		if dl, ok := resp.Request.Context().Deadline(); ok && time.Now().Add(d).After(dl) {
			return false
		}
	}
	return true
}

// transient reports failures worth another try: everything but a refused
// certificate (it would fail again) and errors marked final.
func transient(err error) bool {
	var ce *x509.CertificateInvalidError
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	return !errors.As(err, &ce) && !errors.As(err, &ue) && !errors.As(err, &he) && !errors.Is(err, ErrRedirectRefused)
}

func retryAfter(h http.Header, now time.Time) time.Duration { return pchttp.RetryAfter(h, now) }
