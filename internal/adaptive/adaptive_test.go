package adaptive

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// drive sends through l for d, succeeding each request at once, with
// workers callers; it returns how many were sent.
func drive(t *testing.T, l *Limiter, workers int, d time.Duration) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for l.Wait(ctx) == nil {
				mu.Lock()
				n++
				mu.Unlock()
				l.OnSuccess()
			}
		})
	}
	wg.Wait()
	return n
}

func TestDefaults(t *testing.T) {
	l := New(Options{})
	if l.Rate() != DefaultInitial {
		t.Errorf("Rate %v, want DefaultInitial", l.Rate())
	}
	if l := New(Options{Ceiling: 4}); l.Rate() != 4 {
		t.Errorf("Initial is clamped to Ceiling: Rate %v, want 4", l.Rate())
	}
}

func TestSlowStartGrowsWhileSucceeding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Initial: 10})
		n := drive(t, l, 8, 2*time.Second)
		// Doubling every slowStartDoubling from 10/s: well over 80/s after 2 s.
		if r := l.Rate(); r < 80 {
			t.Errorf("after 2 s of successes Rate %.1f, want slow start to have doubled it at least three times", r)
		}
		if n < 100 {
			t.Errorf("sent %d in 2 s", n)
		}
	})
}

func TestGrowthNeedsDemand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// One caller sending 5/s never waits for a token: the rate must
		// not grow past twice that, or it would be spent in a burst later.
		l := New(Options{Initial: 10})
		for range 20 {
			if err := l.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			l.OnSuccess()
			time.Sleep(200 * time.Millisecond)
		}
		if r := l.Rate(); r > 12 {
			t.Errorf("Rate %.1f grew without demand", r)
		}
	})
}

func TestThrottleCutsByBeta(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Initial = Ceiling: no slow start, a steady 100/s.
		l := New(Options{Initial: 100, Ceiling: 100})
		drive(t, l, 4, 3*time.Second)
		l.OnThrottle(time.Second)
		want := beta * 100
		if r := l.Rate(); math.Abs(r-want) > 0.05*want {
			t.Errorf("after a throttle Rate %.1f, want about beta×100 = %.1f", r, want)
		}
		// A second throttle of the same congestion event does not cut again.
		l.OnThrottle(time.Second)
		st := l.Stats()
		if st.Throttled != 2 || st.Cuts != 1 {
			t.Errorf("Stats %+v, want 2 throttled and 1 cut", st)
		}
		if math.Abs(st.MaxRate-100) > 5 {
			t.Errorf("MaxRate %.1f, want the achieved 100", st.MaxRate)
		}
		// After the hold-off, another throttle cuts again.
		time.Sleep(holdoff)
		l.OnThrottle(time.Second)
		if st := l.Stats(); st.Cuts != 2 || st.Rate >= want {
			t.Errorf("Stats %+v, want a second cut below %.1f", st, want)
		}
	})
}

func TestCubicGrowsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Initial: 100, Ceiling: 1000})
		l.slowStart = false
		drive(t, l, 8, 2*time.Second)
		l.OnThrottle(time.Second)
		cut := l.Rate()
		wmax := l.Stats().MaxRate
		k := math.Cbrt(wmax * (1 - beta) / scale)
		drive(t, l, 8, time.Duration(k*float64(time.Second)))
		if r := l.Rate(); r <= cut || r > wmax*1.02 {
			t.Errorf("K=%.2fs after the cut Rate %.1f, want back near Wmax %.1f from %.1f", k, r, wmax, cut)
		}
	})
}

func TestMinFloor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Initial: 1, Min: 0.5})
		for range 10 {
			l.OnThrottle(time.Second)
			time.Sleep(holdoff)
		}
		if r := l.Rate(); r != 0.5 {
			t.Errorf("Rate %v, want the floor 0.5", r)
		}
	})
}

func TestCeiling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Ceiling: 20})
		start := time.Now()
		n := drive(t, l, 16, 5*time.Second)
		if r := l.Rate(); r > 20 {
			t.Errorf("Rate %v above Ceiling 20", r)
		}
		// Burst 1: at most one more than the rate allows.
		if max := int(20*time.Since(start).Seconds()) + 1; n > max {
			t.Errorf("sent %d in %v, more than Ceiling allows (%d)", n, time.Since(start), max)
		}
	})
}

func TestShortRetryAfterDoesNotPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Initial: 10, Ceiling: 10})
		l.OnThrottle(DefaultPauseThreshold)
		start := time.Now()
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("Wait took %v after a short Retry-After; only the throttled request waits", d)
		}
		if !l.PauseUntil().IsZero() {
			t.Error("PauseUntil set by a short Retry-After")
		}
	})
}

