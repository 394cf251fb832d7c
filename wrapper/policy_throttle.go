package wrapper

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/adaptive"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
)

// gatePolicy runs on every try, before the bearer token policy, and
// decides whether and when the try may go out. (One policy: each policy
// costs every call an allocation in azcore.)
//
// Where: only to the configured scheme and host, so that a request for
// anything else, whatever a link or a caller's policy put in its URL,
// never gets the token (the credential is not even asked).
//
// When: Partner Center's limits are per partner tenant, so a 429 to one
// call is news for every call of the Client: the gate holds every try back
// until the service's Retry-After has passed, instead of spending the limit
// on answers that will be 429 too. A try that may not wait for the rest of
// the pause (longer than MaxRetryDelay, or than its call's deadline leaves:
// TryTimeout bounds sending a try, not waiting) fails at once with a
// *ThrottlePauseError: an hour's Retry-After must not freeze every later
// call for the hour. The gateway's throttling body ("Try
// again in 57 seconds.") becomes a Retry-After header when the header is
// missing, so azcore's retry policy waits as long as the service asked.
//
// A call whose context carries a RateLimiter (a fan-out over many
// customers) also waits for it, retries included, and reports every answer
// to it: the limiter is what learns the service's pace. Then only a long
// Retry-After pauses the Client's gate; a short one is answered by the
// limiter's rate cut, not by a pause of every call, and a pause the call
// cannot wait out fails it at once with a *ThrottlePauseError.
type gatePolicy struct {
	base *url.URL
	gate *throttleGate
	// maxWait is the longest pause a call without a RateLimiter waits
	// through: the retry policy's MaxRetryDelay, as for one retry's wait.
	maxWait time.Duration
}

// Do implements policy.Policy.
func (p gatePolicy) Do(req *policy.Request) (*http.Response, error) {
	if err := checkOrigin(req.Raw().URL, p.base); err != nil {
		return nil, err
	}
	// The waits here come before the try is sent: they follow the call's
	// deadline and cancellation, not the try's TryTimeout.
	ctx := callContext(req.Raw().Context())
	start := time.Now()
	r := rateLimiterFrom(ctx)
	maxWait := p.maxWait
	if r != nil {
		if err := r.check("the context's rate limiter (WithRateLimiter)"); err != nil {
			return nil, nonRetriable{err} // begin refuses it first; a caller's own request may not
		}
		maxWait = r.maxPause
		// A pause the call cannot wait out fails it before it queues for
		// the limiter: it would spend a turn, and time, to be refused.
		if _, err := p.gate.check(ctx, maxWait); err != nil {
			return nil, nonRetriable{named(err, req.Raw())}
		}
		if err := r.l.Wait(ctx); err != nil {
			return nil, nonRetriable{named(r.pauseError(err), req.Raw())}
		}
	}
	if err := p.gate.wait(ctx, maxWait); err != nil {
		return nil, nonRetriable{named(err, req.Raw())}
	}
	req, cancel := afterWait(req, ctx, time.Since(start))
	resp, err := req.Next()
	if cancel != nil {
		resp = cancelAfter(resp, err, cancel)
	}
	switch {
	case err != nil:
		return resp, err // no answer: nothing to learn about the limit
	case resp.StatusCode != http.StatusTooManyRequests:
		if r != nil {
			r.l.OnSuccess()
		}
		return resp, nil
	}
	d := throttledFor(resp)
	now := time.Now()
	if r == nil {
		if d > 0 {
			p.gate.pause(now, d)
		}
		return resp, nil
	}
	r.l.OnThrottle(d)
	if d > adaptive.DefaultPauseThreshold {
		p.gate.pause(now, d)
	}
	if r.cannotWait(ctx, now, d) {
		// Waiting could not help: say so now, naming the Retry-After,
		// instead of retrying into the pause or at its end.
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, nonRetriable{named(&ThrottlePauseError{RetryAfter: d, Until: now.Add(d), MaxPause: r.maxPause}, req.Raw())}
	}
	return resp, nil
}

// afterWait gives a try that waited (for the client's throttle or a
// RateLimiter) the time it waited back: azcore's retry policy starts a
// try's TryTimeout before the per-retry policies, so a try that waited out
// a pause would otherwise go out with what the wait left of it, or none.
// The try's new context ends with the call's; cancel releases it.
func afterWait(req *policy.Request, call context.Context, waited time.Duration) (_ *policy.Request, cancel context.CancelFunc) {
	// Under a millisecond is no wait but the clock's: not worth a context.
	if waited < time.Millisecond {
		return req, nil
	}
	dl, ok := req.Raw().Context().Deadline()
	if !ok {
		return req, nil
	}
	if cdl, ok := call.Deadline(); ok && !dl.Before(cdl) {
		return req, nil // the try's deadline is the call's: nothing to give back
	}
	ctx, cancel := context.WithDeadline(call, dl.Add(waited))
	return req.WithContext(context.WithValue(ctx, callKey{}, call)), cancel
}

