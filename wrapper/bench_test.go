package wrapper

// Benchmarks behind BENCHMARKS.md; run them with `make bench`. Each
// benchmark has impl=wrapper and impl=baseline sub-benchmarks so that
// benchstat shows them side by side from one run.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/fixtures"

	"github.com/google/uuid"
)

// documentedBody is the response example of "Get a list of device batches
// for the specified customer", byte for byte.
var documentedBody = string(fixtures.DeviceBatches)

const benchCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

func documentedServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(documentedBody)))
		h.Set("MS-CorrelationId", "4a5002a2-0c1b-4e57-b491-dbcf19c0e7b8")
		h.Set("MS-RequestId", "7b3e2e00-b330-4480-9d84-59ace713427f")
		h.Set("MS-CV", "YrLe3w6BbUSMt1fi.0")
		io.WriteString(w, documentedBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// Local structs of the hand-written baseline: what a developer writes
// without this library. creationDate stays a string, which spares the
// baseline the date parsing the wrapper does (the comparison favours it).
type (
	rawCollection struct {
		TotalCount int        `json:"totalCount"`
		Items      []rawBatch `json:"items"`
		Attributes *rawAttrs  `json:"attributes"`
	}
	rawBatch struct {
		ID           string    `json:"id"`
		Status       *string   `json:"status"`
		CreatedBy    *string   `json:"createdBy"`
		CreationDate *string   `json:"creationDate"`
		DevicesCount *int32    `json:"devicesCount"`
		DevicesLink  *rawLink  `json:"devicesLink"`
		Attributes   *rawAttrs `json:"attributes"`
	}
	rawLink struct {
		URI     string `json:"uri"`
		Method  string `json:"method"`
		Headers []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"headers"`
	}
	rawAttrs struct {
		ObjectType string `json:"objectType"`
	}
)

// baselineList is one listDeviceBatches call with plain net/http and
// encoding/json, sending the same headers as the wrapper.
func baselineList(ctx context.Context, hc *http.Client, base, customer, token, correlation string) ([]rawBatch, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/customers/"+customer+"/deviceBatches", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("MS-RequestId", uuid.NewString())
	req.Header.Set("MS-CorrelationId", correlation)
	req.Header.Set("X-Locale", "en-US")
	req.Header.Set("User-Agent", "baseline/1.0")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	var c rawCollection
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return c.Items, nil
}

// BenchmarkList: one ListDeviceBatches call on loopback against the
// documented example, wrapper vs hand-written baseline.
func BenchmarkList(b *testing.B) {
	srv := documentedServer(b)
	ctx := context.Background()
	b.Run("impl=wrapper", func(b *testing.B) {
		c, err := NewClient(StaticToken("bench-token"), &ClientOptions{BaseURL: srv.URL})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			items, err := c.ListDeviceBatches(ctx, benchCustomer)
			if err != nil || len(items) != 1 {
				b.Fatal(items, err)
			}
		}
	})
	b.Run("impl=baseline", func(b *testing.B) {
		hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 3 * time.Minute}
		corr := uuid.NewString()
		b.ReportAllocs()
		for b.Loop() {
			items, err := baselineList(ctx, hc, srv.URL, benchCustomer, "bench-token", corr)
			if err != nil || len(items) != 1 {
				b.Fatal(items, err)
			}
		}
	})
}

func wrapperDecode(n int) (any, int, error) {
	items := make([]DeviceBatch, 0, n)
	_, err := decodeCollection(fixtures.Batches(n), defaultLimits(), false, validDeviceBatch, func(b *DeviceBatch, _ []byte) error {
		items = append(items, *b)
		return nil
	})
	return items, len(items), err
}

func baselineDecode(n int) (any, int, error) {
	var c generated.DeviceBatchCollection
	err := json.NewDecoder(fixtures.Batches(n)).Decode(&c)
	return c, len(c.Items), err
}

// BenchmarkDecode: collections of 1,000 to 100,000 batches. The baseline
// decodes into the same generated types with json.Decoder.Decode, which
// reads the whole value into its buffer before decoding.
func BenchmarkDecode(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		for _, impl := range []struct {
			name string
			fn   func(int) (any, int, error)
		}{{"wrapper", wrapperDecode}, {"baseline", baselineDecode}} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, got, err := impl.fn(n)
					if err != nil || got != n {
						b.Fatal(got, err)
					}
				}
				b.StopTimer()
				peak, result := peakHeap(func() any {
					v, _, _ := impl.fn(n)
					return v
				})
				b.ReportMetric(float64(peak), "peak-heap-B")
				b.ReportMetric(float64(result), "result-B")
			})
		}
	}
}

// peakHeap runs f once and returns the highest heap in use while it ran
// and the heap its result keeps alive, both above the heap before it. GOGC
// is lowered to 10 meanwhile so that uncollected garbage does not hide the
// live peak; HeapAlloc is sampled every 50 µs.
func peakHeap(f func() any) (peak, result uint64) {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var max atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > max.Load() {
				max.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Microsecond):
			}
		}
	}()
	v := f()
	close(stop)
	<-done
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(v)
	sub := func(x uint64) uint64 {
		if x < base {
			return 0
		}
		return x - base
	}
	return sub(max.Load()), sub(ms.HeapAlloc)
}

// bucket is the test server's token bucket: rate tokens a second, at most
// burst saved up. An empty bucket answers 429 with Retry-After: 1, the
// whole seconds Partner Center uses.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func (k *bucket) take() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := time.Now()
	if !k.last.IsZero() {
		k.tokens = math.Min(k.burst, k.tokens+now.Sub(k.last).Seconds()*k.rate)
	}
	k.last = now
	if k.tokens < 1 {
		return false
	}
	k.tokens--
	return true
}

// BenchmarkFanOut: 1,000 customers against a server allowing 1,000
// requests a second (burst 20). pacer=on sets FanOutOptions.RatePerSecond
// to the allowed rate; pacer=off relies on the 429s and the throttle gate.
// customers-lost/op counts customers that ended in an error (retries
// exhausted); the fan-out itself yields every customer exactly once, which
// the tests check.
func BenchmarkFanOut(b *testing.B) {
	const customers, allowed = 1000, 1000.0
	ids := make([]string, customers)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	// Without the pacer a round takes ~45 s (see BENCHMARKS.md), so it
	// lists 200 customers only.
	for _, pace := range []struct {
		name      string
		rate      float64
		customers int
	}{{"on", allowed, customers}, {"off", 0, 200}} {
		b.Run("pacer="+pace.name, func(b *testing.B) {
			k := &bucket{rate: allowed, burst: 20, tokens: 20}
			var throttled, served atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !k.take() {
					throttled.Add(1)
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(w, `{"statusCode":429,"message":"Rate limit is exceeded. Try again in 1 seconds."}`)
					return
				}
				served.Add(1)
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, documentedBody)
			}))
			defer srv.Close()
			c, err := NewClient(StaticToken("bench-token"), &ClientOptions{BaseURL: srv.URL})
			if err != nil {
				b.Fatal(err)
			}
			var lost, ops int
			var elapsed time.Duration
			for b.Loop() {
				// Let the bucket refill between rounds, untimed.
				b.StopTimer()
				time.Sleep(50 * time.Millisecond)
				b.StartTimer()
				start := time.Now()
				seen := 0
				for r := range c.ListDeviceBatchesForCustomers(context.Background(), ids[:pace.customers], &FanOutOptions{RatePerSecond: pace.rate}) {
					if r.Err == nil {
						seen++
					}
				}
				elapsed += time.Since(start)
				lost += pace.customers - seen
				ops++
			}
			b.ReportMetric(float64(pace.customers*ops)/elapsed.Seconds()/allowed, "fraction-of-allowed")
			b.ReportMetric(float64(lost)/float64(ops), "customers-lost/op")
			b.ReportMetric(float64(throttled.Load())/float64(ops), "429s/op")
		})
	}
}
