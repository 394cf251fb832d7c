package drift

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCheck: any body, status and content type yields deviations on one
// line each, bounded, never a panic, never the token.
func FuzzCheck(f *testing.F) {
	const token = "s3cr3t-bearer-token-value"
	for _, s := range []string{
		`{"items":[{"id":"b","devicesCount":"1"}]}`,
		`{"items":[{"id":"b","devicesLink":"/x","sandboxDrift":{"a":[1,2,{"b":null}]}}],"links":{"next":{"uri":"/y","method":"SEEK"}}}`,
		`{"code":{"x":1}}`, `[]`, `null`, `{"items":null}`, "\xff", `{"items":[{"id":"` + token + `","devicesCount":"` + token + `"}]}`,
	} {
		f.Add(s, 200)
		f.Add(s, 429)
	}
	p, err := NewPolicy(func(Deviation) {})
	if err != nil {
		f.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/v1/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	route, params, err := p.router.FindRoute(req)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		var got []Deviation
		q := &Policy{router: p.router, opts: p.opts, schema: p.schema, report: func(d Deviation) { got = append(got, d) }}
		c := &check{p: q, route: route, params: params, req: req, status: status, header: http.Header{"Content-Type": {"application/json"}}, secret: token}
		c.run([]byte(body))
		if len(got) > MaxPerResponse+1 {
			t.Fatalf("%d deviations", len(got))
		}
		for _, d := range got {
			line := d.String()
			if strings.ContainsAny(line, "\n\r") || strings.Contains(line, token) || utf8.RuneCountInString(d.Got) > MaxValue {
				t.Fatalf("bad line %q", line)
			}
		}
	})
}
