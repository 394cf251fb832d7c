package drift_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/partnercenter-go/devicebatches/wrapper"
	"github.com/partnercenter-go/devicebatches/wrapper/drift"
)

// batches100k is one listDeviceBatches page of 100,000 documented-shape
// batches (about 25 MB).
func batches100k(b *testing.B) []byte {
	items := make([]map[string]any, 100_000)
	for i := range items {
		id := fmt.Sprintf("batch %06d", i)
		items[i] = map[string]any{
			"id": id, "status": "finished", "createdBy": "admin@contoso.onmicrosoft.com",
			"creationDate": "2017-07-25T01:51:00", "devicesCount": i % 500,
			"devicesLink": map[string]any{"uri": "/customers/" + customer + "/deviceBatches/" + id + "/devices", "method": "GET", "headers": []any{}},
			"attributes":  map[string]any{"objectType": "DeviceBatch"},
		}
	}
	body, err := json.Marshal(map[string]any{"totalCount": len(items), "items": items, "attributes": map[string]any{"objectType": "Collection"}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkList100k lists 100,000 batches with contract validation off
// (no policy: the client's own path) and on (the drift policy).
func BenchmarkList100k(b *testing.B) {
	body := batches100k(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	for _, on := range []bool{false, true} {
		b.Run("validate="+strconv.FormatBool(on), func(b *testing.B) {
			o := &wrapper.ClientOptions{BaseURL: srv.URL}
			deviations := 0
			if on {
				p, err := drift.NewPolicy(func(drift.Deviation) { deviations++ })
				if err != nil {
					b.Fatal(err)
				}
				o.PerRetryPolicies = append(o.PerRetryPolicies, p)
			}
			c, err := wrapper.NewClient(wrapper.StaticToken("bench-token"), o)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				items, err := c.ListDeviceBatches(context.Background(), customer)
				if err != nil || len(items) != 100_000 {
					b.Fatal(len(items), err)
				}
			}
			if deviations != 0 {
				b.Fatalf("%d deviations in a valid listing", deviations)
			}
		})
	}
}
