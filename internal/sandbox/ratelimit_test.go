package sandbox

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable clock for RateLimit.Wrap.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// step is one request at an offset from the clock's start and what the
// limiter should answer: 0 for served, else the Retry-After in seconds.
type step struct {
	at         time.Duration
	retryAfter int
}

func TestRateLimit(t *testing.T) {
	// A start half-way through a second, so that windows (aligned to whole
	// seconds) and elapsed time differ.
	base := time.Date(2026, 1, 2, 3, 4, 5, 500_000_000, time.UTC)
	ms := time.Millisecond
	tests := []struct {
		name  string
		rl    RateLimit
		steps []step
	}{
		{"bucket burst is a tenth of a second", RateLimit{Limit: 50, Model: ModelBucket}, []step{
			{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, // burst 5
			{0, 1},       // empty: next token in 20 ms, rounded up to 1 s
			{20 * ms, 0}, // refilled one
			{20 * ms, 1},
			{1 * time.Second, 0}, // capped at the burst, not 49 tokens
			{1 * time.Second, 0}, {1 * time.Second, 0}, {1 * time.Second, 0}, {1 * time.Second, 0},
			{1 * time.Second, 1},
		}},
		{"bucket of a slow limit says 2 seconds", RateLimit{Limit: 0.5}, []step{
			{0, 0}, // burst at least 1
			{0, 2},
			{1 * time.Second, 1},
			{2 * time.Second, 0},
		}},
		{"window allows Limit per whole second", RateLimit{Limit: 3, Model: ModelWindow}, []step{
			{0, 0}, {0, 0}, {0, 0},
			{100 * ms, 1}, // 400 ms left in the window: at least 1
			{499 * ms, 1}, // still the first window
			{500 * ms, 0}, // a new window at the whole second
			{600 * ms, 0}, {700 * ms, 0},
			{800 * ms, 1},
		}},
		{"window Retry-After counts whole seconds left", RateLimit{Limit: 1, Model: ModelWindow}, []step{
			{0, 0}, {0, 1}, {500 * ms, 0}, {600 * ms, 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: base}
			var hits int
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits++
				w.WriteHeader(http.StatusOK)
			})
			l, err := tt.rl.Wrap(next, clk.now)
			if err != nil {
				t.Fatal(err)
			}
			var served, throttled int64
			for i, s := range tt.steps {
				clk.t = base.Add(s.at)
				rec := httptest.NewRecorder()
				l.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/customers", nil))
				if s.retryAfter == 0 {
					served++
					if rec.Code != http.StatusOK {
						t.Fatalf("step %d at %v: status %d, want 200", i, s.at, rec.Code)
					}
					continue
				}
				throttled++
				checkThrottle(t, rec, s.retryAfter)
			}
			if l.Served() != served || l.Throttled() != throttled || int64(hits) != served {
				t.Errorf("Served %d, Throttled %d, handler hit %d; want %d, %d, %d", l.Served(), l.Throttled(), hits, served, throttled, served)
			}
		})
	}
}

func checkThrottle(t *testing.T, rec *httptest.ResponseRecorder, secs int) {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", rec.Code)
	}
	if got, want := rec.Header().Get("Retry-After"), itoa(secs); got != want {
		t.Errorf("Retry-After %q, want %q", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	want := "Rate limit is exceeded. Try again in " + itoa(secs) + " seconds."
	if body["statusCode"] != float64(429) || body["message"] != want || len(body) != 2 {
		t.Errorf("body %v, want statusCode 429 and message %q", body, want)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestRateLimitValidate(t *testing.T) {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tt := range []struct {
		rl   RateLimit
		want string // substring of the error; "" for none
	}{
		{RateLimit{Limit: 10}, ""},
		{RateLimit{Limit: 10, Model: ModelWindow}, ""},
		{RateLimit{Limit: 0.5, Model: ModelBucket}, ""},
		{RateLimit{Limit: 0}, "positive"},
		{RateLimit{Limit: -1}, "positive"},
		{RateLimit{Limit: math.NaN()}, "positive"},
		{RateLimit{Limit: math.Inf(1)}, "positive"},
		{RateLimit{Limit: 10, Model: "leaky"}, `unknown rate-limit model "leaky"`},
		{RateLimit{Limit: 0.5, Model: ModelWindow}, "less than one"},
	} {
		_, err := tt.rl.Wrap(ok, nil)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.rl, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want one containing %q", tt.rl, err, tt.want)
		}
	}
	if _, err := (RateLimit{Limit: 1}).Wrap(nil, nil); err == nil {
		t.Error("Wrap(nil) succeeded")
	}
}
