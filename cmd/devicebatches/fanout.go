package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/adaptive"
	"github.com/partnercenter-go/devicebatches/internal/jsonout"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// customerSource is where a fan-out's customer ids come from: a customers
// file (total known at once) or the customer listing (total known when the
// listing ends; err tells whether it ended early).
type customerSource struct {
	ids   iter.Seq[string]
	total func() (int, bool)
	err   func() error
	// repeats, when set, says how many customers the listing repeated
	// (skipped) and the first of them.
	repeats func() (int, string)
}

// checkFanOutFlags checks the flags of a fan-out before any I/O (--rate is
// checked by checkRate, for every list).
func checkFanOutFlags(f listFlags) error {
	if f.concurrency < 1 || f.concurrency > wrapper.MaxConcurrency {
		return usagef("--concurrency must be from 1 to %d, not %d", wrapper.MaxConcurrency, f.concurrency)
	}
	switch f.output {
	case "table", "", "json", "jsonl", "csv":
	default:
		return usagef("unknown output format %q: use -o table, json, jsonl or csv", f.output)
	}
	if f.includeEmpty && (f.output == "table" || f.output == "" || f.output == "csv") {
		format := f.output
		if format == "" {
			format = "table"
		}
		return usagef("--include-empty adds records to -o json or -o jsonl; -o %s lists batches only", format)
	}
	return nil
}

// fanOutTally accounts for every customer of a fan-out.
type fanOutTally struct {
	done, withBatches, without, failed, batches int
	failures                                    []wrapper.CustomerResult
	// paused are the customers not fetched because the service asked for
	// a pause longer than could be waited; they share one error.
	paused    int
	pauseErr  *wrapper.ThrottlePauseError
	throttled int64
	elapsed   time.Duration
	// panicked is the first customer whose fetch hit a bug (exit 70).
	panicked *wrapper.PanicError
}

func (t *fanOutTally) add(r wrapper.CustomerResult) {
	t.done++
	var pe *wrapper.ThrottlePauseError
	switch {
	case errors.As(r.Err, &pe):
		t.failed++
		t.paused++
		t.pauseErr = pe
	case r.Err != nil:
		t.failed++
		t.failures = append(t.failures, r)
		if p := (*wrapper.PanicError)(nil); errors.As(r.Err, &p) && t.panicked == nil {
			t.panicked = p
		}
	default:
		n := max(len(r.Batches), len(r.BatchesJSON))
		t.batches += n
		if n > 0 {
			t.withBatches++
		} else {
			t.without++
		}
	}
}

// cutShort tells a customer the run did not get to (it was interrupted,
// reached --timeout, or the rate limiter refused a wait that would pass
// --timeout) from one that failed on its own.
func cutShort(ctx context.Context, err error) bool {
	if errors.Is(err, adaptive.ErrDeadline) {
		return true
	}
	return ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// cutReason says why the run was cut short, in the user's terms.
func cutReason(ctx context.Context, err error, timeout time.Duration) string {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return "interrupted"
	case errors.Is(err, adaptive.ErrDeadline):
		return fmt.Sprintf("waiting for the rate would pass --timeout %s", timeout)
	default:
		return fmt.Sprintf("--timeout %s reached", timeout)
	}
}

// summary is the one line that accounts for every customer.
func (t *fanOutTally) summary() string {
	return fmt.Sprintf("%d customers: %d with batches, %d without, %d failed; %d batches; %s; %d requests throttled",
		t.done, t.withBatches, t.without, t.failed, t.batches, t.elapsed.Round(100*time.Millisecond), t.throttled)
}

// emptyRecord is the -o json/jsonl record of a customer without batches
// (--include-empty), so that a report says "no batches" instead of
// staying silent.
func emptyRecord(customerID string) []byte {
	return fmt.Appendf(nil, `{"customerId":%q,"batches":0}`, customerID)
}

