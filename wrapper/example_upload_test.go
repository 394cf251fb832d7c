package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper"
	"github.com/partnercenter-go/devicebatches/wrapper/autopilot"
)

// Upload an Autopilot CSV file into a new batch and wait for the outcome of
// every device. The sandbox stands in for Partner Center; against the real
// service, use a credential that signs a user in (App+User), such as
// azidentity.NewDeviceCodeCredential: creating a batch refuses app-only
// tokens.
func ExampleClient_CreateDeviceBatch() {
	sb, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	client, err := wrapper.NewClient(wrapper.StaticToken("sandbox"), &wrapper.ClientOptions{BaseURL: srv.URL})
	if err != nil {
		log.Fatal(err)
	}

	file, err := autopilot.ReadFile("autopilot/testdata/sample-devices.csv", nil)
	if err != nil {
		log.Fatal(err) // a *autopilot.ValidationError lists every bad row
	}
	ctx := context.Background()
	trackingID, err := client.CreateDeviceBatch(ctx, exampleCustomer, "Contoso laptops", wrapper.DeviceUploadsFromAutopilot(file.Devices))
	if err != nil {
		log.Fatal(err)
	}
	status, err := client.WaitForBatchUpload(ctx, exampleCustomer, trackingID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("upload", status.Status)
	for _, d := range wrapper.UploadDevices(status) {
		serial, _ := d.SerialNumber.Get()
		fmt.Println(serial, d.Status, wrapper.DeviceRegistered(d))
	}
	// Output:
	// upload finished
	// PF3ZK1A0 success true
	// PF3ZK1B7 success true
	// 5CG2341XQ9 success true
	// CNU9Q2LM4T success true
	// 0F00A2B3C4D5E6 success true
}
