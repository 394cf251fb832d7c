package wrapper

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/google/uuid"
)

// endlessIDs is a stream of customer ids that never ends by itself: it
// stops only when its yield returns false (returned is then set), or,
// so that a fan-out reading it to the end fails the test instead of
// hanging it, after far more ids than any early stop can explain.
func endlessIDs(t *testing.T, pulled *int, returned *bool) iter.Seq[string] {
	return func(yield func(string) bool) {
		for {
			if *pulled == 1000 {
				t.Errorf("the stream was read for %d ids after the loop stopped at its first result", *pulled)
				return
			}
			*pulled++
			if !yield(uuid.NewString()) {
				*returned = true
				return
			}
		}
	}
}

// TestFanOutStopStopsTheStream: however the consumer stops the loop after
// its first result (break, return, panic), the stream's yield returns
// false so it is read no further, the loop returns once the stream has,
// and no goroutine is left behind (synctest fails on a leaked, blocked
// goroutine).
func TestFanOutStopStopsTheStream(t *testing.T) {
	for _, tc := range []struct {
		name string
		loop func(seq iter.Seq[CustomerResult])
	}{
		{"break", func(seq iter.Seq[CustomerResult]) {
			for range seq {
				break
			}
		}},
		{"return", func(seq iter.Seq[CustomerResult]) {
			for range seq {
				return
			}
		}},
		{"panic", func(seq iter.Seq[CustomerResult]) {
			defer func() {
				if p := recover(); p != "stop" {
					panic(p)
				}
			}()
			for range seq {
				panic("stop")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := memClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, oneBatchBody) })
				var pulled int
				var returned bool
				tc.loop(c.ListDeviceBatchesForCustomerSeq(t.Context(), endlessIDs(t, &pulled, &returned), &FanOutOptions{Concurrency: 4}))
				if !returned {
					t.Errorf("the loop returned, after %d ids, without the stream's yield returning false", pulled)
				}
			})
		})
	}
}

// TestFanOutCancelAccountsForEveryIDRead: when ctx ends while the consumer
// keeps reading, every id the stream yielded comes back exactly once, the
// ones not fetched with ctx's error.
func TestFanOutCancelAccountsForEveryIDRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := memClient(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, oneBatchBody) })
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var pulled int
		ids := func(yield func(string) bool) {
			for ctx.Err() == nil && pulled < 1000 {
				pulled++
				if !yield(uuid.NewString()) {
					return
				}
			}
		}
		seen := map[int]bool{}
		for r := range c.ListDeviceBatchesForCustomerSeq(ctx, ids, &FanOutOptions{Concurrency: 4}) {
			if seen[r.Index] {
				t.Errorf("customer %d yielded twice", r.Index)
			}
			seen[r.Index] = true
			if r.Err != nil && !errors.Is(r.Err, context.Canceled) {
				t.Errorf("customer %d: %v, want success or ctx's error", r.Index, r.Err)
			}
			if len(seen) == 5 {
				cancel()
			}
		}
		if pulled == 1000 || len(seen) != pulled {
			t.Errorf("%d ids read, %d yielded; want every id read yielded, and the stream stopped by ctx", pulled, len(seen))
		}
	})
}

// TestFanOutBreakStopsCustomerPaging: with the ids of ListCustomersIter
// (40 pages of 5 customers), breaking after the first result requests at
// most the one customer page already in flight; reading the whole stream
// would request all 40.
func TestFanOutBreakStopsCustomerPaging(t *testing.T) {
	const pages, perPage = 40, 5
	var pagesAsked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/deviceBatches") {
			fmt.Fprint(w, oneBatchBody)
			return
		}
		pagesAsked.Add(1)
		n := 1
		if tok := r.Header.Get("MS-ContinuationToken"); tok != "" {
			n, _ = strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		}
		items := make([]string, perPage)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":%q}`, uuid.NewString())
		}
		next := ""
		if n < pages {
			next = fmt.Sprintf(`,"continuationToken":"page-%d"`, n+1)
		}
		fmt.Fprintf(w, `{"totalCount":%d,"items":[%s]%s,"attributes":{"objectType":"Collection"}}`, perPage, strings.Join(items, ","), next)
	}))
	defer srv.Close()
	c, err := NewClient(StaticToken("tok"), &ClientOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
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
	var atBreak int32
	for r := range c.ListDeviceBatchesForCustomerSeq(ctx, ids, &FanOutOptions{Concurrency: 2}) {
		if r.Err != nil {
			t.Errorf("customer %d: %v", r.Index, r.Err)
		}
		atBreak = pagesAsked.Load()
		break
	}
	if listErr != nil {
		t.Errorf("listing customers: %v", listErr)
	}
	if after := pagesAsked.Load(); after > atBreak+1 {
		t.Errorf("%d customer pages requested at the break, %d once the loop returned; want at most the one in flight", atBreak, after)
	}
}