// fanOut lists the batches of every customer of src and prints them: jsonl
// as each customer completes; json and csv in the order of src, each
// customer as soon as every customer before it is done (so that neither
// holds every batch until the end); table at the end in the order of src,
// since its columns are aligned over every row. Failures get one line
// each, except the customers a long throttle stopped and those an
// interrupt or --timeout left unfetched, which share one line per cause;
// stderr then gets one summary line.
func (a *app) fanOut(ctx context.Context, client *wrapper.Client, f listFlags, lim *wrapper.RateLimiter, src customerSource) error {
	start := time.Now()
	bar := a.progress(src.total, lim.Stats)
	var tally fanOutTally
	out := newFanOutWriter(a.io.out, f)
	out.csvSafe = a.csvSafe
	opts := &wrapper.FanOutOptions{Concurrency: f.concurrency, RateLimiter: lim, JSON: f.output == "json" || f.output == "jsonl"}
	for r := range client.ListDeviceBatchesForCustomerSeq(ctx, src.ids, opts) {
		if opts.JSON {
			r = checkOwnCustomerID(r)
		}
		tally.add(r)
		bar.step(max(len(r.Batches), len(r.BatchesJSON)))
		if out.add(r) != nil {
			break // stdout failed: fetching more customers would print nothing
		}
	}
	bar.done()
	tally.elapsed = time.Since(start)
	tally.throttled = lim.Stats().Throttled
	if werr := out.end(); werr != nil {
		return werr
	}
	slices.SortFunc(tally.failures, func(x, y wrapper.CustomerResult) int { return x.Index - y.Index })
	// The customers an interrupt or --timeout left unfetched share one
	// line: thousands of "context canceled" lines would bury the failures
	// that are each customer's own.
	var cut []wrapper.CustomerResult
	for _, r := range tally.failures {
		if cutShort(ctx, r.Err) {
			cut = append(cut, r)
			continue
		}
		fmt.Fprintln(a.io.err, "devicebatches: "+failureLine(r, out.format))
	}
	if len(cut) > 0 {
		fmt.Fprintf(a.io.err, "devicebatches: %d customers not fetched: %s (the first: %s); fetched before: %d customers, %d batches (printed above)\n",
			len(cut), cutReason(ctx, cut[0].Err, a.flags.timeout), cut[0].CustomerID, tally.done-tally.failed, tally.batches)
	}
	if tally.paused > 0 {
		fmt.Fprintf(a.io.err, "devicebatches: %d customers not fetched: %s; fetched before the throttle: %d customers, %d batches (printed above)\n",
			tally.paused, oneLine(tally.pauseErr.Error()), tally.done-tally.failed, tally.batches)
	}
	if src.repeats != nil {
		if n, first := src.repeats(); n > 0 {
			fmt.Fprintf(a.io.err, "devicebatches: skipped %d repeats in the customer listing (the first: customer %s); each customer was fetched once\n", n, first)
		}
	}
	var listErr error
	if src.err != nil {
		listErr = src.err()
	}
	if listErr != nil {
		fmt.Fprintln(a.io.err, "devicebatches: listing customers stopped early: "+oneLine(listErr.Error()))
	}
	fmt.Fprintln(a.io.err, "devicebatches: "+tally.summary())
	var err error
	switch {
	case tally.panicked != nil:
		// A bug hit a worker: exit 70, after every other customer's output.
		err = &workerPanic{failed: tally.failed, done: tally.done, pe: tally.panicked}
	case tally.failed > 0:
		err = fmt.Errorf("%d of %d customers failed; the others were listed", tally.failed, tally.done)
	case listErr != nil:
		err = fmt.Errorf("the customer listing failed after %d customers; their batches were listed: %w", tally.done, listErr)
	}
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w (gave up after --timeout %s)", err, a.flags.timeout)
	}
	return err
}

// withFanOutService is withService for a fan-out: off the sandbox, the
// credential gives a token before any customer is fetched (as
// delete-device's does), so that none found (missingCredentials: exit 2)
// or one refused is said once, not once per customer with the SDK's whole
// text, each customer probing the managed identity address again.
func (a *app) withFanOutService(ctx context.Context, fn func(ctx context.Context, client *wrapper.Client) error) error {
	return a.withServiceAsking(ctx, func() error { return nil }, fn)
}

