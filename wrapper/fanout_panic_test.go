package wrapper

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// panicOn is a caller's pipeline policy with a bug: it panics on one
// customer's request.
type panicOn string

func (p panicOn) Do(req *policy.Request) (*http.Response, error) {
	if strings.Contains(req.Raw().URL.Path, string(p)) {
		panic("nil map write in a caller's policy")
	}
	return req.Next()
}

// TestFanOutPanicIsThatCustomersError: a panic while fetching one customer
// becomes that customer's *PanicError (with the stack); every other
// customer is still fetched, and the process does not crash.
func TestFanOutPanicIsThatCustomersError(t *testing.T) {
	const bad = "0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35"
	srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, 200, batchPage([]string{"b"}, ""))
	})
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, ClientOptions: azcore.ClientOptions{PerCallPolicies: []policy.Policy{panicOn(bad)}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{testCustomer, bad, "8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468"}
	got := map[string]error{}
	for r := range c.ListDeviceBatchesForCustomers(context.Background(), ids, &FanOutOptions{Concurrency: 3}) {
		got[r.CustomerID] = r.Err
	}
	if len(got) != 3 || got[testCustomer] != nil || got[ids[2]] != nil {
		t.Fatalf("results %v: want all three, two fine", got)
	}
	var pe *PanicError
	if !errors.As(got[bad], &pe) || !strings.Contains(pe.Error(), "nil map write") || len(pe.Stack) == 0 {
		t.Errorf("bad customer's error = %v, want a *PanicError with its stack", got[bad])
	}
}

// TestFanOutStreamPanicReachesTheLoop: a panic in the caller's stream of
// ids, which the fan-out reads on a goroutine of its own, used to end the
// process. It is raised again on the loop's goroutine, as a *PanicError
// with the stream's value and stack, once the customers the stream
// produced have been yielded; and however the loop ends.
func TestFanOutStreamPanicReachesTheLoop(t *testing.T) {
	srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, 200, batchPage([]string{"b"}, ""))
	})
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	stream := func(yield func(string) bool) {
		if yield(testCustomer) {
			panic("stream bug")
		}
	}
	for _, stopEarly := range []bool{false, true} {
		var got []CustomerResult
		p := func() (p any) {
			defer func() { p = recover() }()
			for r := range c.ListDeviceBatchesForCustomerSeq(context.Background(), stream, nil) {
				got = append(got, r)
				if stopEarly {
					break
				}
			}
			return nil
		}()
		var pe *PanicError
		if err, _ := p.(error); !errors.As(err, &pe) || pe.Value != "stream bug" || len(pe.Stack) == 0 {
			t.Errorf("stop early %v: the loop panicked with %v, want the stream's panic as a *PanicError with its stack", stopEarly, p)
		}
		if len(got) != 1 || got[0].Err != nil {
			t.Errorf("stop early %v: results %+v, want the stream's one customer, fetched", stopEarly, got)
		}
	}
}
