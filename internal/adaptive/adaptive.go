// Package adaptive is a client-side rate limiter that learns a service's
// rate limit from its 429 answers, for services such as Partner Center that
// publish no limit and change it at will.
//
// The algorithm follows the "client rate limiter" of the AWS SDKs' adaptive
// retry mode: a token bucket (golang.org/x/time/rate, burst 1) whose fill
// rate is steered by CUBIC congestion control. A throttle cuts the rate to
// β times the rate that was being achieved and remembers that rate as the
// last maximum Wmax; successes then grow the rate along
//
//	W(t) = C·(t−K)³ + Wmax,  K = ∛(Wmax·(1−β)/C),  C = 0.4
//
// (t is the time since the last cut), which climbs quickly back towards
// Wmax, lingers near it, and only then probes above it. New rates are capped
// at twice the measured send rate (0.5 s buckets, smoothed), so a caller
// whose own concurrency is the bottleneck does not build up a rate it
// cannot use and would burst with.
//
// Changes to the AWS algorithm, each measured in the package's simulation
// against a token-bucket and a fixed-window service, make it fit a fan-out
// that starts cold and must finish in seconds:
//
//   - Slow start. Until the first throttle the rate doubles every 0.35 s
//     while callers are queueing for it (like TCP slow start), instead of
//     following the cubic from zero or sending unlimited.
//   - Wmax is the rate of successes, what the service granted, rather than
//     the send rate, which also counts the refused requests and so sets the
//     plateau above the limit: over the last half second at the end of
//     slow start, else over the last two seconds or the last one,
//     whichever is more (a pause inside the two seconds halves that one).
//   - Recovery probing. After a cut only a tenth of the rate goes out
//     until a request succeeds again. A fixed-window service refuses
//     everything from when its quota is gone to the window's end; sending
//     at the cut rate meanwhile would put every worker to sleep on a
//     Retry-After at once, idle when the next window opens.
//   - β is 0.9, not 0.7: a rate-limited API has no queue to drain, so a
//     smaller cut from the granted rate already lands under the limit.
//   - One cut per congestion event. Throttles that arrive shortly after a
//     cut answer requests sent before it took effect; cutting again for each
//     would collapse the rate, so they are counted but do not cut.
//
// Retry-After answers come in two kinds. A short one (at most
// Options.PauseThreshold, as a token bucket says "try again in 1 second")
// holds back only the request it answered — the caller sleeps and retries —
// while the rate cut slows everyone. A long one is the service asking every
// caller to stop: Wait blocks all callers until it has passed, then lets
// them go one by one at the learned rate (at a tenth of it, as after any
// cut, until the first of them succeeds).
package adaptive

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of Options.
const (
	// DefaultInitial is the starting rate in requests per second. It is low
	// enough that a tenant with a small limit sees only a handful of 429s
	// before the first cut (after which only probes go out until the
	// service grants a request again), and high enough that slow start
	// (doubling every 0.35 s) reaches 200/s in about 1.2 s. In the
	// simulation 20 rather than 10 gained 2-4 points of the limit under
	// both models at both limits; 25 gained nothing more at 200/s.
	DefaultInitial = 20.0
	// DefaultMin is the rate floor: even after many throttles one request
	// every two seconds still goes out, so the limiter keeps probing.
	DefaultMin = 0.5
	// DefaultPauseThreshold separates a short Retry-After (a token bucket's
	// "1 second", which holds back only its own request) from a long one
	// that pauses every caller.
	DefaultPauseThreshold = 2 * time.Second
	// DefaultMaxPause is the longest pause Wait sleeps through; a longer one
	// fails with *PauseError, since a run that waits minutes for the service
	// should be told, not left hanging.
	DefaultMaxPause = 60 * time.Second
)

// CUBIC constants, as in the AWS SDKs.
const (
	scale = 0.4 // C, how aggressively the rate grows back
	// smooth weighs the newest 0.5 s bucket in the measured send rate.
	smooth = 0.8
	// bucketWidth is the width of the send-rate measurement buckets.
	bucketWidth = 500 * time.Millisecond
)

// beta is the multiplicative decrease on a throttle. The AWS SDKs use 0.7,
// sized for congested networks whose queues must drain; a rate-limited API
// has no queue, and the cut starts from the rate the service granted (see
// OnThrottle), so 0.9 already lands under the limit. In the simulation 0.9
// reaches 5-8 points more of the limit than 0.7 with no more throttles.
// It is a variable only so that the simulation can compare the two.
var beta = 0.9