// runAllCustomers is `list --all-customers`: the partner's customers (GET
// /v1/customers, page by page), and the fan-out over them as they arrive,
// every request under one learned rate.
func (a *app) runAllCustomers(ctx context.Context, f listFlags) error {
	if f.customer != "" || f.customersFile != "" {
		return usagef("--all-customers lists every customer: drop --customer and --customers-file")
	}
	if err := checkFanOutFlags(f); err != nil {
		return err
	}
	filter := &wrapper.ListCustomersOptions{NamePrefix: f.namePrefix, DomainPrefix: f.domainPrefix}
	if f.namePrefix != "" && f.domainPrefix != "" {
		return usagef("--name-prefix and --domain-prefix cannot be used together: Partner Center takes one filter")
	}
	return a.withFanOutService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		lim, err := wrapper.NewRateLimiter(&wrapper.RateLimiterOptions{Ceiling: f.rate})
		if err != nil {
			return err
		}
		var mu sync.Mutex
		var listed, repeats int
		var firstRepeat string
		var finished bool
		var listErr error
		var queue []string
		src := customerSource{
			// The listing runs ahead of the fan-out into a queue (ids are
			// small), so that its few pages are read at once and the
			// progress bar knows the total, and its ETA, early; a customer
			// the service lists twice (on two pages, say) is queued, and
			// so fetched, printed and counted, once.
			ids: func(yield func(string) bool) {
				lctx, cancel := context.WithCancel(ctx)
				more := make(chan struct{}, 1)
				signal := func() {
					select {
					case more <- struct{}{}:
					default:
					}
				}
				done := make(chan struct{})
				go func() {
					defer close(done)
					defer func() { mu.Lock(); finished = true; mu.Unlock(); signal() }()
					seen := map[string]bool{}
					n := 0
					// Only each customer's id is needed: read as sent, so a
					// property the model cannot hold (a companyName sent as
					// a number) does not stop the run.
					for raw, err := range client.ListCustomersJSON(wrapper.WithRateLimiter(lctx, lim), filter) {
						var id string
						if err == nil {
							id, err = listedCustomerID(raw, n)
							n++
						}
						if err != nil {
							mu.Lock()
							listErr = err
							mu.Unlock()
							return
						}
						mu.Lock()
						if seen[id] { // lower case: one customer, one key
							repeats++
							if firstRepeat == "" {
								firstRepeat = id
							}
						} else {
							seen[id] = true
							listed++
							queue = append(queue, id)
						}
						mu.Unlock()
						signal()
					}
				}()
				// Stopped early (the consumer broke off), the listing stops
				// too; either way it has ended when the stream returns.
				defer func() { cancel(); <-done }()
				for next := 0; ; {
					mu.Lock()
					if next < len(queue) {
						id := queue[next]
						queue[next] = ""
						next++
						mu.Unlock()
						if !yield(id) {
							return
						}
						continue
					}
					fin := finished
					mu.Unlock()
					if fin {
						return
					}
					<-more
				}
			},
			total:   func() (int, bool) { mu.Lock(); defer mu.Unlock(); return listed, finished },
			err:     func() error { mu.Lock(); defer mu.Unlock(); return listErr },
			repeats: func() (int, string) { mu.Lock(); defer mu.Unlock(); return repeats, firstRepeat },
		}
		return a.fanOut(ctx, client, f, lim, src)
	})
}

// listedCustomerID is the id of the n-th customer (from 0) of the customer
// listing, raw as sent: its top-level id (any case, as the model reads
// it; every such key the same), a GUID, in lower case as the model prints
// it.
func listedCustomerID(raw []byte, n int) (string, error) {
	vals, _ := topLevel(raw, "id")
	id := ""
	for _, v := range vals {
		var s string
		if json.Unmarshal(v, &s) != nil || (id != "" && !strings.EqualFold(s, id)) || wrapper.CheckCustomerID(s) != nil {
			return "", fmt.Errorf("customer %d of the listing has id %s, not one customer's GUID", n+1, oneLine(string(v)))
		}
		id = s
	}
	if id == "" {
		return "", fmt.Errorf("customer %d of the listing has no id", n+1)
	}
	return strings.ToLower(id), nil
}

// fanOutWriter prints a fan-out's results in the chosen format: jsonl as
// they come; json and csv in the order of the customers (Index), each
// customer once every customer before it is done; table rows gathered in
// that order, bounded as they come, and printed at the end.
type fanOutWriter struct {
	format       string
	includeEmpty bool
	csvSafe      bool
	w            io.Writer
	bw           *bufio.Writer
	cw           *csv.Writer
	json         jsonArray
	// next is the Index of the first customer not yet printed; held are
	// the customers done before it, until their turn.
	next int
	held map[int]wrapper.CustomerResult
	// rows are -o table's rows, added in the customers' order and printed
	// at the end, bounded as every table is (table.go).
	rows *tableRows
	err  error
}

