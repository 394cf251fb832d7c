package sandbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/internal/sandbox/sandboxtest"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

const docCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

// client runs the sandbox on a loopback httptest server and returns a
// wrapper client whose every exchange is checked against the document.
func client(t *testing.T, o sandbox.Options, retries int) (*wrapper.Client, *contract.Transport) {
	t.Helper()
	return sandboxtest.Client(t, o, "sandbox", int32(retries))
}

func TestWrapperAgainstSandbox(t *testing.T) {
	for _, pageSize := range []int{0, 1} {
		c, tr := client(t, sandbox.Options{BatchPageSize: pageSize}, 0)
		batches, err := c.ListDeviceBatches(context.Background(), docCustomer)
		if err != nil {
			t.Fatalf("BatchPageSize %d: %v", pageSize, err)
		}
		if len(batches) != 2 || batches[0].Id != "Test batch" || batches[0].CreationDate.Raw != "2017-07-25T01:51:00" {
			t.Errorf("BatchPageSize %d: batches %+v", pageSize, batches)
		}
		sandboxtest.CheckContract(t, tr)
	}
}

func TestWrapperSeesSandboxErrors(t *testing.T) {
	tests := []struct {
		name     string
		opts     sandbox.Options
		customer string
		status   int
		code     string
	}{
		{"unknown customer", sandbox.Options{}, "00000000-0000-0000-0000-000000000001", 404, "600"},
		{"throttled", sandbox.Options{Faults: sandbox.Faults{ThrottleEvery: 1, RetryAfter: 2 * time.Second}}, docCustomer, 429, ""},
		{"failing", sandbox.Options{Faults: sandbox.Faults{ErrorRate: 1}, Seed: 1}, docCustomer, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, tr := client(t, tt.opts, -1)
			_, err := c.ListDeviceBatches(context.Background(), tt.customer)
			var re *wrapper.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *wrapper.ResponseError", err)
			}
			switch {
			case tt.status == 0:
				if re.StatusCode != 500 && re.StatusCode != 503 || re.Code != itoa(re.StatusCode) {
					t.Errorf("status %d code %q", re.StatusCode, re.Code)
				}
			case re.StatusCode != tt.status || re.Code != tt.code:
				t.Errorf("status %d code %q, want %d %q", re.StatusCode, re.Code, tt.status, tt.code)
			}
			if tt.status == 429 && (re.RetryAfter != 2*time.Second || !re.Throttled()) {
				t.Errorf("RetryAfter %v", re.RetryAfter)
			}
			if re.RequestID == "" || re.CorrelationID != c.CorrelationID() {
				t.Errorf("ids %q %q (client %q)", re.RequestID, re.CorrelationID, c.CorrelationID())
			}
			sandboxtest.CheckContract(t, tr)
		})
	}
}

func itoa(n int) string {
	return map[int]string{500: "500", 503: "503"}[n]
}