// probeFraction is the share of the learned rate sent while recovering
// from a cut, until the service grants a request again (see
// Limiter.recovering). A fixed window refuses everything from the moment
// its quota is gone until it ends, up to a second later; sending at the
// cut rate meanwhile only collects 429s, each of which costs its worker a
// whole-second Retry-After, so that at the next window every worker is
// asleep. Probing at a tenth keeps most workers free for the next window;
// a token bucket, which grants the next request within a few milliseconds,
// loses one probe interval. In the simulation it is worth 7 points of the
// limit under the window at 200/s and halves the throttles at 50/s. It is
// a variable only so that the simulation can compare values (1 disables).
var probeFraction = 0.1

// Slow start and congestion-event constants.
const (
	// slowStartDoubling is how long slow start takes to double the rate
	// while the rate is what holds requests back. With 0.5 s and the
	// smoothed send rate as the estimate at the end of slow start, faster
	// doubling overshot so far that a fixed-window service refused every
	// worker at once; with recovery probing and the estimate from recent
	// successes (slowStartGoodput), 0.35 s gains 2-4 points under both
	// models, and 0.25 s loses them again in overshoot.
	slowStartDoubling = 350 * time.Millisecond
	// slowStartGoodput is how far back the rate the service granted is
	// measured at the end of slow start: long enough to hold a token
	// bucket's steady stream of successes, short enough not to reach back
	// to when the doubling rate was far below the limit. The smoothed send
	// rate (0.5 s buckets, as AWS) lags a rate doubling every 0.35 s by a
	// doubling or more and set Wmax to a third of the limit.
	slowStartGoodput = 500 * time.Millisecond
	// windowGoodput is the shorter measure of the rate the service
	// granted, used when it is above the goodputWindow one: a pause of a
	// second or so (every worker sleeping a Retry-After) inside the last
	// goodputWindow makes that one read half the limit, and the cut
	// below it then idles half the capacity until the cubic grows back.
	// It is still capped by the rate being sent, so that a one-second count
	// straddling two fixed windows does not set Wmax above it.
	windowGoodput = time.Second
	// holdoff is how long after a cut further throttles do not cut again:
	// they answer requests sent before the cut took effect.
	holdoff = 500 * time.Millisecond
	// bindingRecent is how recently a caller must have waited for a token
	// for slow start to count the rate as binding.
	bindingRecent = time.Second
	// goodputWindow is how far back the rate the service granted is
	// measured. Under a fixed-window limit a one-second count can straddle
	// two windows and see twice the limit (the simulation then throttled
	// 13% of requests at an unlucky phase); over two seconds it sees at
	// most 1.5 times, and a token bucket's burst inflates it by 5%, not 10%.
	goodputWindow = 2 * time.Second
)

// Options configures a Limiter. The zero value starts at DefaultInitial
// with no ceiling.
type Options struct {
	// Ceiling is a hard maximum rate in requests per second (the CLI's
	// --rate); 0 means none. The learned rate never exceeds it.
	Ceiling float64
	// Initial is the starting rate in requests per second; 0 means
	// DefaultInitial, clamped to Ceiling. To run at a fixed rate that still
	// backs off on 429, set Initial = Ceiling: the limiter starts there,
	// cuts on throttles and grows back, but never above.
	Initial float64
	// Min is the floor of the rate; 0 means DefaultMin.
	Min float64
	// PauseThreshold is the longest Retry-After that holds back only its
	// own request; longer ones pause every caller. 0 means
	// DefaultPauseThreshold.
	PauseThreshold time.Duration
	// MaxPause is the longest pause Wait sleeps through before returning a
	// *PauseError instead; 0 means DefaultMaxPause.
	MaxPause time.Duration
}

// PauseError is returned by Wait, at once and without sleeping, when the
// service has asked every caller to stop (a long Retry-After) for longer
// than the caller's context deadline or Options.MaxPause allows. The caller
// should fail its remaining work with a message naming RetryAfter.
type PauseError struct {
	// Until is when the pause ends.
	Until time.Time
	// RetryAfter is the Retry-After that started the pause.
	RetryAfter time.Duration
}

// Error names the Retry-After, which is what a user can act on.
func (e *PauseError) Error() string {
	return fmt.Sprintf("the service asked to wait %s (Retry-After) before any further request, until %s; longer than allowed",
		e.RetryAfter, e.Until.UTC().Format(time.RFC3339))
}

