// Package sandboxtest is test support shared by the wrapper's and the
// sandbox's tests: the sandbox on a loopback httptest server and a wrapper
// client whose every request and answer is validated against the OpenAPI
// document.
package sandboxtest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// Client starts a sandbox with o (stopped when t ends) and returns a client
// that sends token and retries at most maxRetries times (-1: never), and the
// validating transport between them.
func Client(t testing.TB, o sandbox.Options, token string, maxRetries int32) (*wrapper.Client, *contract.Transport) {
	t.Helper()
	s, err := sandbox.New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	tr := &contract.Transport{Next: srv.Client().Transport, Validator: v}
	co := &wrapper.ClientOptions{BaseURL: srv.URL}
	co.Transport = &http.Client{Transport: tr}
	co.Retry.MaxRetries = maxRetries
	// Retries (of the sandbox's faults and quirks) without the default
	// wait; a Retry-After the sandbox sends is still honoured.
	co.Retry.RetryDelay = time.Millisecond
	c, err := wrapper.NewClient(wrapper.StaticToken(token), co)
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// CheckContract fails t for every exchange tr found outside the document.
func CheckContract(t testing.TB, tr *contract.Transport) {
	t.Helper()
	for _, err := range tr.Errors() {
		t.Errorf("contract violation: %v", err)
	}
}
