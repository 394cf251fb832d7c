package wrapper

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestStallTimeout: with ClientOptions' defaults (no Transport, no
// TryTimeout), a try on this package's own transport is cut after
// DefaultStallTimeout with no byte from the service (no answer, or a body
// that stops), never while bytes keep arriving, however slowly; the cut is
// a *StallError. A server on an in-process pipe, in a synctest bubble: no
// real waiting.
func TestStallTimeout(t *testing.T) {
	const body = `{"totalCount":1,"items":[{"id":"a"}]}`
	tests := []struct {
		name string
		// serve answers the request read from conn.
		serve func(conn net.Conn)
		cut   time.Duration // when the try is cut; 0 when the body is read whole
	}{
		{"no answer", func(net.Conn) {}, DefaultStallTimeout},
		{"headers, then nothing", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"totalCount\"")
		}, DefaultStallTimeout},
		{"a large body, then nothing", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			io.WriteString(c, "10\r\n{\"totalCount\":1,\r\n")
			time.Sleep(DefaultStallTimeout / 2)
			io.WriteString(c, "3\r\n\"it\r\n")
		}, 3 * DefaultStallTimeout / 2},
		{"a slow body that keeps arriving", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			for i := range len(body) { // one byte a little under the stall timeout apart: 38 minutes in all
				time.Sleep(DefaultStallTimeout - time.Second)
				io.WriteString(c, "1\r\n"+body[i:i+1]+"\r\n")
			}
			io.WriteString(c, "0\r\n\r\n")
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				base, _ := url.Parse("http://127.0.0.1:1")
				tr := newTransport(nil, base, 1<<20, 0).(transport)
				srv, cli := net.Pipe()
				defer srv.Close()
				tr.next.(*http.Client).Transport.(*http.Transport).DialContext = func(context.Context, string, string) (net.Conn, error) { return cli, nil }
				go func() {
					if _, err := http.ReadRequest(bufio.NewReader(srv)); err == nil {
						tc.serve(srv)
					}
				}()
				start := time.Now()
				req, _ := http.NewRequest(http.MethodGet, base.String()+"/v1/customers", nil)
				resp, err := tr.Do(req)
				var got []byte
				if err == nil {
					got, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				took := time.Since(start)
				if tc.cut == 0 {
					if err != nil || string(got) != body {
						t.Fatalf("%q, %v after %s; want the whole body", got, err, took)
					}
					return
				}
				var se *StallError
				if !errors.As(err, &se) || took != tc.cut || !strings.Contains(err.Error(), "sent nothing for 1m0s") {
					t.Fatalf("%v (%T) after %s; want a *StallError after %s", err, err, took, tc.cut)
				}
				if !transient(err) {
					t.Errorf("a stall is not retried")
				}
			})
		})
	}
}

// TestStallTimeoutOnlyByDefault: the stall watch is on only for this
// package's own transport, and only when Retry.TryTimeout does not bound
// each try already: a caller's Transport or TryTimeout wins.
func TestStallTimeoutOnlyByDefault(t *testing.T) {
	base, _ := url.Parse("https://api.partnercenter.microsoft.com")
	for _, tc := range []struct {
		name       string
		t          policy.Transporter
		tryTimeout time.Duration
		want       time.Duration
	}{
		{"defaults", nil, 0, DefaultStallTimeout},
		{"a TryTimeout", nil, 30 * time.Second, 0},
		{"a caller's http.Client", &http.Client{}, 0, 0},
	} {
		if got := newTransport(tc.t, base, 1, tc.tryTimeout).(transport).stall; got != tc.want {
			t.Errorf("%s: stall timeout %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestAnswerStoppedArriving: a page whose body stops after an item was
// handed out, then is cut by the try's TryTimeout or the call's deadline,
// is a *NetworkError saying the answer stopped arriving and which bound
// cut it, not a *DecodeError blaming the JSON.
func TestAnswerStoppedArriving(t *testing.T) {
	for _, tc := range []struct {
		name       string
		tryTimeout time.Duration
		deadline   time.Duration
		want       string
	}{
		{"TryTimeout", 2 * time.Second, 0, "the try's timeout (Retry.TryTimeout, 2s) passed"},
		{"the call's deadline", 0, 5 * time.Second, "the call's deadline passed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv, cli := net.Pipe()
				defer srv.Close()
				go func() {
					if _, err := http.ReadRequest(bufio.NewReader(srv)); err != nil {
						return
					}
					io.WriteString(srv, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
					page := `{"totalCount":2,"items":[{"id":"a"},`
					io.WriteString(srv, strconv.FormatInt(int64(len(page)), 16)+"\r\n"+page+"\r\n")
					// and then nothing
				}()
				rt := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return cli, nil }}
				c := newRetryClient(t, "http://127.0.0.1:1", rt, policy.RetryOptions{TryTimeout: tc.tryTimeout, MaxRetries: -1}, nil)
				ctx := context.Background()
				if tc.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.deadline)
					defer cancel()
				}
				var ids []string
				var err error
				for b, ierr := range c.ListDeviceBatchesIter(ctx, testCustomer) {
					if err = ierr; err != nil {
						break
					}
					ids = append(ids, b.Id)
				}
				var ne *NetworkError
				if len(ids) != 1 || !errors.As(err, &ne) || errors.As(err, new(*DecodeError)) || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("%v, then %v (%T); want batch a, then a *NetworkError wrapping context.DeadlineExceeded", ids, err, err)
				}
				for _, want := range []string{"answer stopped arriving", tc.want, "MS-RequestId"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
			})
		})
	}
}
