package wrapper

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/adaptive"
)

// RateLimiter is a client-side rate limiter shared by many calls that
// learns Partner Center's rate limit from its 429 answers: Partner Center
// publishes no limit for these operations and changes it at will, so a
// fixed rate is either too slow or throttled. It starts at a modest rate,
// grows while requests succeed and cuts on each 429 (CUBIC, as in the AWS
// SDKs' adaptive retry mode; see internal/adaptive).
//
// Every try of every call whose context carries the limiter
// (WithRateLimiter; ListDeviceBatchesForCustomers does it for its calls)
// waits for it, retries included, and reports its answer to it. A short
// Retry-After (up to two seconds, what a token bucket says) holds back only
// the request it answered while the rate cut slows everyone; a long one
// pauses every call until it has passed, and the calls then resume one by
// one at the learned rate. A pause longer than RateLimiterOptions.MaxPause,
// or than a call's context deadline, fails the waiting calls at once with a
// *ThrottlePauseError, and no request is sent meanwhile.
//
// It is safe for concurrent use.
type RateLimiter struct {
	l        *adaptive.Limiter
	maxPause time.Duration
}

// RateLimiterOptions configures NewRateLimiter. A nil *RateLimiterOptions
// (or the zero value) learns the rate with no ceiling.
type RateLimiterOptions struct {
	// Ceiling, when positive, is a hard maximum in requests per second (the
	// CLI's --rate): the limiter starts there and never exceeds it, and
	// still slows down on 429s. Zero means no ceiling: learn the rate.
	Ceiling float64
	// MaxPause is the longest pause, asked by a long Retry-After, that
	// calls wait through; a longer one fails them with a
	// *ThrottlePauseError. Zero means 60 seconds, azcore's cap on one
	// retry wait (policy.RetryOptions.MaxRetryDelay).
	MaxPause time.Duration
}

// defaultMaxPause matches azcore's default MaxRetryDelay.
const defaultMaxPause = 60 * time.Second

// NewRateLimiter returns a RateLimiter. A Ceiling that is negative, NaN or
// infinite, or a negative MaxPause, is an *InvalidArgumentError.
func NewRateLimiter(opts *RateLimiterOptions) (*RateLimiter, error) {
	var o RateLimiterOptions
	if opts != nil {
		o = *opts
	}
	if o.Ceiling < 0 || math.IsNaN(o.Ceiling) || math.IsInf(o.Ceiling, 0) {
		return nil, &InvalidArgumentError{Argument: "rate ceiling", Value: fmt.Sprint(o.Ceiling), Problem: "must be a positive number of requests per second, or 0 to learn the rate"}
	}
	if o.MaxPause < 0 {
		return nil, &InvalidArgumentError{Argument: "maximum pause", Value: o.MaxPause.String(), Problem: "must not be negative"}
	}
	o.MaxPause = cmp.Or(o.MaxPause, defaultMaxPause)
	ao := adaptive.Options{Ceiling: o.Ceiling, MaxPause: o.MaxPause}
	if o.Ceiling > 0 {
		// A ceiling the user chose is where to start: they know their limit.
		ao.Initial = o.Ceiling
	}
	return &RateLimiter{l: adaptive.New(ao), maxPause: o.MaxPause}, nil
}

// RateStats are a RateLimiter's live counters, for a progress line.
type RateStats struct {
	// Rate is the current rate in requests per second.
	Rate float64
	// Sent counts tries let through; Succeeded those not throttled;
	// Throttled those answered 429.
	Sent, Succeeded, Throttled int64
	// Pauses counts long Retry-Afters that paused every call.
	Pauses int64
	// PausedUntil is when the current pause ends; zero when none.
	PausedUntil time.Time
}

// Stats returns the limiter's counters and current rate (all zero for a
// RateLimiter that NewRateLimiter did not make).
func (r *RateLimiter) Stats() RateStats {
	if r == nil || r.l == nil {
		return RateStats{}
	}
	s := r.l.Stats()
	return RateStats{Rate: s.Rate, Sent: s.Sent, Succeeded: s.Succeeded, Throttled: s.Throttled, Pauses: s.Pauses, PausedUntil: r.l.PauseUntil()}
}

type rateLimiterKey struct{}

// WithRateLimiter returns a context whose calls (every try of every
// operation of any Client) pass through r. A nil r returns ctx unchanged.
// r must come from NewRateLimiter: a call under a zero RateLimiter fails
// with an *InvalidArgumentError before any request.
func WithRateLimiter(ctx context.Context, r *RateLimiter) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, rateLimiterKey{}, r)
}

func rateLimiterFrom(ctx context.Context) *RateLimiter {
	r, _ := ctx.Value(rateLimiterKey{}).(*RateLimiter)
	return r
}

