package pcjson

import (
	"errors"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/generated"
)

// TestPropertyError: a typed item the model cannot hold is refused with
// the property named as sent (escapes undone, any case), its value
// compact; raw-only mode yields the same item as sent.
func TestPropertyError(t *testing.T) {
	tests := []struct {
		name, item, property, sent string
	}{
		{"string for int32", `{"id":"a","devicesCount":"5"}`, "devicesCount", `"5"`},
		{"escaped key, other case", `{"id":"a","DEVICES\u0043ount":true}`, "DEVICESCount", `true`},
		{"date not a date", `{"id":"a","creationDate":"not a date"}`, "creationDate", `"not a date"`},
		{"nested, spread over lines", "{\"id\":\"a\",\"devicesLink\":{\n  \"uri\": \"/x\",\n  \"headers\": {}\n}}", "devicesLink", `{"uri":"/x","headers":{}}`},
		{"the later of two", `{"id":"a","devicesCount":1,"status":2}`, "status", `2`},
		// Whole: the wrapper cleans a token out of it before shortening it.
		{"long, whole", `{"id":"a","devicesCount":"` + strings.Repeat("A1b2", 40) + `"}`, "devicesCount", `"` + strings.Repeat("A1b2", 40) + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"items":[{"id":"first"},` + tt.item + `]}`
			for _, wrap := range readers {
				_, err := Collection[generated.DeviceBatch, generated.ResourceLinks](wrap(strings.NewReader(body)), Limits{}, false,
					func(*generated.DeviceBatch) error { return nil }, func(*generated.DeviceBatch, []byte) error { return nil })
				var pe *PropertyError
				if !errors.As(err, &pe) || pe.Item != 1 || pe.Property != tt.property || pe.Sent != tt.sent {
					t.Fatalf("typed: %v (%+v), want items[1].%s sent as %s", err, pe, tt.property, tt.sent)
				}
				var raws []string
				_, err = Collection[generated.DeviceBatch, generated.ResourceLinks](wrap(strings.NewReader(body)), Limits{}, true,
					func(*generated.DeviceBatch) error { return errors.New("valid called in raw-only mode") },
					func(_ *generated.DeviceBatch, raw []byte) error { raws = append(raws, string(raw)); return nil })
				if err != nil || len(raws) != 2 || raws[1] != tt.item {
					t.Fatalf("raw-only: %q, %v; want the item as sent", raws, err)
				}
			}
		})
	}
}