// ErrDeadline is returned (wrapped with context.DeadlineExceeded) by Wait
// when the caller's context would end before the rate lets its request go,
// so a worker need not sleep only to fail.
var ErrDeadline = fmt.Errorf("adaptive: waiting for the rate would exceed the context deadline: %w", context.DeadlineExceeded)

// Stats are a Limiter's counters and state, for a progress line or a
// benchmark.
type Stats struct {
	// Sent counts requests let through by Wait.
	Sent int64
	// Succeeded counts OnSuccess calls.
	Succeeded int64
	// Throttled counts OnThrottle calls.
	Throttled int64
	// Cuts counts throttles that cut the rate (at most one per congestion
	// event).
	Cuts int64
	// Pauses counts long Retry-Afters that paused every caller.
	Pauses int64
	// Rate is the current rate in requests per second.
	Rate float64
	// MeasuredRate is the smoothed rate at which requests were sent.
	MeasuredRate float64
	// MaxRate is the rate at the last cut (CUBIC's Wmax); 0 before any.
	MaxRate float64
}

// Limiter is a shared adaptive rate limiter; its methods are safe for
// concurrent use. Each request calls Wait before it is sent and then
// OnSuccess or OnThrottle with its answer.
type Limiter struct {
	ceiling, initial, min float64
	threshold, maxPause   time.Duration

	mu        sync.Mutex
	start     time.Time
	lim       *rate.Limiter
	rate      float64
	slowStart bool
	wmax      float64   // rate at the last cut
	k         float64   // CUBIC's K for wmax, in seconds
	lastCut   time.Time // zero before the first cut
	lastGrow  time.Time
	// lastBlocked is when a caller last had to wait for a token: the rate,
	// not the caller's concurrency, was what held requests back.
	lastBlocked time.Time

	// Measured send rate, as in the AWS SDK: requests counted into 0.5 s
	// buckets and exponentially smoothed.
	measured   float64
	lastBucket float64
	count      int64

	// successes holds the times of the successes of the last
	// goodputWindow, oldest first, to measure the rate the service granted.
	successes []time.Time

	// recovering is set by a cut and cleared by the next success: until
	// the service grants a request again, only probes go out, at
	// probeFraction of the rate (see setRate).
	recovering bool

	pauseUntil time.Time
	pauseAfter time.Duration
	// changed is closed (and replaced) when a pause begins, to wake
	// waiters so that they check it against their deadlines.
	changed chan struct{}
	// turn is held by the one caller of Wait looking at the bucket.
	turn chan struct{}

	stats Stats
}

// New returns a Limiter configured by opts.
func New(opts Options) *Limiter {
	l := &Limiter{
		ceiling:   max(opts.Ceiling, 0),
		initial:   opts.Initial,
		min:       opts.Min,
		threshold: opts.PauseThreshold,
		maxPause:  opts.MaxPause,
	}
	if l.min <= 0 {
		l.min = DefaultMin
	}
	if l.initial <= 0 {
		l.initial = DefaultInitial
	}
	if l.ceiling > 0 {
		l.initial = min(l.initial, l.ceiling)
		l.min = min(l.min, l.ceiling)
	}
	l.initial = max(l.initial, l.min)
	if l.threshold <= 0 {
		l.threshold = DefaultPauseThreshold
	}
	if l.maxPause <= 0 {
		l.maxPause = DefaultMaxPause
	}
	now := time.Now()
	l.start, l.lastGrow = now, now
	l.rate = l.initial
	l.slowStart = l.ceiling == 0 || l.initial < l.ceiling
	l.lim = rate.NewLimiter(rate.Limit(l.rate), 1)
	l.changed = make(chan struct{})
	l.turn = make(chan struct{}, 1)
	return l
}

