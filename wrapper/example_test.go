package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

const exampleCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

// exampleServer starts the built-in sandbox (internal/sandbox, the same
// OpenAPI-driven stand-in as `devicebatches --sandbox`) for every example,
// so each runs against Partner Center's contract. The tests swap in one
// whose answers hold nothing but ids, to prove the examples' code is safe
// when the service leaves optional properties out.
var exampleServer = sandboxServer

func sandboxServer() *httptest.Server {
	sb, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	return httptest.NewServer(sb)
}

func exampleClient(baseURL string) *wrapper.Client {
	// Real code passes an azidentity credential and no BaseURL (see the
	// NewClient examples); the sandbox accepts any token.
	c, err := wrapper.NewClient(wrapper.StaticToken("example-token"), &wrapper.ClientOptions{BaseURL: baseURL})
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// App-only sign-in for unattended jobs: an app registered in the partner
// tenant, with a client secret. Building the credential and the client does
// no I/O; the first call gets the token.
func ExampleNewClient_clientSecret() {
	cred, err := azidentity.NewClientSecretCredential(
		"00000000-0000-0000-0000-000000000001", // the partner tenant
		"00000000-0000-0000-0000-000000000002", // the app (client) id
		"the secret's value", nil)
	if err != nil {
		log.Fatal(err)
	}
	client, err := wrapper.NewClient(cred, nil) // nil options: safe defaults
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://api.partnercenter.microsoft.com
}

// App+User sign-in (needed to create device batches), with multi-factor
// authentication on a machine without a browser: the sign-in instructions
// are printed when the first call needs a token.
func ExampleNewClient_deviceCode() {
	cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		TenantID: "00000000-0000-0000-0000-000000000001",
		ClientID: "00000000-0000-0000-0000-000000000002",
	})
	if err != nil {
		log.Fatal(err)
	}
	client, err := wrapper.NewClient(cred, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://api.partnercenter.microsoft.com
}

// App+User through `az login --tenant <partner tenant>`, and Partner Center
// operated by 21Vianet.
func ExampleNewClient_azureCLI() {
	cred, err := azidentity.NewAzureCLICredential(nil)
	if err != nil {
		log.Fatal(err)
	}
	client, err := wrapper.NewClient(cred, &wrapper.ClientOptions{BaseURL: wrapper.ChinaBaseURL})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://partner.partnercenterapi.microsoftonline.cn
}

// A token you already hold (it cannot be refreshed).
func ExampleStaticToken() {
	client, err := wrapper.NewClient(wrapper.StaticToken("eyJ0eXAiOi..."), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client) // never shows the token
	// Output: wrapper.Client{BaseURL: https://api.partnercenter.microsoft.com}
}

func ExampleClient_ListDeviceBatches() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	batches, err := client.ListDeviceBatches(context.Background(), exampleCustomer)
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range batches {
		fmt.Println(b.Id, b.Status, b.CreationDate.Raw, b.DevicesCount)
	}
	// Output:
	// Test batch finished 2017-07-25T01:51:00 5
	// Autopilot wave 2 finished 2024-03-11T09:15:42.1234567Z 250
}

// The iterator yields batches as they are decoded and asks for further
// pages only as the loop goes on.
func ExampleClient_ListDeviceBatchesIter() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	for b, err := range client.ListDeviceBatchesIter(context.Background(), exampleCustomer) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.Id, b.CreationDate.Time)
	}
	// Output:
	// Test batch 2017-07-25 01:51:00 +0000 UTC
	// Autopilot wave 2 2024-03-11 09:15:42.1234567 +0000 UTC
}

// Every page is followed: the service sends devices 100 at a time.
func ExampleClient_ListDevicesIter() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	n := 0
	for d, err := range client.ListDevicesIter(context.Background(), exampleCustomer, "Autopilot wave 2") {
		if err != nil {
			log.Fatal(err)
		}
		if n++; n == 1 {
			fmt.Println("first:", d.SerialNumber, d.ModelName)
		}
	}
	fmt.Println("devices:", n)
	// Output:
	// first: SBX-00001 Surface Laptop 5
	// devices: 250
}

func ExampleClient_ListDevices() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	devices, err := client.ListDevices(context.Background(), exampleCustomer, "Test batch")
	if err != nil {
		log.Fatal(err)
	}
	for i, d := range devices {
		if i == 2 {
			break
		}
		fmt.Println(d.Id, d.SerialNumber, d.UploadedDate.Raw)
	}
	// Output:
	// 7c141ea9-2816-4e15-a819-53f6856499ff 2R9-ZNP67 2017-08-09T14:43:26.0092288-07:00
	// e528a62f-5031-49f4-bea7-5fafe47388fd 1234567890 2017-08-09T14:35:51.3126144-07:00
}

func ExampleClient_FollowDevicesLink() {
	srv := exampleServer()
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
	// Output:
	// Test batch: 5 devices
	// Autopilot wave 2: 250 devices
}

