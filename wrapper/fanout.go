package wrapper

import (
	"context"
	"iter"
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// DefaultConcurrency is the number of customers FanOutOptions fetches at
// once unless told otherwise.
const DefaultConcurrency = 8

// FanOutOptions tunes ListDeviceBatchesForCustomers. A nil *FanOutOptions
// (or the zero value) means DefaultConcurrency workers and no client-side
// rate limit.
type FanOutOptions struct {
	// Concurrency is the number of customers fetched at once. Default
	// DefaultConcurrency.
	Concurrency int
	// RatePerSecond, when positive, caps how many customers' calls start
	// per second (a token bucket holding one), so a partner can stay under
	// its Partner Center rate limit instead of relying on 429s.
	RatePerSecond float64
	// JSON asks for each batch's JSON as the service sent it, in
	// CustomerResult.BatchesJSON, instead of decoded batches.
	JSON bool
}

// CustomerResult is the outcome for one customer of
// ListDeviceBatchesForCustomers: its batches, or the error that ended its
// GET /v1/customers/{customer-id}/deviceBatches call.
type CustomerResult struct {
	// Index of CustomerID in the slice passed in.
	Index      int
	CustomerID string
	// Batches holds the decoded batches (BatchesJSON with FanOutOptions.JSON).
	Batches     []DeviceBatch
	BatchesJSON [][]byte
	// Err is the customer's failure: *ResponseError, *DecodeError,
	// *InvalidArgumentError (not a GUID), or the context's error.
	Err error
}

// ListDeviceBatchesForCustomers lists the device batches of many customers
// concurrently, GET /v1/customers/{customer-id}/deviceBatches once per
// customer (following pages), and yields each customer's result as it
// arrives, in completion order.
//
// Every customer is yielded exactly once, whether it succeeded or failed:
// one customer's failure never stops the others, and when ctx ends the
// customers not yet fetched are yielded with ctx's error. A 429 to any
// worker pauses every call of the Client until the service's Retry-After
// has passed. Stopping the loop early cancels the calls still running.
func (c *Client) ListDeviceBatchesForCustomers(ctx context.Context, customerIDs []string, opts *FanOutOptions) iter.Seq[CustomerResult] {
	var o FanOutOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	workers := min(o.Concurrency, len(customerIDs))
	return func(yield func(CustomerResult) bool) {
		if len(customerIDs) == 0 {
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		lim := rate.NewLimiter(rate.Inf, 1)
		if o.RatePerSecond > 0 && !math.IsInf(o.RatePerSecond, 1) {
			lim = rate.NewLimiter(rate.Limit(o.RatePerSecond), 1)
		}
		jobs := make(chan int)
		results := make(chan CustomerResult)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := range jobs {
					// Always delivered: the consumer drains results to the
					// end, so no customer can go missing.
					results <- c.fetchCustomer(ctx, lim, i, customerIDs[i], o.JSON)
				}
			})
		}
		// Every index is fed, even after cancellation: a cancelled fetch
		// returns at once with ctx's error, and the customer is accounted for.
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

func (c *Client) fetchCustomer(ctx context.Context, lim *rate.Limiter, i int, id string, wantJSON bool) CustomerResult {
	r := CustomerResult{Index: i, CustomerID: id}
	if r.Err = CheckCustomerID(id); r.Err != nil {
		return r
	}
	if r.Err = lim.Wait(ctx); r.Err != nil {
		return r
	}
	if !wantJSON {
		r.Batches, r.Err = c.ListDeviceBatches(ctx, id)
		return r
	}
	r.BatchesJSON = [][]byte{}
	for raw, err := range c.ListDeviceBatchesJSON(ctx, id) {
		if err != nil {
			r.BatchesJSON, r.Err = nil, err
			break
		}
		r.BatchesJSON = append(r.BatchesJSON, append([]byte(nil), raw...))
	}
	return r
}
