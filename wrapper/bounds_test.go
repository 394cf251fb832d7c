package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// TestPagingKeepsNoTokens: the loop detector remembers a hash of each
// continuation token and link, not the text: a server answering pages that
// each carry a new token of nearly MaxStringBytes must not make a listing
// hold them all (at the defaults, 10,000 pages of 1 MiB). The heap is
// measured while the last page is read; the tokens the listing has seen
// by then total 23 MiB.
func TestPagingKeepsNoTokens(t *testing.T) {
	const pages = 24
	token := func(n int) string { return fmt.Sprintf("%04d%s", n, strings.Repeat("t", DefaultMaxStringBytes-100)) }
	for _, shape := range []string{"continuationToken", "links.next"} {
		t.Run(shape, func(t *testing.T) {
			// Not newLoopbackServer: its recorder keeps every request's
			// headers, tokens included.
			var served atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(served.Add(1) - 1)
				next := ""
				switch {
				case n == pages-1:
				case shape == "continuationToken":
					next = `,"continuationToken":"` + token(n) + `"`
				default:
					next = nextLink("/customers/"+testCustomer+"/deviceBatches?page="+fmt.Sprint(n), `{"key":"MS-ContinuationToken","value":"`+token(n)+`"}`)
				}
				writeBody(w, 200, batchPage([]string{fmt.Sprint(n)}, next))
			}))
			t.Cleanup(srv.Close)
			c := offContractClient(t, srv)
			var heap uint64
			n := 0
			for _, err := range c.ListDeviceBatchesIter(context.Background(), testCustomer) {
				if err != nil {
					t.Fatal(err)
				}
				if n++; n == pages {
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					heap = ms.HeapAlloc
				}
			}
			if n != pages {
				t.Fatalf("%d batches, want %d", n, pages)
			}
			if limit := uint64(12 << 20); heap > limit {
				t.Errorf("%d MiB of heap in use while reading page %d, want at most %d MiB: the listing keeps the tokens it has seen", heap>>20, pages, limit>>20)
			}
		})
	}
}

// TestPagingTokenBounded: a continuation token or next link longer than
// Limits.MaxStringBytes ends the listing at that limit, so no page can
// hand the loop detector more than MaxStringBytes to remember.
func TestPagingTokenBounded(t *testing.T) {
	long := strings.Repeat("t", 4096)
	for _, next := range []string{
		`,"continuationToken":"` + long + `"`,
		nextLink("/customers/"+testCustomer+"/deviceBatches", `{"key":"MS-ContinuationToken","value":"`+long+`"}`),
		nextLink("/customers/"+testCustomer+"/deviceBatches?"+long, ""),
	} {
		srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, r *http.Request, n int) {
			writeBody(w, 200, batchPage([]string{"a"}, next))
		})
		c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, Limits: Limits{MaxStringBytes: 1024}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListDeviceBatches(context.Background(), testCustomer)
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "MaxStringBytes") {
			t.Errorf("%.60s…: error %v, want the MaxStringBytes limit", next, err)
		}
	}
}

// TestMaxListItems: a slice-returning listing holds at most
// Limits.MaxListItems items and then fails with a *TooManyItemsError that
// names the limit and the iterator; the iterator streams past it.
func TestMaxListItems(t *testing.T) {
	const limit = 5
	// 4 pages of 2 items, the page read from the token sent.
	srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, r *http.Request, _ int) {
		n := 0
		fmt.Sscanf(r.Header.Get("MS-ContinuationToken"), "t%d", &n)
		next := ""
		if n < 3 {
			next = fmt.Sprintf(`,"continuationToken":"t%d"`, n+1)
		}
		writeBody(w, 200, fmt.Sprintf(`{"totalCount":2,"items":[{"id":"10000000-0000-0000-0000-%012d"},{"id":"20000000-0000-0000-0000-%012d"}]%s}`, n, n, next))
	})
	newClient := func(max int) *Client {
		c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, Limits: Limits{MaxListItems: max}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func(c *Client) (int, error)
		iter string
	}{
		{"ListDeviceBatches", func(c *Client) (int, error) { v, err := c.ListDeviceBatches(ctx, testCustomer); return len(v), err }, "ListDeviceBatchesIter"},
		{"ListDevices", func(c *Client) (int, error) { v, err := c.ListDevices(ctx, testCustomer, "b"); return len(v), err }, "ListDevicesIter"},
		{"ListCustomers", func(c *Client) (int, error) { v, err := c.ListCustomers(ctx, nil); return len(v), err }, "ListCustomersIter"},
		{"ListConfigurationPolicies", func(c *Client) (int, error) {
			v, err := c.ListConfigurationPolicies(ctx, testCustomer)
			return len(v), err
		}, "ListConfigurationPoliciesIter"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.call(newClient(limit))
			var te *TooManyItemsError
			if !errors.As(err, &te) || te.Limit != limit || !errors.Is(err, ErrLimit) {
				t.Fatalf("%d items, error %v; want a *TooManyItemsError at %d wrapping ErrLimit", n, err, limit)
			}
			for _, want := range []string{"more than 5 items", tc.iter, "Limits.MaxListItems"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if n, err := tc.call(newClient(8)); err != nil || n != 8 {
				t.Errorf("at a limit of exactly the 8 items: %d items, %v", n, err)
			}
		})
	}
	n := 0
	for _, err := range newClient(limit).ListDeviceBatchesIter(ctx, testCustomer) {
		if err != nil {
			t.Fatalf("the iterator: %v", err)
		}
		n++
	}
	if n != 8 {
		t.Errorf("the iterator yielded %d batches, want all 8: MaxListItems bounds slices only", n)
	}
	if _, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, Limits: Limits{MaxListItems: -1}}); err == nil || !strings.Contains(err.Error(), "Limits.MaxListItems") {
		t.Errorf("a negative MaxListItems: %v, want it refused", err)
	}
}
