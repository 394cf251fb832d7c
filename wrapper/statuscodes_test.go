package wrapper

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// TestRetryStatusCodesHonoured: a caller's Retry.StatusCodes replaces the
// statuses a GET or DELETE is retried on, as azcore documents (empty: none);
// a POST is still retried only on 429 and 503 among them, since any other
// failed answer may mean it was carried out. A 429 is retried whatever the
// list says: it was never carried out. The same holds for options
// given per call (policy.WithRetryOptions), which azcore takes whole.
func TestRetryStatusCodesHonoured(t *testing.T) {
	t.Parallel()
	const retries = 2
	list := func(ctx context.Context, c *Client) error {
		_, err := c.ListDeviceBatches(ctx, testCustomer)
		return err
	}
	post := func(ctx context.Context, c *Client) error {
		_, err := c.AddDevices(ctx, testCustomer, "b", []DeviceUpload{{ProductKey: "k"}})
		return err
	}
	for _, tc := range []struct {
		name    string
		codes   []int
		status  int
		call    func(context.Context, *Client) error
		tries   int32
		perCall bool // the options go in the call's context, not the client's
	}{
		{"GET, default list, 500", nil, 500, list, 1 + retries, false},
		{"GET, empty list: no status retried", []int{}, 500, list, 1, false},
		{"GET, empty list: 429 still retried", []int{}, 429, list, 1 + retries, false},
		{"GET, only 404: 500 not retried", []int{404}, 500, list, 1, false},
		{"GET, only 404: 404 retried", []int{404}, 404, list, 1 + retries, false},
		{"GET, only 500: 503 not retried", []int{500}, 503, list, 1, false},
		{"POST, default list, 500", nil, 500, post, 1, false},
		{"POST, 500 listed: still never resent", []int{500}, 500, post, 1, false},
		{"POST, 429 listed", []int{500, 429}, 429, post, 1 + retries, false},
		{"POST, 429 not listed: still retried", []int{500}, 429, post, 1 + retries, false},
		{"per call, POST, default list, 500", nil, 500, post, 1, true},
		{"per call, POST, 500 listed", []int{500}, 500, post, 1, true},
		{"per call, POST, 503", nil, 503, post, 1 + retries, true},
		{"per call, GET, default list, 500", nil, 500, list, 1 + retries, true},
		{"per call, GET, only 404: 500 not retried", []int{404}, 500, list, 1, true},
		{"per call, GET, only 404: 429 retried", []int{404}, 429, list, 1 + retries, true},
		{"per call, GET, 200 listed: a success is never resent", []int{200}, 200, list, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, _ *http.Request, _ int) {
				hits.Add(1)
				writeBody(w, tc.status, `{"code":600,"description":"failed"}`)
			})
			// RetryDelay: 1 ns, as a negative one makes azcore wait MaxRetryDelay.
			retry := policy.RetryOptions{MaxRetries: retries, RetryDelay: time.Nanosecond, StatusCodes: tc.codes}
			ctx, opts := context.Background(), azcore.ClientOptions{Retry: retry}
			if tc.perCall {
				ctx, opts = policy.WithRetryOptions(ctx, retry), azcore.ClientOptions{}
			}
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, ClientOptions: opts})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.call(ctx, c); err == nil {
				t.Fatal("the call succeeded")
			}
			if n := hits.Load(); n != tc.tries {
				t.Errorf("the server saw %d tries, want %d", n, tc.tries)
			}
		})
	}
}

// TestInvalidArgumentFromAPolicyIsNotRetried: a pipeline policy that
// refuses a call with an *InvalidArgumentError (wrapper/drift's zero
// Policy) is not asked again, even by a ShouldRetry that retries all.
func TestInvalidArgumentFromAPolicyIsNotRetried(t *testing.T) {
	t.Parallel()
	var tries atomic.Int32
	refuse := policyFunc(func(*policy.Request) (*http.Response, error) {
		tries.Add(1)
		return nil, &InvalidArgumentError{Argument: "test policy", Problem: "refuses every call"}
	})
	opts := &ClientOptions{BaseURL: "http://127.0.0.1:1"}
	opts.Retry = policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Nanosecond, ShouldRetry: func(*http.Response, error) bool { return true }}
	opts.PerRetryPolicies = []policy.Policy{refuse}
	c, err := NewClient(StaticToken(testToken), opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListDeviceBatches(context.Background(), testCustomer)
	var ie *InvalidArgumentError
	if !errors.As(err, &ie) || tries.Load() != 1 {
		t.Errorf("err %v after %d tries, want the *InvalidArgumentError after 1", err, tries.Load())
	}
}

// policyFunc is a pipeline policy made of a function.
type policyFunc func(*policy.Request) (*http.Response, error)

func (f policyFunc) Do(req *policy.Request) (*http.Response, error) { return f(req) }