func newFanOutWriter(w io.Writer, f listFlags) *fanOutWriter {
	o := &fanOutWriter{format: f.output, includeEmpty: f.includeEmpty, w: w, held: map[int]wrapper.CustomerResult{}}
	if o.format == "" {
		o.format = "table"
	}
	o.bw = bufio.NewWriterSize(w, 64<<10)
	o.json.bw = o.bw
	if o.format == "table" {
		o.rows = newTableRows()
		o.rows.add("CUSTOMER\t" + batchHeader)
	}
	if o.format == "csv" {
		o.cw = csv.NewWriter(o.bw)
		o.cw.Write(append([]string{"customerId"}, batchCSVHeader...))
	}
	return o
}

// add takes one customer's result; it returns the first write error, after
// which nothing more is printed.
func (o *fanOutWriter) add(r wrapper.CustomerResult) error {
	if o.err != nil {
		return o.err
	}
	switch o.format {
	case "jsonl":
		o.print(r)
		// Each customer's lines reach the reader as soon as it is done.
		o.setErr(o.bw.Flush())
	default:
		if r.Index != o.next {
			o.held[r.Index] = r
			return nil
		}
		for ok := true; ok && o.err == nil; r, ok = o.held[o.next] {
			delete(o.held, o.next)
			o.print(r)
			o.next++
		}
		if o.cw != nil {
			o.cw.Flush()
			o.setErr(o.cw.Error())
		}
		if o.rows == nil {
			// What is in order reaches the reader now, as jsonl's lines do.
			o.setErr(o.bw.Flush())
		}
	}
	return o.err
}

// print writes the batches of one customer (none for a failed one).
func (o *fanOutWriter) print(r wrapper.CustomerResult) {
	if r.Err != nil {
		return
	}
	switch o.format {
	case "jsonl":
		if len(r.BatchesJSON) == 0 && o.includeEmpty {
			o.bw.Write(append(emptyRecord(r.CustomerID), '\n'))
		}
		for _, b := range r.BatchesJSON {
			// Compacted: an item the service sent indented must still be one line.
			line, err := jsonout.AppendCompact(o.bw.AvailableBuffer(), withCustomer(r.CustomerID, b))
			if err != nil {
				o.setErr(err)
				return
			}
			o.bw.Write(append(line, '\n'))
		}
	case "json":
		if len(r.BatchesJSON) == 0 && o.includeEmpty {
			o.setErr(o.json.add(emptyRecord(r.CustomerID)))
		}
		for _, b := range r.BatchesJSON {
			o.setErr(o.json.add(withCustomer(r.CustomerID, b)))
		}
	case "csv":
		for _, b := range r.Batches {
			rec := append([]string{r.CustomerID}, batchRecord(b)...)
			if o.csvSafe {
				rec = defuseFormulas(rec)
			}
			o.cw.Write(rec)
		}
	case "table":
		// Checked as the rows come, not once every customer is fetched:
		// a table too large to hold stops the fan-out early.
		for _, b := range r.Batches {
			o.rows.add(r.CustomerID + "\t" + batchRow(b))
			if err := o.rows.tooLarge(); err != nil {
				o.setErr(err)
				return
			}
		}
	}
}

func (o *fanOutWriter) setErr(err error) {
	if o.err == nil {
		o.err = err
	}
}

// end prints what is still held (the customers after one that never came,
// when the fan-out was cut short), closes the format and flushes.
func (o *fanOutWriter) end() error {
	for _, i := range slices.Sorted(maps.Keys(o.held)) {
		if o.err == nil {
			o.print(o.held[i])
		}
	}
	if o.err != nil {
		return o.err
	}
	switch o.format {
	case "json":
		o.json.end()
	case "csv":
		o.cw.Flush()
		o.setErr(o.cw.Error())
	case "table":
		o.setErr(writeRows(o.bw, o.rows))
	}
	o.setErr(o.bw.Flush())
	return o.err
}

// workerPanic ends a fan-out in which a worker panicked; it unwraps to the
// *wrapper.PanicError, so the exit code is 70.
type workerPanic struct {
	failed, done int
	pe           *wrapper.PanicError
}

func (e *workerPanic) Error() string {
	return fmt.Sprintf("%d of %d customers failed; the others were listed: %s", e.failed, e.done, errText(e.pe))
}

func (e *workerPanic) Unwrap() error { return e.pe }
