package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/guid"
)

const (
	batchesPath = "/v1/customers/" + testCustomer + "/deviceBatches"
)

// recorder counts the requests a test server sees and keeps their headers.
type recorder struct {
	mu      sync.Mutex
	headers []http.Header
	paths   []string
}

func (r *recorder) add(req *http.Request) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.headers = append(r.headers, req.Header.Clone())
	r.paths = append(r.paths, req.URL.EscapedPath()+"?"+req.URL.RawQuery)
	return len(r.headers) - 1
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.headers)
}

func (r *recorder) requestIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, h := range r.headers {
		ids = append(ids, h.Get("MS-RequestId"))
	}
	return ids
}

// newLoopbackServer starts an httptest server on 127.0.0.1 whose handler
// gets the 0-based index of each request.
func newLoopbackServer(t *testing.T, rec *recorder, h func(w http.ResponseWriter, r *http.Request, n int)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, rec.add(r))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newRetryClient returns a client of baseURL with azcore's retry policy
// (ro tunes it) and a transport without keep-alives, so that inside a
// synctest bubble no connection goroutine stays busy while a wait passes on
// the bubble's clock.
func newRetryClient(t *testing.T, baseURL string, rt http.RoundTripper, ro policy.RetryOptions, log *slog.Logger) *Client {
	t.Helper()
	if rt == nil {
		rt = &http.Transport{DisableKeepAlives: true}
	}
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: baseURL, Logger: log, ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: rt}, Retry: ro}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func batchPage(ids []string, extra string) string {
	var items []string
	for _, id := range ids {
		items = append(items, fmt.Sprintf(`{"id":%q,"createdBy":"admin@contoso.com","creationDate":"2017-07-25T01:51:00","devicesCount":2,"attributes":{"objectType":"DeviceBatch"}}`, id))
	}
	return fmt.Sprintf(`{"totalCount":%d,"items":[%s]%s,"attributes":{"objectType":"Collection"}}`, len(ids), strings.Join(items, ","), extra)
}

