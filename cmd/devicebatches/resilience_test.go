package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
)

const (
	resCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"
	resToken    = "cli-tok-7f3e9a-DISTINCT"
)

const resPage = `{"totalCount":1,"items":[{"id":"Test batch","createdBy":"admin@contoso.com","creationDate":"2017-07-25T01:51:00","devicesCount":2}],"attributes":{"objectType":"Collection"}}`

// runWith runs one command line with the service's requests sent through hc.
func runWith(hc *http.Client, args []string, s streams, getenv func(string) string) int {
	return newApp(s, getenv, withTransport(hc)).execute(context.Background(), args)
}

func resEnv(base string) func(string) string {
	return func(k string) string {
		switch k {
		case "PARTNER_CENTER_TOKEN":
			return resToken
		case "PARTNER_CENTER_BASE_URL":
			return base
		}
		return ""
	}
}

// TestCLIRetriesThrottledRequest runs the command against a server that
// throttles once with Retry-After: 1. It runs in a synctest bubble, so the
// one-second wait passes on the bubble's fake clock. Keep-alives are off so
// that no connection goroutine stays busy reading while the bubble waits.
func TestCLIRetriesThrottledRequest(t *testing.T) {
	var mu sync.Mutex
	var requestIDs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requestIDs = append(requestIDs, r.Header.Get("MS-RequestId"))
		n := len(requestIDs)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 1 seconds."}`))
			return
		}
		_, _ = w.Write([]byte(resPage))
	}))
	defer srv.Close()
	synctest.Test(t, func(t *testing.T) {
		hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		var out, errOut bytes.Buffer
		code := runWith(hc, []string{"list", "--customer", resCustomer, "-o", "json", "--debug"},
			streams{in: strings.NewReader(""), out: &out, err: &errOut}, resEnv(srv.URL))
		if code != exitOK {
			t.Fatalf("exit %d, stderr: %s", code, errOut.String())
		}
		if !strings.Contains(out.String(), "Test batch") {
			t.Errorf("stdout lacks the batch: %s", out.String())
		}
		if !strings.Contains(errOut.String(), "status=429") || !strings.Contains(errOut.String(), "retry_after=1s") || !strings.Contains(errOut.String(), "try=2") {
			t.Errorf("the debug trace lacks the throttled try: %s", errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), resToken) {
			t.Error("the token appears in the output")
		}
	})
	if len(requestIDs) != 2 || requestIDs[0] != requestIDs[1] || requestIDs[0] == "" {
		t.Errorf("MS-RequestIds %q: want two tries of one call", requestIDs)
	}
}

// TestCLITimeout: --timeout bounds the whole command; a stalled server
// ends it with exit 1 and a message naming the timeout.
func TestCLITimeout(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--timeout", "50ms", "--debug", "list", "--customer", resCustomer},
		streams{in: strings.NewReader(""), out: &out, err: &errOut}, resEnv(srv.URL))
	if code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitFailure, errOut.String())
	}
	if !strings.Contains(errOut.String(), "--timeout 50ms") {
		t.Errorf("stderr does not name the timeout: %s", errOut.String())
	}
	if strings.Contains(out.String()+errOut.String(), resToken) {
		t.Error("the token appears in the output")
	}
	if requests.Load() != 1 {
		t.Errorf("%d requests: a call past its deadline must not be retried", requests.Load())
	}
}

// TestCLIMaxRetries: --max-retries 0 disables retries, --max-retries 1
// allows exactly one; the error names the status and never the token.
func TestCLIMaxRetries(t *testing.T) {
	for _, tc := range []struct {
		flag  string
		tries int32
	}{{"0", 1}, {"1", 2}} {
		t.Run(tc.flag, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"code":500,"description":"Internal error"}`))
			}))
			defer srv.Close()
			synctest.Test(t, func(t *testing.T) {
				hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				var out, errOut bytes.Buffer
				code := runWith(hc, []string{"--max-retries", tc.flag, "list", "--customer", resCustomer},
					streams{in: strings.NewReader(""), out: &out, err: &errOut}, resEnv(srv.URL))
				if code != exitFailure || !strings.Contains(errOut.String(), "500") {
					t.Fatalf("exit %d, stderr: %s", code, errOut.String())
				}
				if strings.Contains(errOut.String(), resToken) {
					t.Error("the token appears in the error")
				}
			})
			if got := requests.Load(); got != tc.tries {
				t.Errorf("%d requests, want %d", got, tc.tries)
			}
		})
	}
}

// TestCLIWaitsPastTryTimeout: --try-timeout bounds one try, not the wait
// between tries. A Retry-After longer than it is waited for within
// --timeout; one that --timeout cannot wait for fails at once, naming
// --timeout.
func TestCLIWaitsPastTryTimeout(t *testing.T) {
	for _, tc := range []struct {
		timeout  string
		code     int
		requests int32
	}{
		{timeout: "5m", code: exitOK, requests: 2},
		{timeout: "3s", code: exitFailure, requests: 1},
	} {
		t.Run(tc.timeout, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if requests.Add(1) == 1 {
					w.Header().Set("Retry-After", "5")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = w.Write([]byte(`{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds."}`))
					return
				}
				_, _ = w.Write([]byte(resPage))
			}))
			defer srv.Close()
			synctest.Test(t, func(t *testing.T) {
				hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				var out, errOut bytes.Buffer
				code := runWith(hc, []string{"--timeout", tc.timeout, "--try-timeout", "2s", "list", "--customer", resCustomer},
					streams{in: strings.NewReader(""), out: &out, err: &errOut}, resEnv(srv.URL))
				if code != tc.code {
					t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errOut.String())
				}
				if tc.code == exitOK {
					if !strings.Contains(out.String(), "Test batch") {
						t.Errorf("stdout lacks the batch: %s", out.String())
					}
					return
				}
				msg := errOut.String()
				if !strings.Contains(msg, "--timeout "+tc.timeout+" leaves too little time") || strings.Contains(msg, "--try-timeout") || !strings.Contains(msg, "retry after 5s") {
					t.Errorf("stderr should name --timeout %s and the Retry-After, not --try-timeout: %s", tc.timeout, msg)
				}
			})
			if got := requests.Load(); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
		})
	}
}
