package wrapper

import (
	"strings"
	"testing"
)

func TestDecodePage(t *testing.T) {
	cases := []struct {
		name, body string
		items      int
		token      string
		next       string
		wantErr    bool
	}{
		{"page", batchPage([]string{"a", "b"}, `,"continuationToken":"t"`), 2, "t", "", false},
		{"BOM", "\uFEFF" + batchPage([]string{"a"}, ""), 1, "", "", false},
		{"next link", batchPage(nil, nextLink("/customers/x/deviceBatches", "")), 0, "", "/customers/x/deviceBatches", false},
		{"items null", `{"items":null}`, 0, "", "", false},
		{"repeated items replace", `{"items":[{"id":"a"}],"Items":[]}`, 0, "", "", false},
		{"unknown large property skipped", `{"x":{"y":[1,2,{"z":null}]},"items":[{"id":"a"}]}`, 1, "", "", false},
		{"truncated", `{"items":[{"id":"a"}`, 0, "", "", true},
		{"empty", ``, 0, "", "", true},
		{"trailing data", `{"items":[]} {}`, 0, "", "", true},
		{"not an object", `[]`, 0, "", "", true},
		{"html", `<html></html>`, 0, "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := decodePage[DeviceBatch](strings.NewReader(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			next := ""
			if p.next != nil {
				next = p.next.Uri
			}
			if len(p.items) != tc.items || p.token != tc.token || next != tc.next {
				t.Errorf("got %d items, token %q, next %q", len(p.items), p.token, next)
			}
		})
	}
}
