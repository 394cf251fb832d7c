package wrapper

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestThrottlePauseErrorIsDeadline: a pause refused for want of time before
// the call's deadline is a context.DeadlineExceeded to errors.Is, as the
// rate limiter's refusal is; one over the cap on one wait is not.
func TestThrottlePauseErrorIsDeadline(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  *ThrottlePauseError
		want bool
	}{
		{"within the cap: the deadline refused it", &ThrottlePauseError{RetryAfter: 30 * time.Second, MaxPause: time.Minute}, true},
		{"over the cap", &ThrottlePauseError{RetryAfter: time.Hour, MaxPause: time.Minute}, false},
		{"a later call, the rest within the cap", &ThrottlePauseError{RetryAfter: time.Hour, MaxPause: time.Minute, left: 20 * time.Second}, true},
	} {
		if got := errors.Is(tt.err, context.DeadlineExceeded); got != tt.want {
			t.Errorf("%s: errors.Is(err, context.DeadlineExceeded) = %v, want %v (%v)", tt.name, got, tt.want, tt.err)
		}
		if errors.Is(tt.err, context.Canceled) {
			t.Errorf("%s: matches context.Canceled", tt.name)
		}
	}
}

// TestZeroRateLimiterIsAnInvalidArgument: a RateLimiter that NewRateLimiter
// did not make used to panic (on the caller's goroutine through
// WithRateLimiter, in every worker through FanOutOptions); such calls now
// fail with an *InvalidArgumentError naming NewRateLimiter before any
// request, and Stats reads all zero.
func TestZeroRateLimiterIsAnInvalidArgument(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, 200, batchPage([]string{"b"}, ""))
	})
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	refused := func(what string, err error) {
		t.Helper()
		var ie *InvalidArgumentError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "NewRateLimiter") {
			t.Errorf("%s: err = %T %v, want an *InvalidArgumentError naming NewRateLimiter", what, err, err)
		}
	}
	_, err = c.ListDeviceBatches(WithRateLimiter(context.Background(), &RateLimiter{}), testCustomer)
	refused("WithRateLimiter", err)
	for _, err := range c.ListDeviceBatchesIter(WithRateLimiter(context.Background(), &RateLimiter{}), testCustomer) {
		refused("WithRateLimiter, Iter", err)
	}
	n := 0
	for r := range c.ListDeviceBatchesForCustomers(context.Background(), customers(3), &FanOutOptions{RateLimiter: &RateLimiter{}}) {
		n++
		refused("FanOutOptions.RateLimiter", r.Err)
	}
	if n != 3 {
		t.Errorf("the fan-out yielded %d customers, want 3", n)
	}
	if s := (&RateLimiter{}).Stats(); s != (RateStats{}) {
		t.Errorf("zero RateLimiter's Stats = %+v, want all zero", s)
	}
	if rec.count() != 0 {
		t.Errorf("%d requests reached the server", rec.count())
	}
}
