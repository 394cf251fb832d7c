package wrapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

const exampleCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

// exampleServer starts the stand-in every example calls; the tests swap in
// one whose answers hold nothing but ids, to prove the examples' code is
// safe when the service leaves optional properties out.
var exampleServer = fakePartnerCenter

// fakePartnerCenter stands in for the service so the examples run: the
// documented batch, and devicesCount devices paged 2 at a time the way
// the service pages them (by 100) with links.next and continuationToken.
func fakePartnerCenter(devicesCount int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if !strings.HasSuffix(r.URL.Path, "/devices") {
			fmt.Fprint(w, `{"totalCount": 1, "items": [{"id": "Test batch", "status": "finished",
				"creationDate": "2017-07-25T01:51:00", "devicesCount": `+strconv.Itoa(devicesCount)+`,
				"devicesLink": {"uri": "/customers/`+exampleCustomer+`/deviceBatches/Test batch/devices", "method": "GET", "headers": []},
				"attributes": {"objectType": "DeviceBatch"}}], "attributes": {"objectType": "Collection"}}`)
			return
		}
		start, _ := strconv.Atoi(r.Header.Get("MS-ContinuationToken"))
		end := min(start+2, devicesCount)
		var items []map[string]string
		for i := start; i < end; i++ {
			items = append(items, map[string]string{"id": fmt.Sprintf("device-%d", i), "serialNumber": fmt.Sprintf("SN-%d", i),
				"uploadedDate": "2017-08-09T14:43:26.0092288-07:00"})
		}
		page := map[string]any{"totalCount": len(items), "items": items}
		if end < devicesCount {
			page["continuationToken"] = strconv.Itoa(end)
			page["links"] = map[string]any{"next": map[string]any{
				"uri": "/customers/" + exampleCustomer + "/deviceBatches/Test batch/devices", "method": "GET",
				"headers": []map[string]string{{"key": "MS-ContinuationToken", "value": strconv.Itoa(end)}},
			}}
		}
		_ = json.NewEncoder(w).Encode(page)
	}))
}

func exampleClient(baseURL string) *wrapper.Client {
	// Real code passes an azidentity credential and no BaseURL.
	c, err := wrapper.NewClient(wrapper.StaticToken("example-token"), &wrapper.ClientOptions{BaseURL: baseURL})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func ExampleClient_ListDeviceBatches() {
	srv := exampleServer(5)
	defer srv.Close()
	client := exampleClient(srv.URL)

	batches, err := client.ListDeviceBatches(context.Background(), exampleCustomer)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range batches {
		fmt.Println(b.Id, b.Status, b.CreationDate.Raw, b.DevicesCount)
	}
	// Output: Test batch finished 2017-07-25T01:51:00 5
}

func ExampleClient_ListDeviceBatchesIter() {
	srv := exampleServer(5)
	defer srv.Close()
	client := exampleClient(srv.URL)

	for b, err := range client.ListDeviceBatchesIter(context.Background(), exampleCustomer) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.Id, b.CreationDate.Time)
	}
	// Output: Test batch 2017-07-25 01:51:00 +0000 UTC
}

func ExampleClient_ListDevices() {
	srv := exampleServer(5) // three pages
	defer srv.Close()
	client := exampleClient(srv.URL)

	devices, err := client.ListDevices(context.Background(), exampleCustomer, "Test batch")
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range devices {
		fmt.Println(d.Id, d.SerialNumber, d.UploadedDate.Raw)
	}
	// Output:
	// device-0 SN-0 2017-08-09T14:43:26.0092288-07:00
	// device-1 SN-1 2017-08-09T14:43:26.0092288-07:00
	// device-2 SN-2 2017-08-09T14:43:26.0092288-07:00
	// device-3 SN-3 2017-08-09T14:43:26.0092288-07:00
	// device-4 SN-4 2017-08-09T14:43:26.0092288-07:00
}

func ExampleClient_FollowDevicesLink() {
	srv := exampleServer(3)
	defer srv.Close()
	client := exampleClient(srv.URL)
	ctx := context.Background()

	batches, err := client.ListDeviceBatches(ctx, exampleCustomer)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range batches {
		devices, err := client.FollowDevicesLink(ctx, b)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d devices\n", b.Id, len(devices))
	}
	// Output: Test batch: 3 devices
}

// Example_errors is the README's library snippet: list, tell the failure
// kinds apart with errors.As, print what the service sent.
func Example_errors() {
	srv := exampleServer(5)
	defer srv.Close()
	client := exampleClient(srv.URL)
	ctx := context.Background()

	batches, err := client.ListDeviceBatches(ctx, exampleCustomer)
	var re *wrapper.ResponseError
	switch {
	case errors.As(err, &re):
		// HTTP status, Partner Center code and description, MS-RequestId,
		// MS-CorrelationId, Retry-After.
		fmt.Println(re.StatusCode, re.Code, re.Description, re.CorrelationID)
	case err != nil:
		// *wrapper.InvalidArgumentError (checked before any request),
		// *wrapper.DecodeError, *wrapper.AuthenticationError, network errors.
		fmt.Println(err)
	}
	for _, b := range batches {
		fmt.Println(b.Id, b.Status, b.CreationDate.Raw, b.DevicesCount)
	}
	// Output: Test batch finished 2017-07-25T01:51:00 5
}
