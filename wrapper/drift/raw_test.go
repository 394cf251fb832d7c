package drift_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper"
	"github.com/partnercenter-go/devicebatches/wrapper/drift"
)

// TestJSONFormsPrintDriftedItems: an item that drifted from the document
// (a property of another type, a required one missing) is yielded as sent
// by the …JSON forms, which faithful output (-o json) is made of, and the
// deviation is still reported; the typed forms stop with one line naming
// the item and the property.
func TestJSONFormsPrintDriftedItems(t *testing.T) {
	tests := []struct {
		drift    sandbox.Drift
		kind     string // the deviation reported
		path     string
		property string // the typed forms' *PropertyError, if any
	}{
		{sandbox.DriftWrongType, drift.KindType, "/items/0/devicesCount", "devicesCount"},
		{sandbox.DriftMissingRequired, drift.KindRequired, "/items/0/id", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.drift), func(t *testing.T) {
			c, rec := sandboxClient(t, sandbox.Options{Drift: []sandbox.Drift{tt.drift}})
			ctx := context.Background()
			var items []string
			for raw, err := range c.ListDeviceBatchesJSON(ctx, customer) {
				if err != nil {
					t.Fatalf("ListDeviceBatchesJSON after %d items: %v", len(items), err)
				}
				items = append(items, string(raw))
			}
			if len(items) == 0 {
				t.Fatal("no batches")
			}
			devs := rec.all()
			if len(devs) == 0 || devs[0].Kind != tt.kind || devs[0].Path != tt.path {
				t.Errorf("deviations %v, want one at %s", devs, tt.path)
			}
			if tt.drift == sandbox.DriftWrongType && !strings.Contains(items[0], `"devicesCount":"`) {
				t.Errorf("first item %s, want devicesCount as sent, a string", items[0])
			}

			_, err := c.ListDeviceBatches(ctx, customer)
			var pe *wrapper.PropertyError
			switch {
			case err == nil:
				t.Error("ListDeviceBatches read a drifted item")
			case tt.property != "" && (!errors.As(err, &pe) || pe.Item != 0 || pe.Property != tt.property):
				t.Errorf("ListDeviceBatches: %v, want a *PropertyError for items[0].%s", err, tt.property)
			}
			if all := rec.all(); len(all) != 2*len(devs) {
				t.Errorf("deviations %v, want those of the JSON form again for the typed call", all)
			}
		})
	}
}