// cancelAfter cancels a try's context once its answer is read, as azcore
// does for the context it made: at once when there is no answer or its
// body was downloaded, else when the body is closed.
func cancelAfter(resp *http.Response, err error, cancel context.CancelFunc) *http.Response {
	if err != nil || resp == nil {
		cancel()
		return resp
	}
	if _, downloaded := resp.Body.(*memBody); downloaded {
		cancel()
		return resp
	}
	resp.Body = cancelOnClose{resp.Body, cancel}
	return resp
}

// cancelOnClose is a body whose Close also ends its try's context.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close implements io.Closer.
func (b cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// throttledFor is the wait a 429 answer asks for. The gateway's throttling
// body ("Try again in 57 seconds.") becomes a Retry-After header when the
// header is missing, so that azcore's retry policy waits as long too.
func throttledFor(resp *http.Response) time.Duration {
	if resp.Header.Get("Retry-After") == "" && resp.Body != nil {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+errorBodyMargin))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if s := pchttp.TryAgainSeconds(body); s != "" {
			resp.Header.Set("Retry-After", s)
		}
	}
	return pchttp.RetryAfter(resp.Header, time.Now())
}

// throttleGate is the pause every call of one Client observes.
type throttleGate struct {
	mu    sync.Mutex
	until time.Time
	// after is the Retry-After that set until, for the error that names it.
	after time.Duration
}

// pause holds every call back for d from now, unless a pause already
// holds them longer.
func (g *throttleGate) pause(now time.Time, d time.Duration) {
	g.mu.Lock()
	if until := now.Add(d); until.After(g.until) {
		g.until, g.after = until, d
	}
	g.mu.Unlock()
}

// check returns what is left of the pause, or a *ThrottlePauseError when
// more is left than maxWait or than ctx's deadline leaves: waiting could
// not help, and a caller without a deadline would otherwise hang for as
// long as the service asked (up to pchttp.MaxRetryAfter).
func (g *throttleGate) check(ctx context.Context, maxWait time.Duration) (time.Duration, error) {
	g.mu.Lock()
	until, after := g.until, g.after
	g.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return 0, nil
	}
	if dl, ok := ctx.Deadline(); d > maxWait || (ok && dl.Before(until)) {
		return 0, &ThrottlePauseError{RetryAfter: after, Until: until, MaxPause: maxWait, left: d}
	}
	return d, nil
}

// wait holds the caller until the pause is over, or refuses at once a
// pause check refuses.
func (g *throttleGate) wait(ctx context.Context, maxWait time.Duration) error {
	d, err := g.check(ctx, maxWait)
	if d <= 0 {
		return err
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

// NonRetriable tells azcore's retry policy not to retry a call a pipeline
// policy refused for an invalid argument (wrapper/drift's zero Policy, say),
// whatever Retry.ShouldRetry says: every try would be refused alike.
func (*InvalidArgumentError) NonRetriable() {}

// shouldRetry is the default policy.RetryOptions.ShouldRetry. azcore asks it
// after every failed try that is not marked non-retriable.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		return retryNoAnswer(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		// A POST or PATCH that failed this way may have been carried out.
		if mayHaveBeenCarriedOut(resp) {
			return false
		}
	default:
		return false
	}
	return waitFits(resp)
}

// shouldRetryOn is the ShouldRetry for a caller's Retry.StatusCodes: a GET
// or DELETE is retried on exactly the statuses codes names (none when it
// is empty, as azcore documents); a POST or PATCH only on those of them
// that say the request was not carried out (429, 503). A 429 is retried
// whatever codes says: it was never carried out, and waiting out Partner
// Center's throttling is what a fan-out over many customers relies on.
// Failures with no answer follow shouldRetry: the list is about statuses.
func shouldRetryOn(codes []int) func(*http.Response, error) bool {
	codes = slices.Clone(codes)
	return func(resp *http.Response, err error) bool {
		if err != nil {
			return retryNoAnswer(err)
		}
		if resp.StatusCode < 400 {
			// Never a success, whatever the list says (NewClient refuses one
			// in ClientOptions; a per-call list is not checked there).
			return false
		}
		if resp.StatusCode != http.StatusTooManyRequests && !slices.Contains(codes, resp.StatusCode) {
			return false
		}
		if s := resp.StatusCode; s != http.StatusTooManyRequests && s != http.StatusServiceUnavailable && mayHaveBeenCarriedOut(resp) {
			return false
		}
		return waitFits(resp)
	}
}

// retryNoAnswer: a POST or PATCH with no answer is sent again only when it
// never reached the service (transport marks the others): like a 500, a
// timeout or a cut after the request went out may mean it was carried out.
func retryNoAnswer(err error) bool {
	return !errors.Is(err, ErrMaybeCarriedOut) && transient(err)
}

// mayHaveBeenCarriedOut: resp failed a POST or PATCH, which the service
// may have carried out all the same unless the status says otherwise.
func mayHaveBeenCarriedOut(resp *http.Response) bool {
	m := resp.Request.Method
	return m == http.MethodPost || m == http.MethodPatch
}

// waitFits: a wait that would end after the call's deadline is not
// started: the caller learns at once, with RetryAfter set, instead of at
// the deadline.
func waitFits(resp *http.Response) bool {
	if d := pchttp.RetryAfter(resp.Header, time.Now()); d > 0 {
		if dl, ok := callContext(resp.Request.Context()).Deadline(); ok && time.Now().Add(d).After(dl) {
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
