package wrapper_test

// BenchmarkManyCustomers is the harness behind BENCHMARKS.md's "Many
// customers": the whole `list --all-customers` flow (customers listed page
// by page, the fan-out streaming over them) against the sandbox on a
// loopback server that imposes a rate limit the client is not told, under
// a token-bucket and a fixed-window model, adaptive against a fixed rate set
// exactly at the limit. It is a benchmark, not a test: it runs for tens of
// seconds of real time and asserts nothing about time; run one iteration:
//
//	DEVICEBATCHES_BENCH_MANY=1 go test -run '^$' -bench ManyCustomers -benchtime 1x ./wrapper/
//
// Without DEVICEBATCHES_BENCH_MANY it is skipped, so that `make bench`
// (six rounds of every benchmark) stays within its timeout.
//
// Metrics: frac_of_limit (requests the service served per second of the
// run, over the limit), throttled_% (429s among all requests), lost
// (customers that ended in an error: must be 0), and the elapsed seconds.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

func BenchmarkManyCustomers(b *testing.B) {
	skipUnlessMany(b)
	for _, sc := range []struct {
		customers int
		limit     float64
	}{{3000, 200}, {1000, 50}} {
		for _, model := range []string{sandbox.ModelBucket, sandbox.ModelWindow} {
			for _, mode := range []string{"adaptive", "fixed"} {
				name := fmt.Sprintf("customers=%d/limit=%v/model=%s/rate=%s", sc.customers, sc.limit, model, mode)
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						ceiling := 0.0
						if mode == "fixed" {
							ceiling = sc.limit
						}
						runManyCustomers(b, sc.customers, sandbox.RateLimit{Limit: sc.limit, Model: model}, ceiling)
					}
				})
			}
		}
	}
}

// skipUnlessMany skips the many-customers benchmarks, which take minutes of
// real time, unless DEVICEBATCHES_BENCH_MANY is set.
func skipUnlessMany(b *testing.B) {
	if os.Getenv("DEVICEBATCHES_BENCH_MANY") == "" {
		b.Skip("takes minutes: set DEVICEBATCHES_BENCH_MANY=1 to run")
	}
}

func runManyCustomers(b *testing.B, n int, rl sandbox.RateLimit, ceiling float64) {
	b.Helper()
	s, err := sandbox.New(sandbox.Options{Customers: n, RateLimit: &rl, Data: &sandbox.Data{}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	co := &wrapper.ClientOptions{BaseURL: srv.URL}
	co.Transport = srv.Client()
	c, err := wrapper.NewClient(wrapper.StaticToken("sandbox"), co)
	if err != nil {
		b.Fatal(err)
	}
	lim, err := wrapper.NewRateLimiter(&wrapper.RateLimiterOptions{Ceiling: ceiling})
	if err != nil {
		b.Fatal(err)
	}
	// Bounded: a run that has not finished in five minutes has failed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ctx = wrapper.WithRateLimiter(ctx, lim)
	var listErr error
	ids := func(yield func(string) bool) {
		for cu, err := range c.ListCustomersIter(ctx, nil) {
			if err != nil {
				listErr = err
				return
			}
			if !yield(cu.Id.String()) {
				return
			}
		}
	}
	start := time.Now()
	var done, lost int
	for r := range c.ListDeviceBatchesForCustomerSeq(ctx, ids, &wrapper.FanOutOptions{Concurrency: 32, RateLimiter: lim}) {
		done++
		if r.Err != nil {
			lost++
			if lost <= 3 {
				b.Logf("customer %s: %v", r.CustomerID, r.Err)
			}
		}
	}
	elapsed := time.Since(start)
	if listErr != nil {
		b.Errorf("listing customers: %v", listErr)
	}
	if done != n {
		b.Errorf("%d customers yielded, want %d", done, n)
	}
	served, throttled := s.RateLimiter().Served(), s.RateLimiter().Throttled()
	b.ReportMetric(float64(served)/elapsed.Seconds()/rl.Limit, "frac_of_limit")
	b.ReportMetric(100*float64(throttled)/float64(served+throttled), "throttled_%")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(elapsed.Seconds(), "s")
	b.ReportMetric(lim.Stats().Rate, "final_req/s")
}

// BenchmarkInFlightCustomerMemory measures the heap held per customer in
// flight: 400 customers at once against a sandbox that delays every answer,
// the heap sampled while all of them wait. Client and sandbox share the
// process, so the figure (heap_B/customer) is an upper bound for the client.
func BenchmarkInFlightCustomerMemory(b *testing.B) {
	skipUnlessMany(b)
	const inFlight = 400
	for b.Loop() {
		srv, c, ids := sandboxCustomers(b, sandbox.Options{Customers: inFlight, Faults: sandbox.Faults{Latency: 2 * time.Second}}, inFlight)
		lim, _ := wrapper.NewRateLimiter(&wrapper.RateLimiterOptions{Ceiling: 1e6})
		var before, during runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		go func() {
			time.Sleep(time.Second)
			runtime.GC()
			runtime.ReadMemStats(&during)
		}()
		n := 0
		for range c.ListDeviceBatchesForCustomers(context.Background(), ids, &wrapper.FanOutOptions{Concurrency: inFlight, RateLimiter: lim}) {
			n++
		}
		srv.Close()
		b.ReportMetric(float64(during.HeapAlloc-before.HeapAlloc)/inFlight, "heap_B/customer")
		b.ReportMetric(float64(n), "customers")
	}
}

// BenchmarkManyCustomersCapacity is the same flow with no limit at either
// end: what this machine (client and sandbox in one process) can send, the
// yardstick for the fractions of BenchmarkManyCustomers.
func BenchmarkManyCustomersCapacity(b *testing.B) {
	skipUnlessMany(b)
	for b.Loop() {
		srv, c, ids := sandboxCustomers(b, sandbox.Options{Customers: 3000}, 0)
		lim, _ := wrapper.NewRateLimiter(&wrapper.RateLimiterOptions{Ceiling: 1e6})
		start := time.Now()
		n := 0
		for range c.ListDeviceBatchesForCustomers(context.Background(), ids, &wrapper.FanOutOptions{Concurrency: 32, RateLimiter: lim}) {
			n++
		}
		srv.Close()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "customers/s")
	}
}

// sandboxCustomers serves a sandbox of o's generated customers (and no
// built-in data) and returns a client of it and the customers' ids, as
// listed through the client. idle > 0 keeps that many connections open.
func sandboxCustomers(b *testing.B, o sandbox.Options, idle int) (*httptest.Server, *wrapper.Client, []string) {
	b.Helper()
	o.Data = &sandbox.Data{}
	s, err := sandbox.New(o)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	if idle > 0 {
		srv.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = idle
	}
	co := &wrapper.ClientOptions{BaseURL: srv.URL}
	co.Transport = srv.Client()
	c, err := wrapper.NewClient(wrapper.StaticToken("sandbox"), co)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := c.ListCustomers(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(cs))
	for i, cu := range cs {
		ids[i] = cu.Id.String()
	}
	return srv, c, ids
}