func writeBody(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

const throttleBody = `{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 7 seconds."}`

func TestFaultMatrix(t *testing.T) {
	type want struct {
		batches  []string // ids, when the call succeeds
		err      func(error) bool
		tries    int           // requests the server saw
		ids      int           // distinct MS-RequestIds among them
		waited   time.Duration // time waited: exactly, or a backoff of about this long
		contract bool          // validate traffic against the document
	}
	asResponse := func(status int, retryAfter time.Duration) func(error) bool {
		return func(err error) bool {
			var re *ResponseError
			return errors.As(err, &re) && re.StatusCode == status && re.RetryAfter == retryAfter
		}
	}
	ok := batchPage([]string{"Test batch"}, "")
	cases := []struct {
		name    string
		retry   policy.RetryOptions
		backoff bool // waited is a jittered backoff: azcore's 0.8-1.3 times
		real    bool // run on the real clock (a per-try timeout needs the network to move)
		handler func(t *testing.T, w http.ResponseWriter, r *http.Request, n int)
		cancel  bool // cancel the call during its first wait
		want    want
	}{
		{
			name: "429 Retry-After 1 then 200",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, n int) {
				if n == 0 {
					w.Header().Set("Retry-After", "1")
					writeBody(w, 429, throttleBody)
					return
				}
				writeBody(w, 200, ok)
			},
			want: want{batches: []string{"Test batch"}, tries: 2, ids: 1, waited: time.Second, contract: true},
		},
		{
			name: "429 throttling body without header",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, n int) {
				if n == 0 {
					writeBody(w, 429, throttleBody)
					return
				}
				writeBody(w, 200, ok)
			},
			want: want{batches: []string{"Test batch"}, tries: 2, ids: 1, waited: 7 * time.Second, contract: true},
		},
		{
			name: "429 asking for more than the cap fails at once",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Retry-After", "120")
				writeBody(w, 429, throttleBody)
			},
			want: want{err: asResponse(429, 120*time.Second), tries: 1, ids: 1},
		},
		{
			name: "503 503 200",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, n int) {
				if n < 2 {
					writeBody(w, 503, `{"code":3000,"description":"Service unavailable","data":[],"source":"PartnerFD"}`)
					return
				}
				writeBody(w, 200, ok)
			},
			backoff: true,
			want:    want{batches: []string{"Test batch"}, tries: 3, ids: 1, waited: (1 + 3) * 800 * time.Millisecond, contract: true},
		},
		{
			name: "500 forever gives up after 1 + max retries",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 500, `{"code":500,"description":"Internal error","source":"PartnerFD"}`)
			},
			backoff: true,
			want:    want{err: asResponse(500, 0), tries: 4, ids: 1, waited: (1 + 3 + 7) * 800 * time.Millisecond},
		},
		{
			name: "connection reset mid-body then 200",
			handler: func(t *testing.T, w http.ResponseWriter, _ *http.Request, n int) {
				if n > 0 {
					writeBody(w, 200, ok)
					return
				}
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(ok), ok[:20])
				_ = buf.Flush()
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // close with RST
				}
				_ = conn.Close()
			},
			backoff: true,
			want:    want{batches: []string{"Test batch"}, tries: 2, ids: 1, waited: 800 * time.Millisecond},
		},
		{
			name: "truncated JSON is final",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 200, ok[:30])
			},
			want: want{err: func(err error) bool {
				var de *DecodeError
				return errors.As(err, &de) && de.StatusCode == 200
			}, tries: 1, ids: 1},
		},
		{
			name: "text/html 502 page",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ int) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(502)
				_, _ = w.Write([]byte("<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1></body>\n</html>\n"))
			},
			want: want{err: func(err error) bool {
				return asResponse(502, 0)(err) && !strings.ContainsAny(err.Error(), "<>\n")
			}, tries: 4, ids: 1, waited: (1 + 3 + 7) * 800 * time.Millisecond},
			backoff: true,
		},
		{
			name: "UTF-8 BOM",
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 200, "\uFEFF"+ok)
			},
			want: want{batches: []string{"Test batch"}, tries: 1, ids: 1},
		},
		{
			name:  "stall past the per-try timeout then 200",
			retry: policy.RetryOptions{TryTimeout: 50 * time.Millisecond, RetryDelay: time.Millisecond},
			real:  true,
			handler: func(_ *testing.T, w http.ResponseWriter, r *http.Request, n int) {
				if n == 0 {
					<-r.Context().Done() // until the client gives up on the try
					return
				}
				writeBody(w, 200, ok)
			},
			want: want{batches: []string{"Test batch"}, tries: 2, ids: 1, contract: true},
		},
		{
			name:   "context cancelled mid-wait",
			cancel: true,
			handler: func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 503, `{"code":3000,"description":"busy"}`)
			},
			want: want{err: func(err error) bool {
				return errors.Is(err, context.Canceled) && asResponse(503, 0)(err)
			}, tries: 1, ids: 1},
		},
	}
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, r *http.Request, n int) { tc.handler(t, w, r, n) })
			var ct *contract.Transport
			var rt http.RoundTripper
			if tc.want.contract {
				ct = &contract.Transport{Next: &http.Transport{DisableKeepAlives: true}, Validator: v}
				rt = ct
			}
			test := func(t *testing.T) {
				c := newRetryClient(t, srv.URL, rt, tc.retry, nil)
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				start := time.Now()
				var got []DeviceBatch
				var err error
				done := make(chan struct{})
				go func() {
					defer close(done)
					got, err = c.ListDeviceBatches(ctx, testCustomer)
				}()
				if tc.cancel {
					synctest.Wait() // the call is waiting to retry
					cancel()
				}
				<-done
				waited := time.Since(start)
				if tc.want.err != nil {
					if err == nil || !tc.want.err(err) {
						t.Fatalf("error = %v (%T), not the expected one", err, err)
					}
				} else {
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, b := range got {
						ids = append(ids, b.Id)
					}
					if fmt.Sprint(ids) != fmt.Sprint(tc.want.batches) {
						t.Errorf("batches = %q, want %q", ids, tc.want.batches)
					}
				}
				assertTries(t, rec, tc.want.tries, tc.want.ids)
				switch lo, hi := tc.want.waited, tc.want.waited; {
				case tc.real:
				case tc.backoff && (waited < lo*8/10 || waited > hi*13/10):
					t.Errorf("waited %s, want about %s (0.8-1.3 times)", waited, tc.want.waited)
				case !tc.backoff && waited != tc.want.waited:
					t.Errorf("waited %s, want %s", waited, tc.want.waited)
				}
				if ct != nil {
					for _, e := range ct.Errors() {
						t.Errorf("contract violation: %v", e)
					}
				}
			}
			if tc.real {
				test(t)
				return
			}
			synctest.Test(t, test)
		})
	}
}

