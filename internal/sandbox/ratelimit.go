package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Rate-limit models of RateLimit.Model.
const (
	// ModelBucket is a token bucket: Limit tokens a second, a burst of a
	// tenth of a second's worth (at least one). Most API gateways limit
	// this way, and Partner Center's "Try again in 1 seconds" suggests it.
	ModelBucket = "bucket"
	// ModelWindow allows Limit requests in each fixed one-second window
	// (aligned to the clock's whole seconds), as simpler limiters do; it
	// lets a client burst at a window's start and then refuses it until
	// the window ends.
	ModelWindow = "window"
)

// RateLimit describes a per-tenant rate limit the sandbox imposes, so that
// a client's adaptive rate limiting can be measured against a known limit
// (Partner Center's own is unpublished and changes). Requests over it are
// answered 429 with a whole-seconds Retry-After and Partner Center's
// throttling body.
type RateLimit struct {
	// Limit is the allowed rate in requests per second; it must be
	// positive and finite.
	Limit float64
	// Model is ModelBucket or ModelWindow; empty means ModelBucket.
	Model string
}

// Validate reports whether rl can be used, with an error naming the
// offending field.
func (rl RateLimit) Validate() error {
	if math.IsNaN(rl.Limit) || math.IsInf(rl.Limit, 0) || rl.Limit <= 0 {
		return fmt.Errorf("sandbox: rate limit must be a positive number of requests per second, not %v", rl.Limit)
	}
	switch rl.Model {
	case "", ModelBucket:
		return nil
	case ModelWindow:
		if rl.Limit < 1 {
			return fmt.Errorf("sandbox: a %q rate limit allows whole requests per one-second window; %v is less than one", ModelWindow, rl.Limit)
		}
		return nil
	}
	return fmt.Errorf("sandbox: unknown rate-limit model %q (want %q or %q)", rl.Model, ModelBucket, ModelWindow)
}

// RateLimiter is an http.Handler that imposes a RateLimit in front of
// another handler and counts what it served and refused. Make one with
// RateLimit.Wrap; it is safe for concurrent use.
type RateLimiter struct {
	next   http.Handler
	now    func() time.Time
	bucket bool
	limit  float64

	mu sync.Mutex
	// Token bucket: tokens at last.
	burst  float64
	tokens float64
	last   time.Time
	// Fixed window: the window's start (whole seconds) and its count.
	window time.Time
	count  float64

	served, throttled atomic.Int64
}

// Wrap returns a RateLimiter that passes requests within rl to next and
// answers the rest itself. now is the clock (nil means time.Now); tests
// inject one. It fails if rl is invalid.
func (rl RateLimit) Wrap(next http.Handler, now func() time.Time) (*RateLimiter, error) {
	if err := rl.Validate(); err != nil {
		return nil, err
	}
	if next == nil {
		return nil, errors.New("sandbox: rate limit needs a handler to wrap")
	}
	if now == nil {
		now = time.Now
	}
	l := &RateLimiter{next: next, now: now, bucket: rl.Model != ModelWindow, limit: rl.Limit}
	l.burst = max(1, math.Floor(rl.Limit/10))
	l.tokens = l.burst
	return l, nil
}

// ServeHTTP serves r through the wrapped handler if the limit allows it,
// and otherwise answers 429 with Retry-After.
func (l *RateLimiter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wait, ok := l.take(l.now())
	if ok {
		l.served.Add(1)
		l.next.ServeHTTP(w, r)
		return
	}
	l.throttled.Add(1)
	// Partner Center states whole seconds; rounding down could send the
	// client back before it is allowed, and 0 would invite a hot loop.
	secs := max(1, int64(math.Ceil(wait.Seconds())))
	b, _ := json.Marshal(map[string]any{
		"statusCode": http.StatusTooManyRequests,
		"message":    fmt.Sprintf("Rate limit is exceeded. Try again in %d seconds.", secs),
	})
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write(b)
}

// take spends one request of the limit at now, or tells how long until one
// is available.
func (l *RateLimiter) take(now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bucket {
		if l.last.IsZero() {
			l.last = now
		}
		if now.After(l.last) {
			l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.limit)
			l.last = now
		}
		if l.tokens >= 1 {
			l.tokens--
			return 0, true
		}
		return time.Duration((1 - l.tokens) / l.limit * float64(time.Second)), false
	}
	start := now.Truncate(time.Second)
	if !start.Equal(l.window) {
		// A clock that steps back lands in an earlier window: start it
		// afresh rather than refuse until the later one ends.
		l.window, l.count = start, 0
	}
	// A fractional limit allows the whole requests that fit in a window.
	if l.count+1 <= l.limit {
		l.count++
		return 0, true
	}
	return start.Add(time.Second).Sub(now), false
}

// Served is the number of requests passed to the wrapped handler.
func (l *RateLimiter) Served() int64 { return l.served.Load() }

// Throttled is the number of requests answered 429.
func (l *RateLimiter) Throttled() int64 { return l.throttled.Load() }
