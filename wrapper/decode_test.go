package wrapper

import (
	"fmt"
	"strings"
	"testing"
)

// TestDecodePageSmallAndStreamAgree decodes each body twice: as is (small
// enough for the one-Unmarshal path) and padded with a large unknown
// property past smallPage (the streaming path). Both must agree.
func TestDecodePageSmallAndStreamAgree(t *testing.T) {
	item := `{"id":"Test batch","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":5}`
	tests := []struct {
		name, body string
		wantIDs    []string
		wantNext   string
		wantToken  string
		wantErr    bool
	}{
		{name: "documented", body: documentedBody, wantIDs: []string{"Test batch"}},
		{name: "bom", body: "\xEF\xBB\xBF" + documentedBody, wantIDs: []string{"Test batch"}},
		{name: "next link and token", body: `{"totalCount":2,"items":[` + item + `,` + item + `],"links":{"next":{"uri":"/customers/x/deviceBatches","headers":[{"key":"MS-ContinuationToken","value":"t"}]}},"continuationToken":"abc"}`,
			wantIDs: []string{"Test batch", "Test batch"}, wantNext: "/customers/x/deviceBatches", wantToken: "abc"},
		{name: "items null", body: `{"items":null}`},
		{name: "no items", body: `{"attributes":{"objectType":"Collection"}}`},
		{name: "null body", body: `null`, wantErr: true},
		{name: "array body", body: `[]`, wantErr: true},
		{name: "empty body", body: ``, wantErr: true},
		{name: "trailing data", body: `{"items":[]} {}`, wantErr: true},
		{name: "truncated", body: `{"items":[` + item, wantErr: true},
		{name: "bad date", body: `{"items":[{"id":"x","creationDate":"yesterday"}]}`, wantErr: true},
		{name: "items not array", body: `{"items":{}}`, wantErr: true},
	}
	pad := `"pad":"` + strings.Repeat("x", smallPage) + `",`
	for _, tt := range tests {
		for _, path := range []string{"small", "stream"} {
			t.Run(tt.name+"/"+path, func(t *testing.T) {
				body := tt.body
				if path == "stream" {
					i := strings.IndexByte(body, '{')
					if i < 0 || strings.HasPrefix(strings.TrimPrefix(body, "\xEF\xBB\xBF"), "null") {
						body += strings.Repeat(" ", smallPage+1)
					} else if strings.HasPrefix(body[i+1:], "}") || body[0] == '[' {
						body = body[:i+1] + strings.TrimSuffix(pad, ",") + body[i+1:]
					} else {
						body = body[:i+1] + pad + body[i+1:]
					}
					if len(body) <= smallPage {
						t.Fatalf("padded body of %d bytes would not stream", len(body))
					}
				}
				p, err := decodePage[DeviceBatch](strings.NewReader(body))
				if (err != nil) != tt.wantErr {
					t.Fatalf("err = %v, want error %v", err, tt.wantErr)
				}
				if tt.wantErr {
					return
				}
				var ids []string
				for _, b := range p.items {
					ids = append(ids, b.Id)
				}
				next := ""
				if p.next != nil {
					next = p.next.Uri
				}
				if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) || next != tt.wantNext || p.token != tt.wantToken {
					t.Errorf("items %v next %q token %q; want %v %q %q", ids, next, p.token, tt.wantIDs, tt.wantNext, tt.wantToken)
				}
			})
		}
	}
}
