package wrapper

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestWriteRetriedOnlyWhenUnsent: a POST or PATCH that got no answer is
// sent again only when it certainly never reached the service (the
// connection was refused, the TLS handshake failed); one answered too late
// for its try, or whose connection was cut after it was written, is sent
// once, and the error says it may have been carried out and what to
// check. A GET is retried as before. The service is on net.Pipe inside a
// synctest bubble (a refused connection is a real one on loopback): no
// real waiting.
func TestWriteRetriedOnlyWhenUnsent(t *testing.T) {
	// A port nothing listens on: dialling it is refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	const answerAfter = 4 * time.Second
	late := func(int) time.Duration { return answerAfter }
	firstLate := func(n int) time.Duration {
		if n == 0 {
			return answerAfter
		}
		return 0
	}
	tests := []struct {
		name       string
		op         string // create, assign or list
		https      bool
		tryTimeout time.Duration
		refuse     int                       // the first refuse dials are refused
		shut       bool                      // the service closes every connection at once (during the TLS handshake)
		cut        bool                      // the service closes the connection once it has read the request
		answerIn   func(n int) time.Duration // how long request n (0-based) waits for its answer
		dials      int
		requests   int    // requests the service read
		maybe      bool   // the error wraps ErrMaybeCarriedOut
		hint       string // in the error; "" when the call succeeds
	}{
		{name: "POST answered after the try's timeout", op: "create", tryTimeout: 2 * time.Second, answerIn: late,
			dials: 1, requests: 1, maybe: true, hint: "list the batch's devices (ListDevices) to see whether the upload was taken before uploading again"},
		{name: "PATCH answered after the try's timeout", op: "assign", tryTimeout: 2 * time.Second, answerIn: late,
			dials: 1, requests: 1, maybe: true, hint: "list the batch's devices (ListDevices) and check their profiles before assigning the profile again"},
		{name: "POST whose connection is cut once it was sent", op: "create", cut: true,
			dials: 1, requests: 1, maybe: true, hint: "may have carried it out"},
		{name: "POST on a refused connection", op: "create", refuse: 1, dials: 2, requests: 1},
		{name: "PATCH on a refused connection", op: "assign", refuse: 2, dials: 3, requests: 1},
		{name: "POST refused every time", op: "create", refuse: 4, dials: 4, hint: "connection refused"},
		{name: "POST whose TLS handshake fails", op: "create", https: true, shut: true, dials: 4, hint: "POST https://"},
		{name: "GET answered after the try's timeout", op: "list", tryTimeout: 2 * time.Second, answerIn: firstLate, dials: 2, requests: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var dials, requests atomic.Int32
				var served sync.WaitGroup // the service's goroutines, waited for before the bubble ends
				defer served.Wait()
				dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
					if n := dials.Add(1); int(n) <= tc.refuse {
						return (&net.Dialer{}).DialContext(ctx, network, closed)
					}
					srv, cli := net.Pipe()
					served.Go(func() {
						defer srv.Close()
						if tc.shut {
							return
						}
						br := bufio.NewReader(srv)
						for {
							req, err := http.ReadRequest(br)
							if err != nil {
								return
							}
							n := int(requests.Add(1)) - 1
							if _, err := io.Copy(io.Discard, req.Body); err != nil || tc.cut {
								return
							}
							if tc.answerIn != nil {
								time.Sleep(tc.answerIn(n))
							}
							answer := "HTTP/1.1 202 Accepted\r\nLocation: /customers/" + testCustomer + "/batchJobStatus/T-1\r\nContent-Length: 0\r\n\r\n"
							if req.Method == http.MethodGet {
								page := batchPage([]string{"Test batch"}, "")
								answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(page)) + "\r\n\r\n" + page
							}
							if _, err := io.WriteString(srv, answer); err != nil {
								return
							}
						}
					})
					return cli, nil
				}
				base := "http://127.0.0.1:1"
				if tc.https {
					base = "https://127.0.0.1:1"
				}
				rt := &http.Transport{DialContext: dial, DisableKeepAlives: true}
				c := newRetryClient(t, base, rt, policy.RetryOptions{TryTimeout: tc.tryTimeout}, nil)
				ctx := context.Background()
				var err error
				switch tc.op {
				case "create":
					_, err = c.CreateDeviceBatch(ctx, testCustomer, "newb", oneDevice)
				case "assign":
					_, err = c.AssignProfile(ctx, testCustomer, "profile-1", []string{"dev-1"})
				case "list":
					_, err = c.ListDeviceBatches(ctx, testCustomer)
				}
				if got := [2]int{int(dials.Load()), int(requests.Load())}; got != [2]int{tc.dials, tc.requests} {
					t.Errorf("%d connections, %d requests read; want %d, %d", got[0], got[1], tc.dials, tc.requests)
				}
				if tc.hint == "" {
					if err != nil {
						t.Fatalf("%v; want the call to succeed", err)
					}
					return
				}
				var ne *NetworkError
				if !errors.As(err, &ne) || !strings.Contains(err.Error(), tc.hint) {
					t.Fatalf("%v (%T); want a *NetworkError saying %q", err, err, tc.hint)
				}
				if errors.Is(err, ErrMaybeCarriedOut) != tc.maybe || strings.Contains(err.Error(), "may have carried it out") != tc.maybe {
					t.Errorf("%v: says it may have been carried out: %t, want %t", err, !tc.maybe, tc.maybe)
				}
				if tc.tryTimeout > 0 && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%v: want it to wrap context.DeadlineExceeded, as a try's timeout", err)
				}
			})
		})
	}
}
