package wrapper

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
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
// DefaultStallTimeout with no byte from the service (no answer, a body
// that stops, an upload it stops taking), never while bytes keep
// arriving or being taken, however slowly; the cut is a *StallError,
// retried for a GET, not for an upload (it may have been carried out). A
// server on an in-process pipe, dialled through stallDial, in a synctest
// bubble: no real waiting.
func TestStallTimeout(t *testing.T) {
	const body = `{"totalCount":1,"items":[{"id":"a"}]}`
	upload := strings.Repeat("x", 100<<10)
	tests := []struct {
		name   string
		upload bool // a POST of upload, not a GET
		// serve answers the request whose headers were read from conn
		// through br.
		serve func(conn net.Conn, br *bufio.Reader)
		cut   time.Duration // when the try is cut; 0 when the body is read whole
		// pause is how long the caller waits after the body's first byte.
		pause time.Duration
	}{
		{"no answer", false, func(net.Conn, *bufio.Reader) {}, DefaultStallTimeout, 0},
		{"headers, then nothing", false, func(c net.Conn, _ *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"totalCount\"")
		}, DefaultStallTimeout, 0},
		{"a large body, then nothing", false, func(c net.Conn, _ *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			io.WriteString(c, "10\r\n{\"totalCount\":1,\r\n")
			time.Sleep(DefaultStallTimeout / 2)
			io.WriteString(c, "3\r\n\"it\r\n")
		}, 3 * DefaultStallTimeout / 2, 0},
		{"a slow body that keeps arriving", false, func(c net.Conn, _ *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			for i := range len(body) { // one byte a little under the stall timeout apart: 38 minutes in all
				time.Sleep(DefaultStallTimeout - time.Second)
				io.WriteString(c, "1\r\n"+body[i:i+1]+"\r\n")
			}
			io.WriteString(c, "0\r\n\r\n")
		}, 0, 0},
		{"a caller slow to read a body sent at once", false, func(c net.Conn, _ *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			io.WriteString(c, "1\r\n"+body[:1]+"\r\n")
			io.WriteString(c, strconv.FormatInt(int64(len(body)-1), 16)+"\r\n"+body[1:]+"\r\n0\r\n\r\n")
		}, 0, 3 * DefaultStallTimeout},
		{"an upload the service stops taking", true, func(net.Conn, *bufio.Reader) {}, DefaultStallTimeout, 0},
		{"a slow upload the service keeps taking", true, func(c net.Conn, br *bufio.Reader) {
			// What came with the headers at once, then each of net/http's
			// writes a little under the stall timeout after the last:
			// minutes in all.
			n, _ := br.Discard(br.Buffered())
			buf := make([]byte, 64<<10)
			for n < len(upload) {
				time.Sleep(DefaultStallTimeout - time.Second)
				m, err := c.Read(buf)
				if err != nil {
					return
				}
				n += m
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
		}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				base, _ := url.Parse("http://127.0.0.1:1")
				tr := newTransport(nil, base, 1<<20, 0).(transport)
				srv, cli := net.Pipe()
				defer srv.Close()
				tr.next.(*http.Client).Transport.(*http.Transport).DialContext = stallDial(func(context.Context, string, string) (net.Conn, error) { return cli, nil }, DefaultStallTimeout)
				go func() {
					br := bufio.NewReader(srv)
					if _, err := http.ReadRequest(br); err == nil {
						tc.serve(srv, br)
					}
				}()
				start := time.Now()
				req, _ := http.NewRequest(http.MethodGet, base.String()+"/v1/customers", nil)
				if tc.upload {
					req, _ = http.NewRequest(http.MethodPost, base.String()+"/v1/customers/c/deviceBatches", strings.NewReader(upload))
				}
				resp, err := tr.Do(req)
				var got []byte
				if err == nil {
					first := make([]byte, 1)
					_, err = io.ReadFull(resp.Body, first)
					time.Sleep(tc.pause)
					if err == nil {
						got, err = io.ReadAll(resp.Body)
						got = append(first, got...)
					}
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
				const stalled = "the service sent nothing for 1m0s (the client's stall timeout; set ClientOptions.Retry.TryTimeout to bound each try yourself)"
				msg := strings.TrimPrefix(err.Error(), "reading the answer: ")
				if tc.upload {
					// The upload may have been carried out: said, and not retried.
					msg, _ = strings.CutSuffix(msg, ": no answer came after the request was sent, so Partner Center may have carried it out: list the batch's devices (ListDevices) to see whether the upload was taken before uploading again, not blindly")
				}
				if !errors.As(err, &se) || took != tc.cut || msg != stalled {
					t.Fatalf("%v (%T) after %s; want the *StallError alone after %s", err, err, took, tc.cut)
				}
				if retried := shouldRetry(nil, err); retried == tc.upload {
					t.Errorf("a stalled %s: retried %t, want %t", req.Method, retried, !tc.upload)
				}
			})
		})
	}
}

