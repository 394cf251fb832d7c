package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/uuid"
)

const oneBatchBody = `{"totalCount":1,"items":[{"id":"Test batch","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":5,"devicesLink":{"uri":"/customers/x/deviceBatches/Test batch/devices","method":"GET","headers":[]},"attributes":{"objectType":"DeviceBatch"}}],"attributes":{"objectType":"Collection"}}`

// customerOf returns the customer id of a listDeviceBatches request path.
func customerOf(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/v1/customers/")
	return strings.TrimSuffix(p, "/deviceBatches")
}

func customers(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	return ids
}

// TestFanOutAccountsForEveryCustomer runs 200 customers against a server
// that throttles every customer's first try and fails every tenth customer
// permanently: each customer must come back exactly once, the failures as
// 404 *ResponseError and the rest with their batch. Half the tries are
// throttled, so the adaptive limiter slows to its floor: the test runs on
// synctest's fake clock.
func TestFanOutAccountsForEveryCustomer(t *testing.T) {
	synctest.Test(t, testFanOutAccountsForEveryCustomer)
}

func testFanOutAccountsForEveryCustomer(t *testing.T) {
	ids := customers(200)
	failing := map[string]bool{}
	for i, id := range ids {
		if i%10 == 0 {
			failing[id] = true
		}
	}
	var mu sync.Mutex
	tried := map[string]int{}
	c := memClient(t, func(w http.ResponseWriter, r *http.Request) {
		id := customerOf(r)
		mu.Lock()
		tried[id]++
		first := tried[id] == 1
		mu.Unlock()
		switch {
		case failing[id]:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"code":600,"description":"customer not found","source":"PartnerFD"}`)
		case first:
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"statusCode":429,"message":"Rate limit is exceeded."}`)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, oneBatchBody)
		}
	})
	seen := map[string]int{}
	var failed int
	for r := range c.ListDeviceBatchesForCustomers(context.Background(), ids, &FanOutOptions{Concurrency: 16}) {
		seen[r.CustomerID]++
		if ids[r.Index] != r.CustomerID {
			t.Errorf("result index %d names %s, want %s", r.Index, r.CustomerID, ids[r.Index])
		}
		if failing[r.CustomerID] {
			var re *ResponseError
			if !errors.As(r.Err, &re) || re.StatusCode != http.StatusNotFound || re.Code != "600" {
				t.Errorf("customer %s: err = %v, want a 404 ResponseError with code 600", r.CustomerID, r.Err)
			}
			failed++
			continue
		}
		if r.Err != nil || len(r.Batches) != 1 || r.Batches[0].Id != "Test batch" {
			t.Errorf("customer %s: batches %v, err %v", r.CustomerID, r.Batches, r.Err)
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("customer %s yielded %d times, want once", id, seen[id])
		}
	}
	if len(seen) != len(ids) || failed != len(failing) {
		t.Errorf("got %d customers, %d failed; want %d and %d", len(seen), failed, len(ids), len(failing))
	}
}

// memTransport serves requests with a handler in memory, so that tests under
// testing/synctest run on the bubble's fake clock without network goroutines.
type memTransport struct{ h http.Handler }

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	m.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func memClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	c, err := NewClient(StaticToken("tok"), &ClientOptions{BaseURL: "http://127.0.0.1:1", ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: memTransport{h}}, Retry: policy.RetryOptions{MaxRetries: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFanOutThrottleGatePausesAllWorkers: after one 429 with a long
// Retry-After (5 s, above the 2 s that holds back only its own request),
// no worker may send anything until five (fake) seconds have passed.
func TestFanOutThrottleGatePausesAllWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var mu sync.Mutex
		var throttledAt time.Time
		var arrivals []time.Time
		var throttled atomic.Bool
		c := memClient(t, func(w http.ResponseWriter, r *http.Request) {
			// Each request takes 10 ms, so the workers overlap in time.
			time.Sleep(10 * time.Millisecond)
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			if time.Since(start) > 25*time.Millisecond && throttled.CompareAndSwap(false, true) {
				mu.Lock()
				throttledAt = time.Now()
				mu.Unlock()
				w.Header().Set("Retry-After", "5")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			fmt.Fprint(w, oneBatchBody)
		})
		var n int
		for r := range c.ListDeviceBatchesForCustomers(t.Context(), customers(40), &FanOutOptions{Concurrency: 4}) {
			if r.Err != nil {
				t.Errorf("customer %s: %v", r.CustomerID, r.Err)
			}
			n++
		}
		if n != 40 || throttledAt.IsZero() {
			t.Fatalf("got %d results, throttled at %v", n, throttledAt)
		}
		// A request already in flight when the 429 arrived may land within its
		// own 10 ms; a new one must wait out the five seconds.
		for _, at := range arrivals {
			if at.After(throttledAt.Add(10*time.Millisecond)) && at.Before(throttledAt.Add(5*time.Second)) {
				t.Errorf("a request arrived %s after the 429, inside its 5 s Retry-After", at.Sub(throttledAt))
			}
		}
	})
}

