package wrapper_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestMalformedTokenNeverSent: a token with a control character, a space
// or a character that is not ASCII fails the call with an
// *AuthenticationError that does not show it, and nothing is sent.
func TestMalformedTokenNeverSent(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	defer srv.Close()
	for _, tok := range []string{"", "abc\x01defghij", "abc defghij", "abc\tdefghij", "abc\u200bdefghij", "abc\x7fdefghij"} {
		c, err := wrapper.NewClient(wrapper.StaticToken(tok), &wrapper.ClientOptions{BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListDeviceBatches(context.Background(), "47021739-3426-40bf-9601-61b4b6d7c793")
		var ae *wrapper.AuthenticationError
		if !errors.As(err, &ae) || (tok != "" && strings.Contains(err.Error(), tok)) {
			t.Errorf("token %q: err = %v (%T), want an *AuthenticationError not showing it", tok, err, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent with a malformed token", n)
	}
}