// Wait blocks until a request may be sent: until any pause has passed and
// the rate allows it. It returns a *PauseError at once if a pause would
// outlast ctx's deadline or Options.MaxPause, ErrDeadline at once if the
// rate would, and ctx's error if ctx ends while waiting.
//
// Callers queue for one turn at a time, and only the caller holding it
// looks at the bucket. Reserving a token for every caller up front (as
// rate.Limiter.Wait does) would price the whole queue at the rate of the
// moment: thirty callers queued at 10/s would sit out three seconds even
// after the rate had grown to 200/s, or rush out after a cut.
func (l *Limiter) Wait(ctx context.Context) error {
	// Queue for the turn, but keep an eye on pauses: a caller whose
	// deadline a new pause outlasts learns it at once, not at its turn.
	for {
		l.mu.Lock()
		err := l.pauseErr(ctx, time.Now())
		changed := l.changed
		l.mu.Unlock()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case l.turn <- struct{}{}:
		case <-changed:
			continue
		case <-ctx.Done():
			return ctx.Err()
		}
		break
	}
	defer func() { <-l.turn }()
	// due is when the token this caller slept for became available.
	var due time.Time
	for {
		l.mu.Lock()
		now := time.Now()
		if err := l.pauseErr(ctx, now); err != nil {
			l.mu.Unlock()
			return err
		}
		var d time.Duration
		if now.Before(l.pauseUntil) {
			d = l.pauseUntil.Sub(now)
		} else if l.lim.AllowN(l.takeAt(now, due), 1) {
			l.stats.Sent++
			l.measure(now)
			l.mu.Unlock()
			return nil
		} else {
			// Sleep until the next token at the current rate; a change of
			// rate meanwhile is seen when the sleep ends, at most 1/Min.
			l.lastBlocked = now
			tokens := l.lim.TokensAt(now)
			d = time.Duration((1 - tokens) / float64(l.lim.Limit()) * float64(time.Second))
			if dl, ok := ctx.Deadline(); ok && dl.Before(now.Add(d)) {
				l.mu.Unlock()
				return ErrDeadline
			}
			due = now.Add(d)
		}
		changed := l.changed
		l.mu.Unlock()
		if err := sleep(ctx, d, changed); err != nil {
			return err
		}
	}
}

// takeAt is the time at which a caller takes its token: when the token it
// slept for was due, if it woke up late by less than one token's interval,
// else now. With a burst of one, taking the token at the late wake-up would
// push every later token back by the lateness: on a loaded two-core machine
// timer and scheduling delays cost 16% of a fixed 200/s. Taking it when it
// was due keeps the tokens one interval apart, so the long-run rate is the
// rate; at most one request goes early to make up for one late wake-up.
func (l *Limiter) takeAt(now, due time.Time) time.Time {
	if due.IsZero() || !now.After(due) || now.Sub(due) > time.Duration(float64(time.Second)/float64(l.lim.Limit())) {
		return now
	}
	return due
}

// pauseErr is the *PauseError for a caller with ctx if a pause is pending
// that outlasts ctx's deadline or MaxPause; l.mu is held.
func (l *Limiter) pauseErr(ctx context.Context, now time.Time) error {
	if !now.Before(l.pauseUntil) {
		return nil
	}
	dl, ok := ctx.Deadline()
	if l.pauseUntil.Sub(now) > l.maxPause || (ok && dl.Before(l.pauseUntil)) {
		return &PauseError{Until: l.pauseUntil, RetryAfter: l.pauseAfter}
	}
	return nil
}

// sleep waits d or until ctx ends, with a real timer so that it follows a
// testing/synctest bubble's fake clock.
// It also returns early, with nil, when wake is closed.
func sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// measure counts one sent request into the smoothed send rate.
func (l *Limiter) measure(now time.Time) {
	t := now.Sub(l.start).Seconds()
	b := math.Floor(t/bucketWidth.Seconds()) * bucketWidth.Seconds()
	l.count++
	if b > l.lastBucket {
		cur := float64(l.count) / (b - l.lastBucket)
		l.measured = cur*smooth + l.measured*(1-smooth)
		l.count = 0
		l.lastBucket = b
	}
}

// OnSuccess reports that a request sent after Wait was answered without
// throttling; the rate grows.
func (l *Limiter) OnSuccess() {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.stats.Succeeded++
	l.successes = append(l.successes, now)
	if l.recovering {
		// The service grants requests again: back to the learned rate,
		// and wake the caller sleeping for a probe's token.
		l.recovering = false
		l.lim.SetLimitAt(now, rate.Limit(l.rate))
		close(l.changed)
		l.changed = make(chan struct{})
	}
	l.trim(now)
	var r float64
	if l.slowStart {
		// At most one doubling per success: after a lull, one answer must
		// not multiply the rate by the length of the silence.
		dt := min(now.Sub(l.lastGrow), slowStartDoubling)
		r = l.rate * math.Exp2(dt.Seconds()/slowStartDoubling.Seconds())
	} else {
		t := now.Sub(l.lastCut).Seconds() - l.k
		r = scale*t*t*t + l.wmax
	}
	l.lastGrow = now
	// Never more than twice what is actually sent (as in the AWS SDKs): a
	// caller limited by its own concurrency must not bank a rate it would
	// burst with later. The starting rate is always allowed, as nothing is
	// measured yet. Slow start is exempt while callers are queueing for
	// tokens: the rate is then what holds them back, and the smoothed
	// measurement lags a doubling rate so much that the cap, not the
	// doubling, would set the pace.
	binding := l.slowStart && !l.lastBlocked.IsZero() && now.Sub(l.lastBlocked) < bindingRecent
	if !binding {
		r = min(r, max(2*l.measured, l.initial))
	}
	l.setRate(now, r)
}

