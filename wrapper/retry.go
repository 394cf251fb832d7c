package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// RetryOptions tunes the retry policy. Zero fields take the defaults.
//
// The policy retries 408, 429, 500, 502, 503 and 504 answers and transient
// transport failures (connection reset or refused, unexpected EOF, a try
// that timed out) for idempotent methods only. It waits as long as the
// service asks (Retry-After in seconds or as an HTTP date, retry-after-ms,
// x-ms-retry-after-ms, or the throttling message "Try again in N seconds"),
// otherwise an exponential backoff with full jitter. Every try of one call
// carries the same MS-RequestId, Partner Center's idempotency key.
type RetryOptions struct {
	// MaxRetries is the number of retries after the first try. Default 3;
	// a negative value disables retries.
	MaxRetries int
	// BaseDelay of the exponential backoff. Default 800 ms.
	BaseDelay time.Duration
	// MaxDelay caps every wait. When the service asks for a longer wait, the
	// call fails at once with a *ResponseError whose RetryAfter says how
	// long. Default 60 s.
	MaxDelay time.Duration
	// TryTimeout bounds each try (request and body). Zero: only the
	// caller's context bounds it.
	TryTimeout time.Duration
	// StatusCodes retried. Default 408, 429, 500, 502, 503, 504.
	StatusCodes []int
}

// Retry defaults.
const (
	DefaultMaxRetries = 3
	DefaultBaseDelay  = 800 * time.Millisecond
	DefaultMaxDelay   = 60 * time.Second
)

var defaultRetryStatus = []int{408, 429, 500, 502, 503, 504}

type retryPolicy struct {
	maxRetries int
	base, max  time.Duration
	tryTimeout time.Duration
	status     map[int]bool

	// The clock: replaced in tests so that waits take no real time.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a value in [0, d]; replaced in tests.
	jitter func(d time.Duration) time.Duration
}

func newRetryPolicy(o *RetryOptions) (retryPolicy, error) {
	p := retryPolicy{
		maxRetries: DefaultMaxRetries, base: DefaultBaseDelay, max: DefaultMaxDelay,
		now: time.Now, sleep: sleepCtx, jitter: fullJitter,
	}
	codes := defaultRetryStatus
	if o != nil {
		switch {
		case o.MaxRetries < 0:
			p.maxRetries = 0
		case o.MaxRetries > 0:
			p.maxRetries = o.MaxRetries
		}
		if o.BaseDelay < 0 || o.MaxDelay < 0 || o.TryTimeout < 0 {
			return p, &InvalidArgumentError{Argument: "retry options", Problem: "have a negative duration: use zero for the default"}
		}
		if o.BaseDelay > 0 {
			p.base = o.BaseDelay
		}
		if o.MaxDelay > 0 {
			p.max = o.MaxDelay
		}
		p.tryTimeout = o.TryTimeout
		if len(o.StatusCodes) > 0 {
			codes = o.StatusCodes
		}
	}
	p.status = make(map[int]bool, len(codes))
	for _, c := range codes {
		p.status[c] = true
	}
	return p, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
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

func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// backoff is the full-jitter wait before retry number n (0-based).
func (p *retryPolicy) backoff(n int) time.Duration {
	d := p.base
	for i := 0; i < n && d < p.max; i++ {
		d *= 2
	}
	return p.jitter(min(d, p.max))
}

// decision is what the policy makes of one try.
type decision struct {
	retry  bool
	wait   time.Duration
	reason string
	// explain: the reason is news to the caller and belongs in the error.
	explain bool
}

// decide classifies the outcome of try n (0-based) of a call. ctx is the
// call's context (not the try's): a cancelled call is never retried.
func (p *retryPolicy) decide(ctx context.Context, n int, idempotent bool, err error) decision {
	if err == nil {
		return decision{reason: "success"}
	}
	if ctx.Err() != nil {
		return decision{reason: "call cancelled or past its deadline"}
	}
	if !idempotent {
		return decision{reason: "not idempotent"}
	}
	var re *ResponseError
	switch {
	case errors.As(err, &re):
		if !p.status[re.StatusCode] {
			return decision{reason: "status not retried"}
		}
		if re.RetryAfter > p.max {
			return decision{explain: true, reason: fmt.Sprintf("the service asked to wait %s, more than the %s cap", re.RetryAfter, p.max)}
		}
		if n >= p.maxRetries {
			return decision{reason: "retries exhausted"}
		}
		if re.RetryAfter > 0 {
			return decision{retry: true, wait: re.RetryAfter, reason: "service asked to wait"}
		}
		return decision{retry: true, wait: p.backoff(n), reason: "backoff"}
	case transient(err):
		if n >= p.maxRetries {
			return decision{reason: "retries exhausted"}
		}
		return decision{retry: true, wait: p.backoff(n), reason: "transient failure"}
	}
	return decision{reason: "not retriable"}
}

// transient reports failures worth another try: the connection broke, was
// refused or timed out, or the body ended early. Certificate errors,
// refused redirects and malformed bodies are final.
func transient(err error) bool {
	if errors.Is(err, ErrRedirectRefused) || errors.Is(err, context.Canceled) {
		return false
	}
	// A 2xx body that could not be decoded is worth another try only when
	// reading it failed (the connection broke or the try timed out); a
	// complete body that is not the promised JSON would fail again.
	var de *DecodeError
	if errors.As(err, &de) {
		return de.transport
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errTryTimeout) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

var errTryTimeout = errors.New("try timed out")

var tryAgainRE = regexp.MustCompile(`(?i)try again in (\d{1,7}) seconds?`)

// retryAfter reads how long the service asked to wait: retry-after-ms and
// x-ms-retry-after-ms (milliseconds), Retry-After (seconds or an HTTP
// date), or Partner Center's throttling message "Try again in N seconds".
func retryAfter(h http.Header, message string, now time.Time) time.Duration {
	for _, name := range []string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
				return min(time.Duration(min(ms, int64(maxRetryAfter/time.Millisecond)))*time.Millisecond, maxRetryAfter)
			}
		}
	}
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		return d
	}
	if m := tryAgainRE.FindStringSubmatch(message); m != nil {
		if s, err := strconv.Atoi(m[1]); err == nil && s > 0 {
			// Up to 7 digits is more than a day: clamp like Retry-After.
			return min(time.Duration(s)*time.Second, maxRetryAfter)
		}
	}
	return 0
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). Values beyond a day are clamped to a day; the cap
// check then fails the call rather than sleeping that long.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	// delay-seconds is 1*DIGIT: no sign, fraction, exponent, hex or "Inf",
	// all of which strconv.ParseFloat would accept.
	if strings.Trim(v, "0123456789") == "" {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true // only overflow fails ParseInt here
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			return 0, true
		}
		return min(d, maxRetryAfter), true
	}
	return 0, false
}

// maxRetryAfter clamps every wait the service asks for; anything longer
// than the policy's cap fails the call anyway.
const maxRetryAfter = 24 * time.Hour

// throttleGate makes every call of one Client wait out a 429: when one try
// is throttled, the others hold their next try until the wait has passed
// instead of spending the partner's rate limit on answers that will be 429.
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

func (g *throttleGate) wait(ctx context.Context, p *retryPolicy) error {
	g.mu.Lock()
	until := g.until
	g.mu.Unlock()
	d := until.Sub(p.now())
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && dl.Before(until) {
		return fmt.Errorf("the service is throttling this client for another %s, past the call's deadline: %w", d.Round(time.Millisecond), context.DeadlineExceeded)
	}
	return p.sleep(ctx, d)
}
