package wrapper

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/fixtures"
)

func TestProbeCustomers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		n      int
		code   int // want a *ResponseError with this status; 0 for success
	}{
		{"one customer", 200, `{"totalCount":1,"items":[{"id":"47021739-3426-40bf-9601-61b4b6d7c793"}],"links":{"next":{"uri":"/v1/customers?size=1&seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"x"}]}}}`, 1, 0},
		{"documented example", 200, string(fixtures.Customers), -1, 0},
		{"no customers", 200, `{"totalCount":0,"items":[]}`, 0, 0},
		{"forbidden", 403, `{"code":"2000","description":"The user does not have the Admin agent role.","source":"PartnerFD"}`, 0, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if r.URL.Path != "/v1/customers" || r.URL.Query().Get("size") != "1" || r.Method != http.MethodGet {
					t.Errorf("request %s %s", r.Method, r.URL)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			o := &ClientOptions{BaseURL: srv.URL}
			o.Retry.MaxRetries = -1
			c, err := NewClient(StaticToken("t"), o)
			if err != nil {
				t.Fatal(err)
			}
			n, err := c.ProbeCustomers(context.Background())
			var re *ResponseError
			switch {
			case tt.code != 0 && (!errors.As(err, &re) || re.StatusCode != tt.code || re.Code != "2000"):
				t.Errorf("err = %v, want a %d ResponseError with code 2000", err, tt.code)
			case tt.code == 0 && err != nil:
				t.Errorf("err = %v", err)
			case tt.n >= 0 && n != tt.n:
				t.Errorf("n = %d, want %d", n, tt.n)
			}
			if calls != 1 {
				t.Errorf("%d requests: the probe follows no link", calls)
			}
		})
	}
}