func TestLongRetryAfterPausesEveryone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Initial: 10, Ceiling: 10})
		drive(t, l, 2, time.Second)
		l.OnThrottle(5 * time.Second)
		rate := l.Rate()
		pauseEnd := time.Now().Add(5 * time.Second)
		if got := l.PauseUntil(); !got.Equal(pauseEnd) {
			t.Errorf("PauseUntil %v, want %v", got, pauseEnd)
		}
		const callers = 6
		times := make(chan time.Time, callers)
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				if err := l.Wait(context.Background()); err != nil {
					t.Error(err)
					return
				}
				times <- time.Now()
			})
		}
		wg.Wait()
		close(times)
		var got []time.Time
		for at := range times {
			got = append(got, at)
		}
		if len(got) != callers {
			t.Fatalf("%d callers passed, want %d", len(got), callers)
		}
		if !got[0].Equal(pauseEnd) {
			t.Errorf("first caller passed at %v, want the pause's end %v", got[0], pauseEnd)
		}
		// One by one at the learned rate, never together.
		gap := time.Duration(float64(time.Second) / rate)
		for i := 1; i < len(got); i++ {
			if d := got[i].Sub(got[i-1]); d < gap-time.Millisecond {
				t.Errorf("callers %d and %d passed %v apart, want at least 1/rate = %v", i-1, i, d, gap)
			}
		}
		if st := l.Stats(); st.Pauses != 1 {
			t.Errorf("Pauses %d, want 1", st.Pauses)
		}
	})
}

func TestPauseError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{MaxPause: 30 * time.Second})
		l.OnThrottle(10 * time.Second)
		until := time.Now().Add(10 * time.Second)

		// The pause outlasts the caller's deadline: fail at once.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		err := l.Wait(ctx)
		var pe *PauseError
		if !errors.As(err, &pe) || pe.RetryAfter != 10*time.Second || !pe.Until.Equal(until) {
			t.Fatalf("Wait: %v, want *PauseError{Until %v, RetryAfter 10s}", err, until)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("Wait slept %v before failing", d)
		}

		// Within the deadline and MaxPause: sleep through it.
		ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel2()
		if err := l.Wait(ctx2); err != nil || !time.Now().Equal(until) {
			t.Errorf("Wait: %v at %v, want nil at the pause's end %v", err, time.Now(), until)
		}

		// Longer than MaxPause: fail at once even without a deadline.
		l.OnThrottle(time.Minute)
		if err := l.Wait(context.Background()); !errors.As(err, &pe) || pe.RetryAfter != time.Minute {
			t.Errorf("Wait: %v, want *PauseError for a pause over MaxPause", err)
		}
		if pe.Error() == "" {
			t.Error("empty message")
		}
	})
}

func TestPauseWakesQueuedCallers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A caller already queued behind another learns at once that a new
		// pause outlasts its deadline, rather than at its turn.
		l := New(Options{Initial: 0.5, Ceiling: 0.5, Min: 0.5})
		if err := l.Wait(context.Background()); err != nil { // spends the token
			t.Fatal(err)
		}
		// The holder of the turn waits 2 s for a token.
		hctx, hcancel := context.WithCancel(context.Background())
		held := make(chan error)
		go func() { held <- l.Wait(hctx) }()
		defer func() { hcancel(); <-held }()
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errc := make(chan error)
		go func() { errc <- l.Wait(ctx) }()
		synctest.Wait()
		start := time.Now()
		l.OnThrottle(30 * time.Second)
		err := <-errc
		var pe *PauseError
		if !errors.As(err, &pe) || time.Since(start) != 0 {
			t.Errorf("queued Wait: %v after %v, want *PauseError at once", err, time.Since(start))
		}
	})
}

func TestDeadlineBeforeToken(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{Initial: 1, Ceiling: 1})
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := l.Wait(ctx); !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != 0 {
			t.Errorf("Wait: %v after %v, want ErrDeadline at once", err, time.Since(start))
		}
		// Cancellation while waiting returns ctx's error.
		ctx2, cancel2 := context.WithCancel(context.Background())
		go func() {
			time.Sleep(100 * time.Millisecond)
			cancel2()
		}()
		if err := l.Wait(ctx2); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait: %v, want context.Canceled", err)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := New(Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				for i := 0; l.Wait(ctx) == nil; i++ {
					time.Sleep(10 * time.Millisecond)
					switch {
					case (i+w)%17 == 0:
						l.OnThrottle(time.Second)
					case (i+w)%101 == 0:
						l.OnThrottle(3 * time.Second)
					default:
						l.OnSuccess()
					}
					_ = l.Rate()
					_ = l.Stats()
					_ = l.PauseUntil()
				}
			})
		}
		wg.Wait()
		st := l.Stats()
		if st.Sent == 0 || st.Sent != st.Succeeded+st.Throttled {
			t.Errorf("Stats %+v: every sent request is answered once", st)
		}
	})
}