// Many customers at once: every customer is yielded exactly once, failed or
// not, and one customer's failure never loses the others.
func ExampleClient_ListDeviceBatchesForCustomers() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)

	customers := []string{
		"47021739-3426-40bf-9601-61b4b6d7c793",
		"0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35",
		"8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468",
		"00000000-0000-0000-0000-000000000001", // not a customer of this partner
	}
	lines := []string{}
	for r := range client.ListDeviceBatchesForCustomers(context.Background(), customers, &wrapper.FanOutOptions{Concurrency: 4}) {
		var re *wrapper.ResponseError
		switch {
		case errors.As(r.Err, &re):
			lines = append(lines, fmt.Sprintf("%d %s: HTTP %d, Partner Center error %s", r.Index, r.CustomerID, re.StatusCode, re.Code))
		case r.Err != nil:
			lines = append(lines, fmt.Sprintf("%d %s: %v", r.Index, r.CustomerID, r.Err))
		default:
			lines = append(lines, fmt.Sprintf("%d %s: %d batches", r.Index, r.CustomerID, len(r.Batches)))
		}
	}
	slices.Sort(lines) // results arrive in completion order
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// 0 47021739-3426-40bf-9601-61b4b6d7c793: 2 batches
	// 1 0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35: 2 batches
	// 2 8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468: 0 batches
	// 3 00000000-0000-0000-0000-000000000001: HTTP 404, Partner Center error 600
}

// Every customer of the partner, fetched while the customer listing is
// still paging (the README's fan-out snippet): the listing's error is kept
// and reported after the loop, so that a partial set of customers does not
// look complete.
func ExampleClient_ListDeviceBatchesForCustomerSeq() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)
	ctx := context.Background()

	lim, _ := wrapper.NewRateLimiter(nil) // learn the rate; share it with the listing
	ctx = wrapper.WithRateLimiter(ctx, lim)
	var listErr error // set if the customer listing fails part way
	ids := func(yield func(string) bool) {
		for c, err := range client.ListCustomersIter(ctx, nil) {
			if err != nil {
				listErr = err
				return
			}
			if !yield(c.Id.String()) {
				return
			}
		}
	}
	lines := []string{}
	for r := range client.ListDeviceBatchesForCustomerSeq(ctx, ids, &wrapper.FanOutOptions{RateLimiter: lim}) {
		var pause *wrapper.ThrottlePauseError
		switch {
		case errors.As(r.Err, &pause):
			lines = append(lines, fmt.Sprintf("%d %s: not fetched, the service asked for a %s pause", r.Index, r.CustomerID, pause.RetryAfter))
		case r.Err != nil:
			lines = append(lines, fmt.Sprintf("%d %s: %v", r.Index, r.CustomerID, r.Err))
		default:
			lines = append(lines, fmt.Sprintf("%d %s: %d batches", r.Index, r.CustomerID, len(r.Batches)))
		}
	}
	slices.Sort(lines) // results arrive in completion order
	for _, l := range lines {
		fmt.Println(l)
	}
	// The loop returns after the listing has, so listErr is set by now.
	if listErr != nil {
		fmt.Println("listing customers stopped early:", listErr)
	}
	// Output:
	// 0 47021739-3426-40bf-9601-61b4b6d7c793: 2 batches
	// 1 0f3c5a91-7d2e-4b8a-9c61-2e4f8b0d7a35: 2 batches
	// 2 8d1e6b2c-4f7a-4e39-a5d0-c9b3f2e1a468: 0 batches
}

// Example_errors is the README's library snippet: list, tell the failure
// kinds apart with errors.As, print what the service sent.
func Example_errors() {
	srv := exampleServer()
	defer srv.Close()
	client := exampleClient(srv.URL)
	ctx := context.Background()

	for _, customer := range []string{exampleCustomer, "00000000-0000-0000-0000-000000000001", "contoso"} {
		batches, err := client.ListDeviceBatches(ctx, customer)
		var re *wrapper.ResponseError
		var ia *wrapper.InvalidArgumentError
		switch {
		case errors.As(err, &re):
			// HTTP status, Partner Center code and description, MS-RequestId,
			// MS-CorrelationId, Retry-After.
			fmt.Println(re.StatusCode, re.Code, re.Description)
		case errors.As(err, &ia):
			// Refused before any request.
			fmt.Println(ia.Argument, "is invalid")
		case err != nil:
			// *wrapper.DecodeError, *wrapper.NetworkError,
			// *wrapper.AuthenticationError, ...
			fmt.Println(err)
		}
		for _, b := range batches {
			fmt.Println(b.Id, b.Status, b.CreationDate.Raw, b.DevicesCount)
		}
	}
	// Output:
	// Test batch finished 2017-07-25T01:51:00 5
	// Autopilot wave 2 finished 2024-03-11T09:15:42.1234567Z 250
	// 404 600 The customer was not found.
	// customer id is invalid
}
