package wrapper

import (
	"context"
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
// failed answer may mean it was carried out.
func TestRetryStatusCodesHonoured(t *testing.T) {
	t.Parallel()
	const retries = 2
	list := func(c *Client) error { _, err := c.ListDeviceBatches(context.Background(), testCustomer); return err }
	post := func(c *Client) error {
		_, err := c.AddDevices(context.Background(), testCustomer, "b", []DeviceUpload{{ProductKey: "k"}})
		return err
	}
	for _, tc := range []struct {
		name   string
		codes  []int
		status int
		call   func(*Client) error
		tries  int32
	}{
		{"GET, default list, 500", nil, 500, list, 1 + retries},
		{"GET, empty list: no status retried", []int{}, 500, list, 1},
		{"GET, empty list, 429", []int{}, 429, list, 1},
		{"GET, only 404: 500 not retried", []int{404}, 500, list, 1},
		{"GET, only 404: 404 retried", []int{404}, 404, list, 1 + retries},
		{"GET, only 500: 503 not retried", []int{500}, 503, list, 1},
		{"POST, default list, 500", nil, 500, post, 1},
		{"POST, 500 listed: still never resent", []int{500}, 500, post, 1},
		{"POST, 429 listed", []int{500, 429}, 429, post, 1 + retries},
		{"POST, 429 not listed", []int{500}, 429, post, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			srv := newLoopbackServer(t, &recorder{}, func(w http.ResponseWriter, _ *http.Request, _ int) {
				hits.Add(1)
				writeBody(w, tc.status, `{"code":600,"description":"failed"}`)
			})
			// RetryDelay: 1 ns, as a negative one makes azcore wait MaxRetryDelay.
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, ClientOptions: azcore.ClientOptions{
				Retry: policy.RetryOptions{MaxRetries: retries, RetryDelay: time.Nanosecond, StatusCodes: tc.codes},
			}})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.call(c); err == nil {
				t.Fatal("the call succeeded")
			}
			if n := hits.Load(); n != tc.tries {
				t.Errorf("the server saw %d tries, want %d", n, tc.tries)
			}
		})
	}
}
