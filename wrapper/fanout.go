package wrapper

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultConcurrency is the number of customers FanOutOptions fetches at
// once unless told otherwise.
const DefaultConcurrency = 8

// MaxConcurrency caps FanOutOptions.Concurrency: each worker holds memory
// while the learned rate, not the number of workers, is what bounds a
// fan-out's pace (Partner Center's limit is per partner tenant), so more
// buys nothing. A larger Concurrency is taken as MaxConcurrency.
const MaxConcurrency = 1000

// FanOutOptions tunes ListDeviceBatchesForCustomers. A nil *FanOutOptions
// (or the zero value) means DefaultConcurrency workers and a rate learned
// from the service's answers.
type FanOutOptions struct {
	// Concurrency is the number of customers fetched at once. Default
	// DefaultConcurrency; at most MaxConcurrency, and, for
	// ListDeviceBatchesForCustomers, at most the number of customers.
	Concurrency int
	// RatePerSecond, when positive and finite, is a hard ceiling on the
	// requests sent per second (tries and pages included); the fan-out
	// starts there and still slows down on 429s. Zero (or anything not
	// positive and finite) means no ceiling: the rate is learned.
	RatePerSecond float64
	// RateLimiter, when set, is the limiter every try of the fan-out
	// passes (RatePerSecond is then ignored). Share one with the calls
	// that produce the customer ids (WithRateLimiter) so that they all
	// spend one learned rate, and read its Stats for a progress line.
	// Nil: the fan-out makes its own, pausing at most
	// ClientOptions.Retry.MaxRetryDelay (60 s by default). One that
	// NewRateLimiter did not make (a zero RateLimiter) fails every
	// customer with an *InvalidArgumentError, and nothing is sent.
	RateLimiter *RateLimiter
	// JSON asks for each batch's JSON as the service sent it, in
	// CustomerResult.BatchesJSON, instead of decoded batches.
	JSON bool
}

// CustomerResult is the outcome for one customer of
// ListDeviceBatchesForCustomers: its batches, or the error that ended its
// GET /v1/customers/{customer-id}/deviceBatches call.
type CustomerResult struct {
	// Index of CustomerID in the ids passed in (slice or stream).
	Index      int
	CustomerID string
	// Batches holds the decoded batches (BatchesJSON with FanOutOptions.JSON).
	Batches     []DeviceBatch
	BatchesJSON [][]byte
	// Err is the customer's failure (inspect it with errors.As):
	//   - *InvalidArgumentError: refused before any request (the id is
	//     not a GUID, say);
	//   - *ResponseError: the service answered with an error (when ctx
	//     ended while a failed try waited to be retried, Err holds both
	//     that answer and ctx's error);
	//   - *DecodeError: an answer could not be read;
	//   - *PagingError: the pages could not be followed;
	//   - *NetworkError: no answer: the connection failed, a try timed
	//     out, or ctx ended (errors.Is(Err, context.Canceled) and
	//     context.DeadlineExceeded see through it);
	//   - *AuthenticationError: the credential gave no token;
	//   - *ThrottlePauseError: not fetched, since the service asked for a
	//     pause longer than could be waited (one error for every such
	//     customer);
	//   - *PanicError: fetching this customer hit a bug.
	Err error
}

// ListDeviceBatchesForCustomers lists the device batches of many customers
// concurrently, GET /v1/customers/{customer-id}/deviceBatches once per
// customer (following pages), and yields each customer's result as it
// arrives, in completion order.
//
// Every customer is yielded exactly once, whether it succeeded or failed:
// one customer's failure never stops the others, and when ctx ends the
// customers not yet fetched are yielded with ctx's error. Every try passes
// one shared RateLimiter (see FanOutOptions.RateLimiter), which learns the
// service's limit from its 429s. When the service asks for a pause longer
// than the limiter allows (or than ctx's deadline), the customers not yet
// fetched are yielded at once with the same *ThrottlePauseError, and no
// request is sent. Stopping the loop early (break, return) cancels the
// calls still running and returns once they have.
func (c *Client) ListDeviceBatchesForCustomers(ctx context.Context, customerIDs []string, opts *FanOutOptions) iter.Seq[CustomerResult] {
	if len(customerIDs) == 0 {
		return func(func(CustomerResult) bool) {}
	}
	// No more workers than customers: an idle worker costs memory.
	o := FanOutOptions{Concurrency: DefaultConcurrency}
	if opts != nil {
		o = *opts
		if o.Concurrency <= 0 {
			o.Concurrency = DefaultConcurrency
		}
	}
	o.Concurrency = min(o.Concurrency, len(customerIDs))
	return c.ListDeviceBatchesForCustomerSeq(ctx, slices.Values(customerIDs), &o)
}

