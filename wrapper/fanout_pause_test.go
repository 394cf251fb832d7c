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
