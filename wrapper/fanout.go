package wrapper

import (
	"context"
	"iter"
	"sync"
	"time"
)

// DefaultConcurrency is the number of customers FanOutOptions fetches at once
// unless told otherwise.
const DefaultConcurrency = 8

// FanOutOptions tunes ListDeviceBatchesForCustomers. The zero value (or nil)
// means DefaultConcurrency workers and no client-side rate limit.
type FanOutOptions struct {
	// Concurrency is the number of customers fetched at once. Default
	// DefaultConcurrency.
	Concurrency int
	// RatePerSecond, when positive, caps how many customers' calls start per
	// second (a token bucket of one), so a partner can stay under its
	// Partner Center rate limit instead of relying on 429s. Retries of a
	// throttled call are paced by the service's Retry-After, which the
	// Client applies to all of its calls at once.
	RatePerSecond float64
}

// CustomerResult is the outcome for one customer of
// ListDeviceBatchesForCustomers: its batches, or the error that ended its
// GET /v1/customers/{customer-id}/deviceBatches call.
type CustomerResult struct {
	// Index of CustomerID in the slice passed in.
	Index      int
	CustomerID string
	Batches    []DeviceBatch
	// Err is the customer's failure: *ResponseError, *DecodeError,
	// *InvalidArgumentError (not a GUID), or the context's error.
	Err error
}

// ListDeviceBatchesForCustomers lists the device batches of many customers
// concurrently, GET /v1/customers/{customer-id}/deviceBatches once per
// customer (following pages), and yields each customer's result as it
// arrives, in completion order.
//
// Every customer is yielded exactly once, whether it succeeded or failed: one
// customer's failure never stops the others, and when ctx ends the customers
// not yet fetched are yielded with ctx's error. A 429 answer to any worker
// pauses every worker of the Client until the service's Retry-After has
// passed. Stopping the loop early cancels the calls still running.
func (c *Client) ListDeviceBatchesForCustomers(ctx context.Context, customerIDs []string, opts *FanOutOptions) iter.Seq[CustomerResult] {
	workers, rate := DefaultConcurrency, 0.0
	if opts != nil {
		if opts.Concurrency > 0 {
			workers = opts.Concurrency
		}
		rate = opts.RatePerSecond
	}
	workers = min(workers, len(customerIDs))
	return func(yield func(CustomerResult) bool) {
		if len(customerIDs) == 0 {
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		lim := newPacer(rate, &c.retry)
		jobs := make(chan int)
		results := make(chan CustomerResult)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := range jobs {
					// Always delivered: the consumer drains results to the end,
					// so no customer can go missing.
					results <- c.fetchCustomer(ctx, lim, i, customerIDs[i])
				}
			})
		}
		// Feed every index even after cancellation: a cancelled fetch returns
		// at once with ctx's error, and the customer is still accounted for.
		go func() {
			defer close(jobs)
			for i := range customerIDs {
				jobs <- i
			}
		}()
		go func() {
			wg.Wait()
			close(results)
		}()
		for r := range results {
			if !yield(r) {
				cancel()
				for range results {
				}
				return
			}
		}
	}
}

func (c *Client) fetchCustomer(ctx context.Context, lim *pacer, i int, id string) CustomerResult {
	r := CustomerResult{Index: i, CustomerID: id}
	if err := CheckCustomerID(id); err != nil {
		r.Err = err
		return r
	}
	if err := lim.wait(ctx); err != nil {
		r.Err = err
		return r
	}
	r.Batches, r.Err = c.ListDeviceBatches(ctx, id)
	return r
}

// pacer is a token bucket holding one token, refilled every 1/rate: each
// caller reserves the next free slot under the lock and sleeps until it.
// It uses the retry policy's clock so tests can replace time.
type pacer struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
	clock    *retryPolicy
}

func newPacer(rate float64, p *retryPolicy) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{interval: time.Duration(float64(time.Second) / rate), clock: p}
}

func (l *pacer) wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	l.mu.Lock()
	now := l.clock.now()
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(l.interval)
	l.mu.Unlock()
	return l.clock.sleep(ctx, slot.Sub(now))
}