// TestFanOutRateLimit: with RatePerSecond 10, customer calls start at least
// 100 ms apart on the fake clock whatever the concurrency.
func TestFanOutRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var arrivals []time.Time
		c := memClient(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			mu.Unlock()
			fmt.Fprint(w, oneBatchBody)
		})
		var n int
		for range c.ListDeviceBatchesForCustomers(t.Context(), customers(20), &FanOutOptions{Concurrency: 8, RatePerSecond: 10}) {
			n++
		}
		if n != 20 || len(arrivals) != 20 {
			t.Fatalf("%d results, %d requests; want 20", n, len(arrivals))
		}
		for i := 1; i < len(arrivals); i++ {
			if gap := arrivals[i].Sub(arrivals[i-1]); gap < 100*time.Millisecond {
				t.Errorf("requests %d and %d only %s apart", i-1, i, gap)
			}
		}
	})
}

// TestFanOutEdgeCases: invalid ids fail alone, a cancelled context still
// yields every customer, and breaking out of the loop leaves no goroutine
// behind (synctest fails on a leaked, blocked goroutine).
func TestFanOutEdgeCases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := memClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, oneBatchBody) })
		ids := append(customers(3), "not-a-guid")
		var invalid, ok int
		for r := range c.ListDeviceBatchesForCustomers(t.Context(), ids, nil) {
			var ia *InvalidArgumentError
			switch {
			case errors.As(r.Err, &ia) && r.CustomerID == "not-a-guid":
				invalid++
			case r.Err == nil:
				ok++
			default:
				t.Errorf("%s: %v", r.CustomerID, r.Err)
			}
		}
		if invalid != 1 || ok != 3 {
			t.Errorf("invalid %d ok %d, want 1 and 3", invalid, ok)
		}

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		var cancelled int
		for r := range c.ListDeviceBatchesForCustomers(ctx, customers(50), &FanOutOptions{Concurrency: 3}) {
			if errors.Is(r.Err, context.Canceled) {
				cancelled++
			}
		}
		if cancelled != 50 {
			t.Errorf("cancelled context: %d of 50 customers reported cancelled", cancelled)
		}

		var got int
		for range c.ListDeviceBatchesForCustomers(t.Context(), customers(50), nil) {
			got++
			break
		}
		if got != 1 {
			t.Errorf("broke after %d results, want 1", got)
		}
		for range c.ListDeviceBatchesForCustomers(t.Context(), nil, nil) {
			t.Error("no customers must yield nothing")
		}
	})
}

// TestFanOutWorkersAreBounded: Concurrency 1,000,000 with one customer
// used to start a million workers (2.7 GiB). The slice form starts no more
// workers than customers, the stream form at most MaxConcurrency. The
// handler counts the goroutines while the workers are all started and
// waiting for ids. Not parallel: it counts the process's goroutines.
func TestFanOutWorkersAreBounded(t *testing.T) {
	const huge = 100_000
	var during atomic.Int64
	c := memClient(t, func(w http.ResponseWriter, _ *http.Request) {
		during.Store(int64(runtime.NumGoroutine()))
		writeBody(w, 200, oneBatchBody)
	})
	before := runtime.NumGoroutine()
	for r := range c.ListDeviceBatchesForCustomers(context.Background(), []string{testCustomer}, &FanOutOptions{Concurrency: huge}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if n := during.Load() - int64(before); n > 50 {
		t.Errorf("one customer: %d goroutines more while fetching, want a handful", n)
	}
	for r := range c.ListDeviceBatchesForCustomerSeq(context.Background(), slices.Values([]string{testCustomer}), &FanOutOptions{Concurrency: huge}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if n := during.Load() - int64(before); n > MaxConcurrency+50 {
		t.Errorf("a stream: %d goroutines more while fetching, want at most about MaxConcurrency (%d)", n, MaxConcurrency)
	}
}