// assertTries checks the request count and that the tries of one call
// share one MS-RequestId: ids distinct ids in tries requests, and every
// request carries one.
func assertTries(t *testing.T, rec *recorder, tries, ids int) {
	t.Helper()
	all := rec.requestIDs()
	if len(all) != tries {
		t.Errorf("server saw %d requests, want %d", len(all), tries)
	}
	distinct := map[string]bool{}
	for i, id := range all {
		if id == "" {
			t.Errorf("request %d has no MS-RequestId", i)
		}
		if i > 0 && ids == 1 && id != all[0] {
			t.Errorf("try %d MS-RequestId %s, want the first try's %s", i+1, id, all[0])
		}
		distinct[id] = true
	}
	if len(distinct) != ids {
		t.Errorf("%d distinct MS-RequestIds, want %d", len(distinct), ids)
	}
}

func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	other := &recorder{}
	otherSrv := newLoopbackServer(t, other, func(w http.ResponseWriter, _ *http.Request, _ int) { writeBody(w, 200, batchPage(nil, "")) })
	// "localhost" and 127.0.0.1 are different origins for the same server
	// process: the token must not follow the redirect to either.
	target := strings.Replace(otherSrv.URL, "127.0.0.1", "localhost", 1) + batchesPath
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, target, http.StatusFound)
	})
	c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{}, nil)
	_, err := c.ListDeviceBatches(context.Background(), testCustomer)
	if !errors.Is(err, ErrRedirectRefused) {
		t.Fatalf("error = %v, want one wrapping ErrRedirectRefused", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Error("the error carries the token")
	}
	assertTries(t, rec, 1, 1)
	if n := other.count(); n != 0 {
		t.Errorf("the other host got %d requests", n)
	}
}

// rewriteHost is a caller's policy that sends every try to another host.
type rewriteHost struct{ host string }

func (p rewriteHost) Do(req *policy.Request) (*http.Response, error) {
	req.Raw().URL.Host = p.host
	return req.Next()
}

func TestPolicyCannotSendTheTokenElsewhere(t *testing.T) {
	t.Parallel()
	other := &recorder{}
	otherSrv := newLoopbackServer(t, other, func(w http.ResponseWriter, _ *http.Request, _ int) { writeBody(w, 200, batchPage(nil, "")) })
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, _ int) { writeBody(w, 200, batchPage(nil, "")) })
	host := strings.TrimPrefix(otherSrv.URL, "http://")
	// A per-retry policy runs after the bearer token policy, a per-call
	// one before the retries: neither may take the token to another host.
	for name, opts := range map[string]azcore.ClientOptions{
		"per-call":  {PerCallPolicies: []policy.Policy{rewriteHost{host}}},
		"per-retry": {PerRetryPolicies: []policy.Policy{rewriteHost{host}}},
	} {
		c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, ClientOptions: opts})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListDeviceBatches(context.Background(), testCustomer)
		if err == nil || !strings.Contains(err.Error(), "refusing to send the token to http://"+host) {
			t.Errorf("%s: error = %v, want a refusal naming %s", name, err, host)
		}
	}
	if n := other.count() + rec.count(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestDebugTraceNeverShowsToken(t *testing.T) {
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, n int) {
		switch n {
		case 0:
			w.Header().Set("Retry-After", "2")
			writeBody(w, 429, throttleBody)
		case 1:
			writeBody(w, 200, batchPage([]string{"a"}, `,"continuationToken":"ct-page-2-secretish"`))
		default:
			writeBody(w, 401, `{"code":401,"description":"Unauthorized"}`)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		// One retry of the 429 only: the 401 of page 2 is final anyway.
		c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{MaxRetries: 1}, log)
		_, err := c.ListDeviceBatches(context.Background(), testCustomer)
		if err == nil {
			t.Fatal("want the 401 of page 2")
		}
		out := buf.String() + err.Error()
		for _, secret := range []string{testToken, "ct-page-2-secretish", "Bearer"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q appears in the trace or error:\n%s", secret, out)
			}
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("want one record per try (3), got %d:\n%s", len(lines), buf.String())
		}
		ids := rec.requestIDs()
		for _, want := range []string{"page=1", "try=1", "method=GET", "url=http://127.0.0.1", "status=429", "retry_after=2s", "request_id=" + ids[0], "correlation_id=" + c.CorrelationID(), "duration="} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("first record lacks %q: %s", want, lines[0])
			}
		}
		if !strings.Contains(lines[1], "page=1 try=2") || !strings.Contains(lines[1], "status=200") {
			t.Errorf("second record: %s", lines[1])
		}
		if !strings.Contains(lines[2], "page=2 try=1") || !strings.Contains(lines[2], "status=401") {
			t.Errorf("last record: %s", lines[2])
		}
	})
}

