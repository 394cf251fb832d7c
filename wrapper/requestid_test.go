package wrapper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestCutPageKeepsItsRequestID: a page whose streamed body was cut and is
// read again is a retry of the same call, so it carries the same
// MS-RequestId (Partner Center's idempotency key); the next page is a new
// call with a new one.
func TestCutPageKeepsItsRequestID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cuts int // how many times the first page is cut before any item
	}{
		{"cut once", 1},
		{"cut twice", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var ids, tokens []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				ids = append(ids, r.Header.Get("MS-RequestId"))
				tokens = append(tokens, r.Header.Get("MS-ContinuationToken"))
				n := len(ids)
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				switch {
				case n <= tc.cuts:
					w.Write([]byte(`{"totalCount":1,"items":[`))
					w.(http.Flusher).Flush() // chunked: no Content-Length
					panic(http.ErrAbortHandler)
				case r.Header.Get("MS-ContinuationToken") == "":
					w.Write([]byte(batchPage([]string{"a"}, `,"continuationToken":"p2"`)))
				default:
					w.Write([]byte(batchPage([]string{"b"}, "")))
				}
			}))
			defer srv.Close()
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL,
				ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: 3}}})
			if err != nil {
				t.Fatal(err)
			}
			bs, err := c.ListDeviceBatches(context.Background(), testCustomer)
			if err != nil || len(bs) != 2 {
				t.Fatalf("batches %v, %v", bs, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(ids) != tc.cuts+2 {
				t.Fatalf("%d requests (tokens %q), want %d", len(ids), tokens, tc.cuts+2)
			}
			first, next := ids[:tc.cuts+1], ids[tc.cuts+1]
			for i, id := range first {
				if id == "" || id != first[0] {
					t.Errorf("try %d of the first page sent MS-RequestId %q, the first try %q: want the same", i+1, id, first[0])
				}
			}
			if next == "" || next == first[0] {
				t.Errorf("the second page sent MS-RequestId %q, the first %q: want a new one", next, first[0])
			}
		})
	}
}
