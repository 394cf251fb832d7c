package wrapper

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/guid"
)

func FuzzCheckCustomerID(f *testing.F) {
	for _, s := range []string{testCustomer, "", "47021739342640bf960161b4b6d7c793", "{47021739-3426-40bf-9601-61b4b6d7c793}",
		"urn:uuid:47021739-3426-40bf-9601-61b4b6d7c793", "47021739-3426-40bf-9601-61b4b6d7c79g", "ABCDEF01-3426-40BF-9601-61B4B6D7C793"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckCustomerID(s)
		if (err == nil) != guid.Valid(s) {
			t.Fatalf("CheckCustomerID(%q) = %v, guid.Valid = %v", s, err, guid.Valid(s))
		}
		if err != nil {
			var ia *InvalidArgumentError
			if !errorsAs(err, &ia) {
				t.Fatalf("error %T is not *InvalidArgumentError", err)
			}
		}
	})
}

func errorsAs(err error, target **InvalidArgumentError) bool {
	ia, ok := err.(*InvalidArgumentError)
	*target = ia
	return ok
}

func FuzzDecodeCollection(f *testing.F) {
	f.Add([]byte(batchPage([]string{"a", "Test batch"}, `,"continuationToken":"t","links":{"next":{"uri":"/customers/x/deviceBatches","headers":[{"key":"MS-ContinuationToken","value":"t"}]}}`)))
	f.Add([]byte(batchPage([]string{"a"}, "")))
	f.Add([]byte(`{"items":null}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"items":[{}]}`))
	f.Add([]byte(`{"ITEMS":[{"id":"a"}]}`))
	f.Add([]byte(`{"items":[{"id":"a"}]} x`))
	f.Add([]byte(`{"totalCount":99999999999,"items":[]}`))
	f.Add([]byte(`{"items":[{"id":"a"`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got []DeviceBatch
		_, err := decodeCollection(strings.NewReader(string(b)), defaultLimits(), false, validDeviceBatch, func(it *DeviceBatch, _ []byte) error {
			got = append(got, *it)
			return nil
		})
		// encoding/json is the reference: the same body must give the same
		// items, and the contract's required properties must be there.
		var want struct {
			Items *[]map[string]json.RawMessage
		}
		var ref generated.DeviceBatchCollection
		if json.Unmarshal(b, &want) != nil || json.Unmarshal(b, &ref) != nil || !strings.HasPrefix(strings.TrimLeft(string(b), " \t\r\n"), "{") {
			// Not a collection encoding/json reads into the model (a
			// totalCount beyond int32 among them): decodeCollection, which
			// skips totalCount, need only not panic.
			return
		}
		complete := want.Items != nil
		for _, it := range ref.Items {
			complete = complete && it.Id != ""
		}
		switch {
		case complete && err != nil:
			t.Fatalf("json.Unmarshal reads %q but decodeCollection fails: %v", b, err)
		case !complete && err == nil:
			t.Fatalf("decodeCollection accepts %q, which lacks items or an id", b)
		case err == nil && fmt.Sprint(got) != fmt.Sprint(ref.Items):
			t.Fatalf("decodeCollection read %v, json.Unmarshal %v", got, ref.Items)
		}
	})
}

func FuzzResolveLink(f *testing.F) {
	for _, s := range []string{"/customers/c/deviceBatches/Test batch/devices", "/v1//v1/customers/c/deviceBatches", "v1/customers?seekOperation=Next",
		"https://evil.example/v1/customers", "//evil.example/x", "/customers/%2e%2e/%2e%2e/x", "/customers/../../x",
		"http://127.0.0.1:1/v1/customers/c", "https://user@127.0.0.1:1/v1/x", "/a%2Fb", "/a?b=%zz", "\\\\evil\\x", "/"} {
		f.Add(s)
	}
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		u, err := c.resolveLink(Link{Uri: uri})
		if err != nil {
			return
		}
		if u.Scheme != "http" || u.Host != "127.0.0.1:1" || u.User != nil {
			t.Fatalf("resolveLink(%q) = %s: another origin", uri, u)
		}
		// What goes on the wire, parsed back as the server would.
		back, err := http.NewRequest(http.MethodGet, u.String(), nil)
		if err != nil {
			t.Fatalf("resolveLink(%q) = %s, which does not parse: %v", uri, u, err)
		}
		if back.URL.Host != "127.0.0.1:1" || !strings.HasPrefix(back.URL.EscapedPath(), "/v1/") {
			t.Fatalf("resolveLink(%q) = %s: not under /v1/ on the service", uri, u)
		}
		for _, seg := range strings.Split(back.URL.Path, "/") {
			if seg == ".." || seg == "." {
				t.Fatalf("resolveLink(%q) = %s: dot segment", uri, u)
			}
		}
	})
}
