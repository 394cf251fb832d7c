package wrapper

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPropertyOfAnotherType: one property the model cannot hold, in one
// item, does not stop the …JSON forms (faithful output prints the item as
// sent); the typed forms stop with one line naming the item, the property
// and its value as sent. What raw output does need (one well-formed JSON
// object within the limits) is still refused.
func TestPropertyOfAnotherType(t *testing.T) {
	t.Parallel()
	const good = `{"id":"a","devicesCount":1}`
	tests := []struct {
		name     string
		item     string
		devices  bool   // list devices instead of batches
		rawErr   string // "" when the JSON form yields every item as sent
		property string // the *PropertyError's Property and Sent, typed
		sent     string
	}{
		{name: "devicesCount a string", item: `{"id":"b","devicesCount":"5"}`, property: "devicesCount", sent: `"5"`},
		{name: "devicesCount a fraction", item: `{"id":"b","devicesCount":2.5}`, property: "devicesCount", sent: `2.5`},
		{name: "creationDate not a date", item: `{"id":"b","creationDate":"not a date"}`, property: "creationDate", sent: `"not a date"`},
		{name: "id a number", item: `{"id":7}`, property: "id", sent: `7`},
		{name: "devicesLink a bare URI", item: `{"id":"b","devicesLink":"/customers/x/deviceBatches/b/devices"}`, property: "devicesLink", sent: `"/customers/x/deviceBatches/b/devices"`},
		{name: "nested property", item: "{\"id\":\"b\",\"devicesLink\":{\n\"uri\":\"/x\",\"method\":5}}", property: "devicesLink", sent: `{"uri":"/x","method":5}`},
		{name: "device uploadedDate a number", item: `{"id":"d","uploadedDate":20170725}`, devices: true, property: "uploadedDate", sent: `20170725`},
		{name: "device policies an object", item: `{"id":"d","policies":{"a":1}}`, devices: true, property: "policies", sent: `{"a":1}`},
		// What raw output needs is still checked.
		{name: "not an object", item: `"b"`, rawErr: "want a JSON object, got a JSON string"},
		{name: "null", item: `null`, rawErr: "want a JSON object, got a JSON null"},
		{name: "malformed", item: `{"id":"b","devicesCount":tru}`, rawErr: "items[1]"},
		{name: "string past MaxStringBytes", item: `{"id":"b","devicesCount":"` + strings.Repeat("9", 2<<20) + `"}`, rawErr: "MaxStringBytes"},
		{name: "too deep", item: `{"id":"b","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, rawErr: "depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := `{"totalCount":3,"items":[` + good + `,` + tt.item + `,` + good + `]}`
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, body) }))
			defer srv.Close()
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			raw, typed := c.ListDeviceBatchesJSON(ctx, testCustomer), func() error { _, err := c.ListDeviceBatches(ctx, testCustomer); return err }
			if tt.devices {
				raw, typed = c.ListDevicesJSON(ctx, testCustomer, "b"), func() error { _, err := c.ListDevices(ctx, testCustomer, "b"); return err }
			}
			var got []string
			var rawErr error
			for item, err := range raw {
				if err != nil {
					rawErr = err
					break
				}
				got = append(got, string(item))
			}
			if tt.rawErr != "" {
				var de *DecodeError
				if !errors.As(rawErr, &de) || !strings.Contains(rawErr.Error(), tt.rawErr) {
					t.Fatalf("JSON form: %v, want a *DecodeError saying %q", rawErr, tt.rawErr)
				}
				return
			}
			if rawErr != nil || len(got) != 3 || got[1] != tt.item {
				t.Fatalf("JSON form yielded %q, %v; want the three items as sent", got, rawErr)
			}

			err = typed()
			var de *DecodeError
			var pe *PropertyError
			if !errors.As(err, &de) || !errors.As(err, &pe) {
				t.Fatalf("typed form: %T %v, want a *DecodeError wrapping a *PropertyError", err, err)
			}
			if pe.Item != 1 || pe.Property != tt.property || pe.Sent != tt.sent {
				t.Errorf("PropertyError %+v, want item 1, %s, %s", pe, tt.property, tt.sent)
			}
			want := "items[1]." + tt.property + " is " + tt.sent + " as sent, which the model cannot read ("
			if msg := err.Error(); !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q, want one line with %q", msg, want)
			}
		})
	}
}

// TestPropertyErrorBoundsAndRedacts: the value as sent is cleaned of the
// client's token (escaped too) and of anything JWT-shaped, then cut to 80
// bytes (on a character boundary): a long token cut first would show its
// first 79 bytes.
func TestPropertyErrorBoundsAndRedacts(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 100)
	const jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl"
	opaque := "Opaque" + strings.Repeat("A1b2C3d4", 20)
	escaped := strings.Replace(testToken, "-", `\u002d`, 1)
	tests := []struct{ name, token, item, want, not string }{
		{"long", testToken, `{"id":"b","devicesCount":"` + long + `"}`, `"` + strings.Repeat("é", 39) + "…", strings.Repeat("é", 41)},
		{"token", testToken, `{"id":"b","devicesCount":"` + testToken + `"}`, "REDACTED", testToken},
		{"long opaque token", opaque, `{"id":"b","devicesCount":"` + opaque + `"}`, `"REDACTED"`, opaque[:20]},
		{"JWT", "unrelated-token", `{"id":"b","devicesCount":"` + jwt + `"}`, `"REDACTED"`, jwt[:20]},
		{"escaped token", testToken, `{"id":"b","devicesCount":"` + escaped + `"}`, `"REDACTED"`, testToken[8:]},
		{"escaped token, date", testToken, `{"id":"b","creationDate":"` + escaped + `"}`, `"REDACTED"`, testToken[8:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeBody(w, 200, `{"items":[`+tt.item+`]}`)
			}))
			defer srv.Close()
			c, err := NewClient(StaticToken(tt.token), &ClientOptions{BaseURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListDeviceBatches(context.Background(), testCustomer)
			var pe *PropertyError
			if !errors.As(err, &pe) {
				t.Fatalf("%T %v, want a *PropertyError", err, err)
			}
			if !strings.Contains(pe.Sent, tt.want) || strings.Contains(pe.Sent, tt.not) || strings.Contains(err.Error(), tt.not) {
				t.Errorf("Sent %q, message %q: want %q and not %q", pe.Sent, err, tt.want, tt.not)
			}
		})
	}
}