// TestStallTimeoutPooledConnection: a request on a pooled connection,
// whose reader has waited since the last answer, gets the whole stall
// timeout for its own answer; a connection idle for longer is dropped
// and the next call dials again, unharmed.
func TestStallTimeoutPooledConnection(t *testing.T) {
	const body = `{"totalCount":1,"items":[{"id":"a"}]}`
	synctest.Test(t, func(t *testing.T) {
		base, _ := url.Parse("http://127.0.0.1:1")
		tr := newTransport(nil, base, 1<<20, 0)
		dials := 0
		answerIn := time.Duration(0) // how long the server takes to answer
		tr.(transport).next.(*http.Client).Transport.(*http.Transport).DialContext = stallDial(func(context.Context, string, string) (net.Conn, error) {
			dials++
			srv, cli := net.Pipe()
			go func() {
				defer srv.Close()
				br := bufio.NewReader(srv)
				for {
					if _, err := http.ReadRequest(br); err != nil {
						return
					}
					time.Sleep(answerIn)
					io.WriteString(srv, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
				}
			}()
			return cli, nil
		}, DefaultStallTimeout)
		for i, step := range []struct {
			idle, answerIn time.Duration
			dials          int
		}{
			{0, 0, 1},
			{DefaultStallTimeout - time.Second, DefaultStallTimeout - time.Second, 1},
			{2 * DefaultStallTimeout, 0, 2},
		} {
			time.Sleep(step.idle)
			answerIn = step.answerIn
			req, _ := http.NewRequest(http.MethodGet, base.String()+"/v1/customers", nil)
			resp, err := tr.Do(req)
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(got) != body || dials != step.dials {
				t.Fatalf("call %d: %q, %v, %d connections; want the body on %d", i+1, got, err, dials, step.dials)
			}
		}
		tr.(transport).next.(*http.Client).CloseIdleConnections()
	})
}

// TestStallTimeoutOnlyByDefault: the stall timeout is on only for this
// package's own transport, and only when Retry.TryTimeout does not bound
// each try already: a caller's Transport or TryTimeout wins. Its dialler
// is tried on a loopback listener.
func TestStallTimeoutOnlyByDefault(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	base, _ := url.Parse("https://api.partnercenter.microsoft.com")
	for _, tc := range []struct {
		name       string
		t          policy.Transporter
		tryTimeout time.Duration
		want       time.Duration
	}{
		{"defaults", nil, 0, DefaultStallTimeout},
		{"a TryTimeout", nil, 30 * time.Second, 0},
		{"a caller's http.Client", &http.Client{Transport: &http.Transport{}}, 0, 0},
	} {
		rt := newTransport(tc.t, base, 1, tc.tryTimeout).(transport).next.(*http.Client).Transport.(*http.Transport)
		var got time.Duration
		if rt.DialContext != nil {
			conn, err := rt.DialContext(t.Context(), "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			if sc, ok := conn.(*stallConn); ok {
				got = sc.d
			}
			conn.Close()
		}
		if got != tc.want {
			t.Errorf("%s: stall timeout %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestStallTimeoutCostsNoAllocations: the stall timeout is paid once per
// connection: a call on this package's own transport with it allocates
// no more than one without it (a TryTimeout set).
func TestStallTimeoutCostsNoAllocations(t *testing.T) {
	const body = `{"totalCount":1,"items":[{"id":"a"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	allocs := func(tryTimeout time.Duration) float64 {
		tr := newTransport(nil, base, 1<<20, tryTimeout)
		call := func() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/customers", nil)
			resp, err := tr.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := io.ReadAll(resp.Body); err != nil || string(got) != body {
				t.Fatalf("%q, %v", got, err)
			}
			resp.Body.Close()
		}
		call() // the connection is dialled once
		// The least of three runs: a GC emptying a pool, or a busy machine
		// redialling once, must not count as the timeout's cost.
		least := testing.AllocsPerRun(200, call)
		for range 2 {
			least = min(least, testing.AllocsPerRun(200, call))
		}
		return least
	}
	// One more allocation per call is tolerated: on a loaded machine a
	// read that must park on the deadline sometimes costs the runtime one
	// (seen in CI as 76 against 75); the per-try timer this replaced cost
	// ten.
	if with, without := allocs(0), allocs(30*time.Second); with > without+1 {
		t.Errorf("a call allocates %v times with the stall timeout, %v without", with, without)
	}
}

// stoppingAnswer is a client whose one request is answered 200 with the
// start of a body, partial, and then nothing: over net.Pipe, so that a
// synctest bubble sees the wait. Call it inside the bubble.
func stoppingAnswer(t *testing.T, partial string, tryTimeout time.Duration) *Client {
	srv, cli := net.Pipe()
	t.Cleanup(func() { srv.Close() })
	go func() {
		if _, err := http.ReadRequest(bufio.NewReader(srv)); err != nil {
			return
		}
		io.WriteString(srv, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
		io.WriteString(srv, strconv.FormatInt(int64(len(partial)), 16)+"\r\n"+partial+"\r\n")
		// and then nothing
	}()
	rt := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return cli, nil }}
	return newRetryClient(t, "http://127.0.0.1:1", rt, policy.RetryOptions{TryTimeout: tryTimeout, MaxRetries: -1}, nil)
}

// TestUploadStatusStoppedArriving: an upload status whose body a try's
// timeout cuts part way is a *NetworkError saying the answer stopped
// arriving, as a listing page is, not a *DecodeError blaming its JSON.
func TestUploadStatusStoppedArriving(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := stoppingAnswer(t, `{"batchTrackingId":"t1","status":"processing","devicesStatus":[`, 2*time.Second)
		_, err := c.GetBatchUploadStatus(context.Background(), testCustomer, "t1")
		var ne *NetworkError
		if !errors.As(err, &ne) || errors.As(err, new(*DecodeError)) || !strings.Contains(err.Error(), "stopped arriving") {
			t.Errorf("err = %v (%T), want a *NetworkError saying the answer stopped arriving", err, err)
		}
	})
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
				c := stoppingAnswer(t, `{"totalCount":2,"items":[{"id":"a"},`, tc.tryTimeout)
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
