package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/guid"
)

// TestFanOutLongRetryAfterFailsRemainingOnce: when the service asks for a
// pause longer than the cap on one wait (Retry-After 300 s against the
// 60 s default), or longer than the context's deadline, every customer is
// still yielded once: those fetched before with their batches, the rest
// failing at once with the same *ThrottlePauseError naming the Retry-After,
// and the server sees no request after the 429.
func TestFanOutLongRetryAfterFailsRemainingOnce(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		timeout    time.Duration
		want       time.Duration
	}{
		{"past the cap", "300", 0, 300 * time.Second},
		{"past the deadline", "30", 10 * time.Second, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var n, after int
				throttled := false
				c := memClient(t, func(w http.ResponseWriter, r *http.Request) {
					time.Sleep(10 * time.Millisecond)
					mu.Lock()
					defer mu.Unlock()
					n++
					if throttled {
						after++
					}
					if n == 5 {
						throttled = true
						w.Header().Set("Retry-After", tt.retryAfter)
						w.WriteHeader(http.StatusTooManyRequests)
						fmt.Fprint(w, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in `+tt.retryAfter+` seconds."}`)
						return
					}
					fmt.Fprint(w, oneBatchBody)
				})
				ctx := t.Context()
				if tt.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.timeout)
					defer cancel()
				}
				ids := customers(40)
				seen := map[string]int{}
				var ok, paused int
				var first *ThrottlePauseError
				for r := range c.ListDeviceBatchesForCustomers(ctx, ids, &FanOutOptions{Concurrency: 4}) {
					seen[r.CustomerID]++
					var pe *ThrottlePauseError
					switch {
					case r.Err == nil && len(r.Batches) == 1:
						ok++
					case errors.As(r.Err, &pe):
						paused++
						if first == nil {
							first = pe
						} else if pe != first {
							t.Errorf("customer %s: a second ThrottlePauseError; want one shared", r.CustomerID)
						}
					default:
						t.Errorf("customer %s: %v", r.CustomerID, r.Err)
					}
				}
				if len(seen) != len(ids) || ok+paused != len(ids) || ok != 4 {
					t.Errorf("%d customers seen, %d ok, %d paused; want 40, 4 and 36", len(seen), ok, paused)
				}
				if first == nil || first.RetryAfter != tt.want || !strings.Contains(first.Error(), tt.want.String()+" (Retry-After)") {
					t.Fatalf("pause error %v, want one naming %s (Retry-After)", first, tt.want)
				}
				if first != nil && (!guid.Valid(first.RequestID) || !strings.Contains(first.Error(), "MS-RequestId: "+first.RequestID)) {
					t.Errorf("pause error %q, RequestID %q: want the stopped call's MS-RequestId in both", first.Error(), first.RequestID)
				}
				if after != 0 {
					t.Errorf("%d requests sent while the throttle was in force", after)
				}
			})
		})
	}
}

// TestFanOutAfterLongPauseOfAnotherCall: a fan-out started while the
// client is paused by an earlier call's 429 (Retry-After 3600 s, past the
// limiter's 60 s cap) yields every customer at once with one shared
// *ThrottlePauseError naming that Retry-After, and sends nothing; once the
// pause has passed, the same fan-out fetches every customer.
func TestFanOutAfterLongPauseOfAnotherCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		n := 0
		c := memClient(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			n++
			first := n == 1
			mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 3600 seconds."}`)
				return
			}
			fmt.Fprint(w, oneBatchBody)
		})
		sent := func() int {
			mu.Lock()
			defer mu.Unlock()
			return n
		}
		ids := customers(10)
		if _, err := c.ListDeviceBatches(t.Context(), ids[0]); err == nil {
			t.Fatal("the first call succeeded; want its 429")
		}
		start := time.Now()
		var first *ThrottlePauseError
		paused := 0
		for r := range c.ListDeviceBatchesForCustomers(t.Context(), ids, &FanOutOptions{Concurrency: 4}) {
			var pe *ThrottlePauseError
			if !errors.As(r.Err, &pe) {
				t.Errorf("customer %s: %v, want a *ThrottlePauseError", r.CustomerID, r.Err)
				continue
			}
			paused++
			if first == nil {
				first = pe
			} else if pe != first {
				t.Errorf("customer %s: a second ThrottlePauseError; want one shared", r.CustomerID)
			}
		}
		if paused != len(ids) || time.Since(start) != 0 || sent() != 1 {
			t.Fatalf("%d customers paused after %s, %d requests; want all 10 at once and only the first call's", paused, time.Since(start), sent())
		}
		if first.RetryAfter != time.Hour || !strings.Contains(first.Error(), "1h0m0s (Retry-After)") {
			t.Errorf("pause error %v, want one naming 1h0m0s (Retry-After)", first)
		}
		time.Sleep(time.Hour)
		ok := 0
		for r := range c.ListDeviceBatchesForCustomers(t.Context(), ids, nil) {
			if r.Err == nil && len(r.Batches) == 1 {
				ok++
			}
		}
		if ok != len(ids) {
			t.Errorf("after the pause, %d of %d customers fetched", ok, len(ids))
		}
	})
}

// TestFanOutStreamsFromSeq: the first customer's result is yielded while
// the stream of ids has not ended (it waits for that result), so listing
// customers and fetching their batches overlap.
func TestFanOutStreamsFromSeq(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := memClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, oneBatchBody) })
		ids := customers(3)
		firstDone := make(chan struct{})
		seq := func(yield func(string) bool) {
			if !yield(ids[0]) {
				return
			}
			<-firstDone // the rest "arrive" only after the first was printed
			for _, id := range ids[1:] {
				if !yield(id) {
					return
				}
			}
		}
		var order []int
		for r := range c.ListDeviceBatchesForCustomerSeq(t.Context(), seq, nil) {
			if r.Err != nil || r.CustomerID != ids[r.Index] {
				t.Errorf("result %+v", r)
			}
			order = append(order, r.Index)
			if len(order) == 1 {
				close(firstDone)
			}
		}
		if len(order) != 3 || order[0] != 0 {
			t.Errorf("order %v, want customer 0 first and 3 in all", order)
		}
	})
}

// TestRateLimiterOptions: invalid ceilings are refused before any I/O.
func TestRateLimiterOptions(t *testing.T) {
	for _, bad := range []float64{-1, nanF(), infF()} {
		_, err := NewRateLimiter(&RateLimiterOptions{Ceiling: bad})
		var ia *InvalidArgumentError
		if !errors.As(err, &ia) {
			t.Errorf("ceiling %v: err %v, want InvalidArgumentError", bad, err)
		}
	}
	r, err := NewRateLimiter(&RateLimiterOptions{Ceiling: 25})
	if err != nil || r.Stats().Rate != 25 {
		t.Errorf("ceiling 25: rate %v, err %v; want to start at the ceiling", r.Stats().Rate, err)
	}
	var nilLimiter *RateLimiter
	if nilLimiter.Stats() != (RateStats{}) {
		t.Error("a nil limiter's stats must be zero")
	}
}

func nanF() float64 { z := 0.0; return z / z }
func infF() float64 { z := 0.0; return 1 / z }