// ListDeviceBatchesForCustomerSeq is ListDeviceBatchesForCustomers (GET
// /v1/customers/{customer-id}/deviceBatches per customer) over a stream of
// customer ids, such as the ids of ListCustomersIter as its pages arrive:
// the first customers' batches are yielded while later ids are still being
// produced. CustomerResult.Index is an id's position in the stream.
//
// The stream is read from one goroutine, and should stop when ctx ends.
// Stopping the loop early makes the stream's yield return false, so that a
// customer listing requests no further page, and the loop returns once the
// stream has: a variable the stream sets (the listing's error) can be read
// after the loop, and a stream that waits between ids holds up the early
// stop until it yields again or returns. A panic in the stream is
// recovered on its goroutine and, once the customers it produced have
// been yielded, raised again on the loop's goroutine as a *PanicError
// holding the stream's value and stack: the loop ends with it, as a loop
// over the stream itself would.
func (c *Client) ListDeviceBatchesForCustomerSeq(ctx context.Context, customerIDs iter.Seq[string], opts *FanOutOptions) iter.Seq[CustomerResult] {
	var o FanOutOptions
	if opts != nil {
		o = *opts
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	o.Concurrency = min(o.Concurrency, MaxConcurrency)
	return func(yield func(CustomerResult) bool) {
		lim := o.RateLimiter
		if lim == nil {
			ceiling := o.RatePerSecond
			if !(ceiling > 0) || math.IsInf(ceiling, 1) {
				ceiling = 0
			}
			var maxPause time.Duration // the limiter's default for a Client not set up
			if c.setUp() == nil {
				maxPause = c.maxRetryDelay
			}
			lim, _ = NewRateLimiter(&RateLimiterOptions{Ceiling: ceiling, MaxPause: maxPause})
		}
		ctx, cancel := context.WithCancel(WithRateLimiter(ctx, lim))
		defer cancel()
		type job struct {
			i  int
			id string
		}
		jobs := make(chan job)
		results := make(chan CustomerResult)
		// stopped holds the *ThrottlePauseError that ended the fan-out:
		// the customers after it fail with it at once, one error for all.
		var stopped atomic.Pointer[ThrottlePauseError]
		refused := lim.check("FanOutOptions.RateLimiter")
		var wg sync.WaitGroup
		for range o.Concurrency {
			wg.Go(func() {
				for j := range jobs {
					r := CustomerResult{Index: j.i, CustomerID: j.id}
					if pe := stopped.Load(); pe != nil {
						r.Err = pe
					} else if refused != nil {
						r.Err = refused
					} else {
						r = c.fetchCustomerSafely(ctx, j.i, j.id, o.JSON)
						var pe *ThrottlePauseError
						if errors.As(r.Err, &pe) {
							stopped.CompareAndSwap(nil, pe)
							r.Err = stopped.Load()
						}
					}
					// Always delivered: the consumer drains results to the
					// end, so no customer can go missing.
					results <- r
				}
			})
		}
		// stop is closed when the consumer stops the loop (break, return
		// or panic): nobody reads the results any more.
		stop := make(chan struct{})
		// Every id is fed, even after ctx is cancelled: a cancelled fetch
		// returns at once with ctx's error, and the customer is accounted
		// for. Once the consumer stops, the stream's yield returns false
		// instead, so that a customer listing requests no further page.
		// A panic in the stream would end the process from this
		// goroutine: it is kept for the consumer's (closing jobs after
		// it is set, so the consumer's drain reads it safely).
		var streamPanic *PanicError
		go func() {
			defer close(jobs)
			defer func() {
				if p := recover(); p != nil {
					streamPanic = &PanicError{Value: p, Stack: debug.Stack()}
				}
			}()
			i := 0
			for id := range customerIDs {
				// stop first: the select below picks at random when a
				// worker is ready too.
				select {
				case <-stop:
					return
				default:
				}
				select {
				case jobs <- job{i, id}:
				case <-stop:
					return
				}
				i++
			}
		}()
		go func() {
			wg.Wait()
			close(results)
		}()
		// However the loop ends, wait for the stream and the workers to
		// return: no goroutine outlives the loop, and whatever the stream
		// set (a listing's error, say) can be read after it. A panic of
		// the stream is raised then, unless the consumer is panicking
		// already (ended is false).
		ended := false
		defer func() {
			cancel()
			close(stop)
			for range results {
			}
			if streamPanic != nil && ended {
				panic(streamPanic)
			}
		}()
		for r := range results {
			if !yield(r) {
				break
			}
		}
		ended = true
	}
}

// PanicError is a customer's CustomerResult.Err when fetching that
// customer panicked: a bug in this package or in code it called (a
// caller's pipeline policy, say). It is reported for that customer, with
// the stack, instead of crashing the process and losing every other
// customer's result. It is also the value a ListDeviceBatchesForCustomerSeq
// loop panics with when the caller's stream of ids panicked on the
// goroutine that reads it.
type PanicError struct {
	// Value is what panicked; Stack is the goroutine's stack at the panic.
	Value any
	Stack []byte
}

// Error returns one line; Stack is not in it.
func (e *PanicError) Error() string {
	// Not "a bug in this package": the panic may be the caller's own
	// (a policy, the id stream), so the text does not guess whose.
	return fmt.Sprintf("panic (a bug in this package or in code it called; the stack is in PanicError.Stack): %v", e.Value)
}

// fetchCustomerSafely is fetchCustomer on a worker goroutine, where a panic
// would end the process: it becomes the customer's *PanicError.
func (c *Client) fetchCustomerSafely(ctx context.Context, i int, id string, wantJSON bool) (r CustomerResult) {
	defer func() {
		if p := recover(); p != nil {
			r = CustomerResult{Index: i, CustomerID: id, Err: &PanicError{Value: p, Stack: debug.Stack()}}
		}
	}()
	return c.fetchCustomer(ctx, i, id, wantJSON)
}

func (c *Client) fetchCustomer(ctx context.Context, i int, id string, wantJSON bool) CustomerResult {
	r := CustomerResult{Index: i, CustomerID: id}
	if r.Err = CheckCustomerID(id); r.Err != nil {
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