// check refuses a RateLimiter that NewRateLimiter did not make (the zero
// value, say), which has no limiter to wait for; where names the option
// it came through.
func (r *RateLimiter) check(where string) error {
	if r != nil && r.l == nil {
		return &InvalidArgumentError{Argument: where, Problem: "is a zero RateLimiter: create it with NewRateLimiter"}
	}
	return nil
}

// ThrottlePauseError reports that Partner Center asked every request to
// wait (a long Retry-After) for longer than the caller could: longer than
// RateLimiterOptions.MaxPause (for a call without a RateLimiter, the retry
// policy's MaxRetryDelay), or past the call's context deadline. Any
// operation of a Client returns it, without sending its request, while
// such a pause is in force; ListDeviceBatchesForCustomers (GET
// /v1/customers/{customer-id}/deviceBatches) yields it for the customers
// it could not fetch. No request was sent after the answer that asked for
// the pause. Once less of it is left than a call may wait, calls wait out
// the rest and go through. Use errors.As.
type ThrottlePauseError struct {
	// RetryAfter is the wait the service asked for.
	RetryAfter time.Duration
	// Until is when the pause ends.
	Until time.Time
	// MaxPause is the cap on one wait that was in force: the
	// RateLimiter's MaxPause, or the retry policy's MaxRetryDelay.
	MaxPause time.Duration
	// RequestID and CorrelationID are the MS-RequestId and
	// MS-CorrelationId of the call the pause stopped, so a log line can
	// name it like any other failed call. In a fan-out, the customers not
	// yet asked share the error of the first call it stopped.
	RequestID, CorrelationID string

	// left is what was left of the pause when the call was refused; zero
	// when it was refused on the answer that asked for it.
	left time.Duration
}

// Error names the Retry-After, what was left of it, and what that exceeded.
func (e *ThrottlePauseError) Error() string {
	exact := cmp.Or(e.left, e.RetryAfter)
	why := "the time left before the call's deadline"
	if !e.pastDeadline() {
		why = "the cap on one wait (" + e.MaxPause.String() + ")"
	}
	// A later call names what is left too: it is what it could not wait.
	rest := ","
	if left := roundWait(exact); left != roundWait(e.RetryAfter) {
		rest = "; the " + left.String() + " left is"
	}
	return fmt.Sprintf("Partner Center is throttling: it asked to wait %s (Retry-After) before any further request, until %s%s longer than %s [MS-RequestId: %s, MS-CorrelationId: %s]",
		e.RetryAfter, e.Until.UTC().Format(time.RFC3339), rest, why, orUnknown(e.RequestID), orUnknown(e.CorrelationID))
}

// Is reports a pause refused because it would outlast the call's deadline
// as context.DeadlineExceeded, as a wait the rate limiter refuses for the
// same reason is, so that errors.Is(err, context.DeadlineExceeded) finds
// every call the deadline ended. A pause longer than the cap on one wait
// (MaxPause) is not a deadline's doing.
func (e *ThrottlePauseError) Is(target error) bool {
	return target == context.DeadlineExceeded && e.pastDeadline()
}

// pastDeadline: the wait fitted the cap, so the deadline refused it.
func (e *ThrottlePauseError) pastDeadline() bool {
	return cmp.Or(e.left, e.RetryAfter) <= e.MaxPause
}

// roundWait rounds a wait for a message: to the second, or to the
// millisecond below one.
func roundWait(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// named sets the ids of the call req on a *ThrottlePauseError in err.
func named(err error, req *http.Request) error {
	var tp *ThrottlePauseError
	if errors.As(err, &tp) {
		tp.RequestID, tp.CorrelationID = req.Header.Get("MS-RequestId"), req.Header.Get("MS-CorrelationId")
	}
	return err
}

// pauseError turns the limiter's refusal into the package's error; other
// errors (the context's) pass through.
func (r *RateLimiter) pauseError(err error) error {
	var pe *adaptive.PauseError
	if errors.As(err, &pe) {
		return &ThrottlePauseError{RetryAfter: pe.RetryAfter, Until: pe.Until, MaxPause: r.maxPause, left: time.Until(pe.Until)}
	}
	return err
}

// cannotWait reports whether a pause of d from now outlasts MaxPause or
// ctx's deadline.
func (r *RateLimiter) cannotWait(ctx context.Context, now time.Time, d time.Duration) bool {
	if d <= adaptive.DefaultPauseThreshold {
		return false // a short wait holds back only its own request
	}
	dl, ok := ctx.Deadline()
	return d > r.maxPause || (ok && dl.Before(now.Add(d)))
}