// TestThrottleGateHoldsBackOtherCalls: while one call waits out a 429, a
// second call of the same client waits too before its first request.
func TestThrottleGateHoldsBackOtherCalls(t *testing.T) {
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 0 {
			w.Header().Set("Retry-After", "30")
			writeBody(w, 429, throttleBody)
			return
		}
		writeBody(w, 200, batchPage([]string{"x"}, ""))
	})
	synctest.Test(t, func(t *testing.T) {
		c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{}, nil)
		start := time.Now()
		first := make(chan error, 1)
		go func() {
			_, err := c.ListDeviceBatches(context.Background(), testCustomer)
			first <- err
		}()
		synctest.Wait() // the first call is throttled and waiting; the gate is closed
		if n := rec.count(); n != 1 {
			t.Fatalf("server saw %d requests before the second call, want 1", n)
		}
		if _, err := c.ListDeviceBatches(context.Background(), testCustomer); err != nil {
			t.Fatal(err)
		}
		// The second call sent nothing until the 30 s had passed.
		if took := time.Since(start); took != 30*time.Second {
			t.Errorf("the second call ended after %s, want 30s", took)
		}
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		if n := rec.count(); n != 3 {
			t.Errorf("server saw %d requests, want 3", n)
		}
	})
}

// TestLongPauseRefusesLaterCallsAtOnce: a 429 asking for an hour pauses
// every call of the client, but a call that may not wait that long (the
// 60 s MaxRetryDelay, a RateLimiter's MaxPause, its deadline) fails at once
// with a *ThrottlePauseError naming the Retry-After and its own ids,
// instead of freezing until the hour is over or failing as a network
// error; near the end a call waits out what is left, and after it calls go
// through.
func TestLongPauseRefusesLaterCallsAtOnce(t *testing.T) {
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 0 {
			w.Header().Set("Retry-After", "3600")
			writeBody(w, 429, throttleBody)
			return
		}
		writeBody(w, 200, batchPage([]string{"x"}, ""))
	})
	// Each call starts at its offset from the 429, in order, on one client.
	steps := []struct {
		name    string
		at      time.Duration
		timeout time.Duration // the call's deadline; 0 for none
		limiter bool          // the call carries a RateLimiter (MaxPause 60 s)
		refused string        // the reason a *ThrottlePauseError gives; "" when the call succeeds
		left    string        // what it says is left of the pause, when not the whole hour
		waited  time.Duration // how long a call that succeeds waits for the pause
	}{
		{name: "a deadline before the pause ends", timeout: 10 * time.Second, refused: "the cap on one wait (1m0s)"},
		{name: "no deadline", refused: "the cap on one wait (1m0s)"},
		{name: "a deadline after the pause", timeout: 2 * time.Hour, refused: "the cap on one wait (1m0s)"},
		{name: "through a rate limiter", at: time.Minute, limiter: true, refused: "the cap on one wait (1m0s)", left: "the 59m0s left"},
		{name: "30 s left, a 10 s deadline", at: time.Hour - 30*time.Second, timeout: 10 * time.Second, refused: "the time left before the call's deadline", left: "the 30s left"},
		{name: "30 s left, no deadline", at: time.Hour - 30*time.Second, waited: 30 * time.Second},
		{name: "after the pause", at: time.Hour + time.Second},
	}
	synctest.Test(t, func(t *testing.T) {
		c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{}, nil)
		start := time.Now()
		_, err := c.ListDeviceBatches(context.Background(), testCustomer)
		var re *ResponseError
		if !errors.As(err, &re) || re.RetryAfter != time.Hour || time.Since(start) != 0 {
			t.Fatalf("first call: %v after %s, want the 429 at once with its Retry-After", err, time.Since(start))
		}
		for _, st := range steps {
			time.Sleep(time.Until(start.Add(st.at)))
			ctx := context.Background()
			if st.limiter {
				lim, err := NewRateLimiter(nil)
				if err != nil {
					t.Fatal(err)
				}
				ctx = WithRateLimiter(ctx, lim)
			}
			if st.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, st.timeout)
				defer cancel()
			}
			sent := rec.count()
			called := time.Now()
			_, err := c.ListDeviceBatches(ctx, testCustomer)
			took := time.Since(called)
			if st.refused == "" {
				if err != nil || took != st.waited || rec.count() != sent+1 {
					t.Errorf("%s: %v after %s, %d requests; want success after %s, 1 request", st.name, err, took, rec.count()-sent, st.waited)
				}
				continue
			}
			var pe *ThrottlePauseError
			if !errors.As(err, &pe) || errors.As(err, new(*NetworkError)) {
				t.Errorf("%s: error %v (%T), want a *ThrottlePauseError", st.name, err, err)
				continue
			}
			if took != 0 || rec.count() != sent {
				t.Errorf("%s: refused after %s and %d requests, want at once and none", st.name, took, rec.count()-sent)
			}
			if pe.RetryAfter != time.Hour || !pe.Until.Equal(start.Add(time.Hour)) || pe.MaxPause != time.Minute {
				t.Errorf("%s: RetryAfter %s, Until %s, MaxPause %s; want 1h, the 429's time plus 1h, 1m", st.name, pe.RetryAfter, pe.Until.Sub(start), pe.MaxPause)
			}
			if !guid.Valid(pe.RequestID) || pe.RequestID == rec.requestIDs()[0] || pe.CorrelationID != c.CorrelationID() {
				t.Errorf("%s: ids %q, %q; want this call's own MS-RequestId and the client's MS-CorrelationId", st.name, pe.RequestID, pe.CorrelationID)
			}
			msg := pe.Error()
			for _, want := range []string{"1h0m0s (Retry-After)", st.refused, "MS-RequestId: " + pe.RequestID, st.left} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: %q lacks %q", st.name, msg, want)
				}
			}
		}
	})
}

