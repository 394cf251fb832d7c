package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestFanOutProgressFitsTheTerminal: the fan-out's progress bar, on a
// terminal of 80 columns (or 40), never draws a line that wraps, and with
// TERM=dumb draws no escape sequence at all.
func TestFanOutProgressFitsTheTerminal(t *testing.T) {
	t.Parallel()
	s := newFanOutServer(t, 5)
	s.calm = true
	var ids []string
	for _, id := range s.ids {
		if !s.failing[id] {
			ids = append(ids, id)
		}
	}
	for _, tc := range []struct {
		term  string
		width int
	}{{"xterm-256color", 80}, {"dumb", 80}, {"xterm", 40}} {
		var out, errb bytes.Buffer
		env := map[string]string{"PARTNER_CENTER_TOKEN": "test-token", "PARTNER_CENTER_BASE_URL": s.URL, "TERM": tc.term}
		a := newApp(streams{in: strings.NewReader(strings.Join(ids, "\n")), out: &out, err: &errb}, envFrom(env),
			withTerminal(func(any) bool { return true }), withTerminalWidth(func(any) int { return tc.width }))
		if code := a.execute(t.Context(), []string{"list", "--customers-file", "-", "-o", "jsonl"}); code != exitOK {
			t.Fatalf("%s: exit %d: %s", tc.term, code, errb.String())
		}
		stderr := errb.String()
		last := strings.LastIndex(stderr, "\r")
		if last < 0 || !strings.Contains(stderr, "customers") {
			t.Fatalf("%s: no progress drawn:\n%q", tc.term, stderr)
		}
		// Every redraw (between two carriage returns) fits in width-1
		// columns, and the last is cleared.
		for _, seg := range strings.Split(stderr[:last], "\r")[1:] {
			drawn := strings.TrimRight(strings.TrimSuffix(seg, "\x1b[K"), " ")
			if w := runewidth.StringWidth(drawn); w > tc.width-1 || strings.Contains(drawn, "\n") {
				t.Errorf("%s %d: a redraw of %d columns: %q", tc.term, tc.width, w, seg)
			}
		}
		if tc.term == "dumb" && strings.Contains(stderr, "\x1b") {
			t.Errorf("TERM=dumb: escape sequences drawn: %q", stderr)
		}
		if tc.term != "dumb" && !strings.Contains(stderr, "\x1b[K") {
			t.Errorf("%s: the line is not erased with ESC[K: %q", tc.term, stderr)
		}
	}
}

// TestProgressShowsMeasuredRate: the bar shows the requests sent a second
// over the last few seconds, measured, and apart from it the rate the
// limiter allows (which is not a rate anything was sent at).
func TestProgressShowsMeasuredRate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var st wrapper.RateStats
	p := &progressBar{total: func() (int, bool) { return 100, true }, stats: func() wrapper.RateStats { return st }, start: t0}
	// In the first second a few requests would read as hundreds a second.
	st = wrapper.RateStats{Sent: 3, Rate: 20}
	if got := p.text(t0.Add(100*time.Millisecond), 100, true, 200); !strings.Contains(got, " - req/s (allowed 20.0) ") {
		t.Errorf("at once: %q", got)
	}
	at := func(d time.Duration, sent int64, allowed float64, done int) string {
		st = wrapper.RateStats{Sent: sent, Rate: allowed}
		p.count = done
		return p.text(t0.Add(d), 100, true, 200)
	}
	if got := at(2*time.Second, 20, 40, 10); !strings.Contains(got, " 10.0 req/s (allowed 40.0) ") || !strings.HasPrefix(got, "[###....") {
		t.Errorf("after 2 s: %q", got)
	}
	at(6*time.Second, 60, 80, 30)
	// From 2 s (the last redraw at least 5 s old) to 10 s: 100 requests in 8 s.
	if got := at(10*time.Second, 120, 80, 50); !strings.Contains(got, " 12.5 req/s (allowed 80.0) ") {
		t.Errorf("after 10 s: %q", got)
	}
	// Narrow: the bar goes first, the numbers stay.
	st = wrapper.RateStats{Sent: 130, Rate: 80}
	if got := p.text(t0.Add(11*time.Second), 100, true, 60); strings.Contains(got, "[") || !strings.HasPrefix(got, "50/100 customers") {
		t.Errorf("narrow: %q", got)
	}
}
