package wrapper

import (
	"io"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/adaptive"
)

// doLimited is gatePolicy for a call whose context carries a
// RateLimiter (a fan-out over many customers). It runs on every try, so
// azcore's retries go back through the limiter too, and every answer is
// reported to it: the limiter is what learns the service's pace.
//
// The Client's throttle gate is still honoured (a long pause another call
// of the Client learned of holds these tries too), and a long Retry-After
// learned here is passed on to it; a short one is not, since the limiter's
// rate cut, not a pause of every call, is the answer to a token bucket's
// "try again in 1 second".
func (p gatePolicy) doLimited(req *policy.Request, r *RateLimiter) (*http.Response, error) {
	ctx := req.Raw().Context()
	if err := r.l.Wait(ctx); err != nil {
		return nil, nonRetriable{r.pauseError(err)}
	}
	if err := p.gate.wait(ctx); err != nil {
		return nil, nonRetriable{err}
	}
	resp, err := req.Next()
	if err != nil {
		// No answer: nothing to learn about the service's limit.
		return resp, err
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		r.l.OnSuccess()
		return resp, nil
	}
	d := throttledFor(resp)
	r.l.OnThrottle(d)
	now := time.Now()
	if d > adaptive.DefaultPauseThreshold {
		p.gate.pause(now.Add(d))
	}
	if r.cannotWait(ctx, now, d) {
		// Waiting could not help: say so now, naming the Retry-After,
		// instead of retrying into the pause or at its end.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		return nil, nonRetriable{&ThrottlePauseError{RetryAfter: d, Until: now.Add(d), MaxPause: r.maxPause}}
	}
	return resp, nil
}
