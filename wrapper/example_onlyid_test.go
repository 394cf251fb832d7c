package wrapper_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// onlyIDs answers every listing with items that hold an id and nothing
// else: the least a valid answer can say.
func onlyIDs() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/devices") {
			fmt.Fprint(w, `{"items": [{"id": "device-0"}]}`)
			return
		}
		fmt.Fprint(w, `{"items": [{"id": "Test batch"}]}`)
	}))
}

// TestExamplesWithOnlyIDs runs every example (the README's snippets are
// Example_errors and ExampleClient_ListDeviceBatchesForCustomerSeq) against
// answers holding only ids: reading an absent optional property must never
// panic. (A customer id that is not a GUID fails the customer listing: the
// fan-out example then reports the listing's error.) FollowDevicesLink is left out: a
// batch without a devicesLink is refused, which the example reports with
// log.Fatal by design.
func TestExamplesWithOnlyIDs(t *testing.T) {
	exampleServer = onlyIDs
	t.Cleanup(func() { exampleServer = sandboxServer })
	for name, example := range map[string]func(){
		"ListDeviceBatches":      ExampleClient_ListDeviceBatches,
		"ListDeviceBatchesIter":  ExampleClient_ListDeviceBatchesIter,
		"ListDevices":            ExampleClient_ListDevices,
		"ListDevicesIter":        ExampleClient_ListDevicesIter,
		"fan-out":                ExampleClient_ListDeviceBatchesForCustomers,
		"fan-out over customers": ExampleClient_ListDeviceBatchesForCustomerSeq,
		"errors (README)":        Example_errors,
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			example()
		})
	}
}