// TestWaitPastDeadlineIsNotStarted: a wait that would end after the call's
// deadline fails the call at once instead of sleeping into the deadline.
func TestWaitPastDeadlineIsNotStarted(t *testing.T) {
	rec := &recorder{}
	srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Retry-After", "30")
		writeBody(w, 429, throttleBody)
	})
	synctest.Test(t, func(t *testing.T) {
		c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.ListDeviceBatches(ctx, testCustomer)
		var re *ResponseError
		if !errors.As(err, &re) || re.RetryAfter != 30*time.Second || !strings.Contains(err.Error(), "deadline") {
			t.Fatalf("error = %v, want the 429 noting the deadline", err)
		}
		assertTries(t, rec, 1, 1)
		if took := time.Since(start); took != 0 {
			t.Errorf("waited %s", took)
		}
	})
}

// TestDownloadedBodyAfterClose: a small body's buffer goes back to the
// pool on Close, so the closed body must read as empty, even once the
// buffer holds another answer.
func TestDownloadedBodyAfterClose(t *testing.T) {
	get := func(body string) io.ReadCloser {
		resp := &http.Response{StatusCode: 200, ContentLength: int64(len(body)), Body: io.NopCloser(strings.NewReader(body))}
		resp, err := download(httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil), resp, 1<<10)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Body
	}
	first := get("\uFEFFfirst")
	if b, err := io.ReadAll(first); string(b) != "first" || err != nil {
		t.Fatalf("read %q, %v; want the body without its byte order mark", b, err)
	}
	first.Close()
	second := get("second")
	if n, err := first.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Errorf("closed body read %d bytes, %v", n, err)
	}
	if b, _ := io.ReadAll(second); string(b) != "second" {
		t.Errorf("second body %q", b)
	}
	second.Close()
	first.Close() // again: must not hand a buffer out twice
	third, fourth := get("third"), get("fourth")
	b3, _ := io.ReadAll(third)
	b4, _ := io.ReadAll(fourth)
	if string(b3) != "third" || string(b4) != "fourth" {
		t.Errorf("bodies %q and %q, want third and fourth", b3, b4)
	}
}
