package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
)

// TestOddBatchIDsPageByteForByte: batch ids with %, %XX, spaces and / are
// listed page by page, by id and through devicesLink (which the sandbox
// writes unescaped, like the service), and every device comes back once.
func TestOddBatchIDsPageByteForByte(t *testing.T) {
	// The sandbox refuses "/" in a batch id; wrapper tests cover "a/b".
	ids := []string{"100%25 done", "100%25done", "50% off", "Test%2Fbatch", "%", "x y %2e%2e", "%41"}
	var batches []map[string]any
	for _, id := range ids {
		batches = append(batches, map[string]any{"id": id, "status": "finished", "creationDate": "2017-07-25T01:51:00", "generateDevices": 250})
	}
	file, _ := json.Marshal(map[string]any{"customers": []any{map[string]any{"id": docCustomer, "batches": batches}}})
	data, err := sandbox.ParseData("odd.json", file)
	if err != nil {
		t.Fatal(err)
	}
	c, tr := client(t, sandbox.Options{Data: data}, 0)
	ctx := context.Background()
	listed, err := c.ListDeviceBatches(ctx, docCustomer)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]bool{}
	for _, b := range listed {
		byID[b.Id] = true
		t.Run(fmt.Sprintf("%q", b.Id), func(t *testing.T) {
			viaID, err := c.ListDevices(ctx, docCustomer, b.Id)
			if err != nil || len(viaID) != 250 {
				t.Fatalf("ListDevices: %d devices, %v", len(viaID), err)
			}
			viaLink, err := c.FollowDevicesLink(ctx, b)
			if err != nil || len(viaLink) != 250 {
				t.Fatalf("FollowDevicesLink(%q): %d devices, %v", b.DevicesLink.Uri, len(viaLink), err)
			}
			seen := map[string]bool{}
			for i := range viaID {
				if viaID[i].Id != viaLink[i].Id || seen[viaID[i].Id] {
					t.Fatalf("device %d: %q by id, %q by link (or repeated)", i, viaID[i].Id, viaLink[i].Id)
				}
				seen[viaID[i].Id] = true
			}
		})
	}
	for _, id := range ids {
		if !byID[id] {
			t.Errorf("batch %q not listed", id)
		}
	}
	for _, err := range tr.Errors() {
		t.Error(err)
	}
}
