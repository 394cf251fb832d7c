package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
)

// TestOptionsRateLimit: Options.RateLimit stands in front of every
// operation on the sandbox's clock, and Server.RateLimiter counts.
func TestOptionsRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := sandbox.New(sandbox.Options{RateLimit: &sandbox.RateLimit{Limit: 2, Model: sandbox.ModelWindow}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for range 3 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/v1/customers", nil)
		req.Header.Set("Authorization", "Bearer x")
		s.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q, want 1", rec.Header().Get("Retry-After"))
		}
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 || s.RateLimiter().Served() != 2 || s.RateLimiter().Throttled() != 1 {
		t.Errorf("codes %v, served %d, throttled %d; want 200 200 429, 2 and 1", codes, s.RateLimiter().Served(), s.RateLimiter().Throttled())
	}
	if _, err := sandbox.New(sandbox.Options{RateLimit: &sandbox.RateLimit{Limit: -1}}); err == nil {
		t.Error("a negative limit must be refused")
	}
	plain, _ := sandbox.New(sandbox.Options{})
	if plain.RateLimiter() != nil {
		t.Error("no RateLimit, yet a RateLimiter")
	}
}
