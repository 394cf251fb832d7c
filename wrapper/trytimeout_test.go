package wrapper

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestTryTimeoutDoesNotBoundWaits: Retry.TryTimeout bounds one try, not
// the waits between tries. A Retry-After longer than TryTimeout is waited
// for when the call's own deadline allows it, whether the call's own try
// was throttled or another call paused the client; only the call's
// deadline refuses a wait at once.
func TestTryTimeoutDoesNotBoundWaits(t *testing.T) {
	const (
		retryAfter = 5 * time.Second
		tryTimeout = 2 * time.Second
		// earlier is how long before the call under test another call of the
		// client was answered the 429 (its own deadline refused the wait).
		earlier = time.Second
	)
	tests := []struct {
		name    string
		timeout time.Duration // the call's deadline; 0 for none
		other   bool          // another call's 429 paused the client; else the call's first try gets it
		limiter bool          // the calls carry a RateLimiter
		waited  time.Duration // how long a call that succeeds waits
		refused string        // in the error of a call refused at once; "" when it succeeds
	}{
		{name: "own 429, a deadline after the wait", timeout: 5 * time.Minute, waited: retryAfter},
		{name: "own 429, no deadline", waited: retryAfter},
		{name: "own 429, a deadline before the wait ends", timeout: 3 * time.Second, refused: "waiting 5s would pass the call's deadline, 3s away"},
		{name: "another call's pause, a deadline after it", timeout: 5 * time.Minute, other: true, waited: retryAfter - earlier},
		{name: "another call's pause, no deadline", other: true, waited: retryAfter - earlier},
		{name: "another call's pause through a rate limiter", timeout: 5 * time.Minute, other: true, limiter: true, waited: retryAfter - earlier},
		{name: "another call's pause, a deadline before it ends", timeout: 3 * time.Second, other: true, refused: "longer than the time left before the call's deadline"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 0 {
					w.Header().Set("Retry-After", "5")
					writeBody(w, 429, throttleBody)
					return
				}
				writeBody(w, 200, batchPage([]string{"x"}, ""))
			})
			synctest.Test(t, func(t *testing.T) {
				c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{TryTimeout: tryTimeout}, nil)
				base := context.Background()
				if tc.limiter {
					lim, err := NewRateLimiter(nil)
					if err != nil {
						t.Fatal(err)
					}
					base = WithRateLimiter(base, lim)
				}
				if tc.other {
					ctx, cancel := context.WithTimeout(base, earlier)
					_, err := c.ListDeviceBatches(ctx, testCustomer)
					cancel()
					if err == nil || rec.count() != 1 {
						t.Fatalf("the other call: %v after %d requests, want its 429 refused at once", err, rec.count())
					}
					time.Sleep(earlier)
				}
				ctx := base
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				start := time.Now()
				batches, err := c.ListDeviceBatches(ctx, testCustomer)
				took := time.Since(start)
				if tc.refused == "" {
					if err != nil || len(batches) != 1 || took != tc.waited {
						t.Fatalf("%v after %s, %d batches; want the batch after waiting %s", err, took, len(batches), tc.waited)
					}
					if want := 2; rec.count() != want {
						t.Errorf("%d requests, want %d: the 429 and one request after the wait", rec.count(), want)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("error %v, want one saying %q", err, tc.refused)
				}
				if errors.As(err, new(*NetworkError)) || took != 0 || rec.count() != 1 {
					t.Errorf("refused after %s and %d requests (%T); want at once, only the 429 sent", took, rec.count(), err)
				}
			})
		})
	}
}