// OnThrottle reports that a request sent after Wait was answered 429 (or
// 503) with retryAfter (0 if none). The rate is cut, unless a cut just
// happened; a retryAfter above Options.PauseThreshold also pauses every
// caller of Wait until it has passed. The throttled request's caller
// sleeps retryAfter itself before retrying through Wait.
func (l *Limiter) OnThrottle(retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.stats.Throttled++
	if retryAfter > l.threshold {
		if until := now.Add(retryAfter); until.After(l.pauseUntil) {
			l.pauseUntil, l.pauseAfter = until, retryAfter
			l.stats.Pauses++
			close(l.changed)
			l.changed = make(chan struct{})
		}
		// Empty the bucket as of the pause's end: the first caller goes
		// then, and the rest follow at the learned rate, never together.
		l.lim = rate.NewLimiter(l.lim.Limit(), 1)
	}
	if !l.lastCut.IsZero() && now.Sub(l.lastCut) < holdoff {
		return
	}
	// Wmax is the rate that was being achieved when the service said no,
	// never more than the limiter allowed. Out of slow start it is the
	// rate of successes over goodputWindow: what the service granted,
	// which is its limit whenever it is refusing (AWS uses the send rate,
	// which also counts the refused requests and so sets the plateau of
	// the cubic above the limit), or over windowGoodput if that is more
	// (see there). At the end of slow start the successes of two seconds
	// trail a rate that was doubling, and those of slowStartGoodput are
	// the better estimate.
	achieved := l.rate
	if l.slowStart {
		if g := l.goodputOver(now, slowStartGoodput); g > 0 {
			achieved = min(achieved, g)
		}
	} else if g := max(l.goodputOver(now, goodputWindow), l.goodputOver(now, windowGoodput)); g > 0 {
		achieved = min(achieved, g)
	}
	l.wmax = achieved
	l.k = math.Cbrt(l.wmax * (1 - beta) / scale)
	l.lastCut, l.lastGrow = now, now
	l.slowStart = false
	l.stats.Cuts++
	// Until a success shows that the service grants requests again, only
	// probes go out (probeFraction).
	l.recovering = probeFraction < 1
	l.setRate(now, beta*achieved)
}

// trim drops successes older than goodputWindow.
func (l *Limiter) trim(now time.Time) {
	i := 0
	for i < len(l.successes) && now.Sub(l.successes[i]) >= goodputWindow {
		i++
	}
	if i > 0 {
		l.successes = append(l.successes[:0], l.successes[i:]...)
	}
}

// goodputOver is the rate of successes over the last w (at most
// goodputWindow), or since the start, if shorter.
func (l *Limiter) goodputOver(now time.Time, w time.Duration) float64 {
	l.trim(now)
	w = min(w, now.Sub(l.start))
	if w <= 0 {
		return 0
	}
	n := 0
	for i := len(l.successes) - 1; i >= 0 && now.Sub(l.successes[i]) < w; i-- {
		n++
	}
	return float64(n) / w.Seconds()
}

// setRate clamps r to [Min, Ceiling] and applies it to the bucket.
func (l *Limiter) setRate(now time.Time, r float64) {
	r = max(r, l.min)
	if l.ceiling > 0 {
		r = min(r, l.ceiling)
	}
	l.rate = r
	// The bucket runs at the learned rate, or at a tenth of it while
	// recovering from a cut.
	if l.recovering {
		r = max(r*probeFraction, l.min)
	}
	l.lim.SetLimitAt(now, rate.Limit(r))
}

// Rate returns the current learned rate in requests per second.
func (l *Limiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rate
}

// Stats returns the limiter's counters and state.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.stats
	s.Rate, s.MeasuredRate, s.MaxRate = l.rate, l.measured, l.wmax
	return s
}

// PauseUntil returns when the current pause ends, or the zero time if no
// pause is pending, for a progress line; Wait itself compares it with the
// caller's deadline and Options.MaxPause.
func (l *Limiter) PauseUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if time.Now().Before(l.pauseUntil) {
		return l.pauseUntil
	}
	return time.Time{}
}
