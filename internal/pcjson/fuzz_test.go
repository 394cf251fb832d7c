package pcjson

import (
	"bytes"
	"encoding/json"
	"html"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/partnercenter-go/devicebatches/generated"
)

// errorBodyStd is ErrorBody as it was on encoding/json: the reference the
// fast path must agree with.
func errorBodyStd(body []byte) (e Error, ok bool) {
	t := bytes.TrimLeft(body, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return e, false
	}
	var b struct {
		Code        json.RawMessage `json:"code"`
		Description string          `json:"description"`
		Message     string          `json:"message"`
		Source      string          `json:"source"`
		ErrorName   string          `json:"errorName"`
		IsRetryable *bool           `json:"isRetryable"`
	}
	if json.Unmarshal(t, &b) != nil {
		return e, false
	}
	var s string
	switch {
	case len(b.Code) == 0 || string(b.Code) == "null":
	case json.Unmarshal(b.Code, &s) == nil:
		e.Code = s
	default:
		e.Code = string(b.Code)
	}
	e.Description = b.Description
	if e.Description == "" {
		e.Description = b.Message
	}
	e.Description = html.UnescapeString(e.Description)
	e.Source, e.ErrorName, e.IsRetryable = b.Source, b.ErrorName, b.IsRetryable
	return e, true
}

var errorSeeds = []string{
	`{"code":600,"description":"The specified batch doesn&#39;t exist","data":[],"source":"PartnerFD"}`,
	`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 7 seconds."}`,
	`{"code":"1001","message":"m","errorName":"InvalidInput","isRetryable":false,"parameters":{},"errorMessageExtended":"x"}`,
	`{"CODE":null,"Description":"d\u00e9","ISRETRYABLE":null}`,
	`{"code":{"a":1},"description":5}`,
	`{"code":1} trailing`,
	`<html>Bad gateway</html>`,
	` {"code": -1.5e3 , "isRetryable": true}`,
	`{"description":"a","description":null}`,
	`{"message":"\ud800 \xff"}`,
	``,
}

func TestErrorBodyMatchesEncodingJSON(t *testing.T) {
	for _, s := range errorSeeds {
		checkErrorBody(t, []byte(s))
	}
}

func checkErrorBody(t *testing.T, body []byte) {
	got, gotOK := ErrorBody(body)
	want, wantOK := errorBodyStd(body)
	if gotOK != wantOK || !reflect.DeepEqual(got, want) {
		t.Fatalf("ErrorBody(%q) = %#v, %v; encoding/json gives %#v, %v", body, got, gotOK, want, wantOK)
	}
}

// FuzzErrorBodyMatchesEncodingJSON: the fast error decoder agrees with encoding/json on any
// body and never panics.
func FuzzErrorBodyMatchesEncodingJSON(f *testing.F) {
	for _, s := range errorSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkErrorBody(t, body) })
}

// FuzzCollection: on any body the fast collection decoder never panics,
// fails whenever encoding/json fails, and when it succeeds yields what
// encoding/json decodes into the generated types; raw-only, it fails
// whenever encoding/json cannot read the items as JSON objects and yields
// them as sent. (It may refuse what encoding/json accepts where the
// contract is stricter: no "items", "items" twice or null.)
func FuzzCollection(f *testing.F) {
	f.Add([]byte(`{"items":[{"id":"Test batch","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":2,"devicesLink":{"uri":"x","headers":[{"key":"k","value":null}]}}],"links":{"next":{"uri":"/next"}},"continuationToken":"t"}`))
	f.Add([]byte(`{"ITEMS":[{"ID":"\ud83d\ude00","unknown":[1,{"a":null}],"devicesCount":2147483647}],"totalCount":1}`))
	f.Add([]byte(`{"items":[{"id":"a","devicesCount":1.5}]}`))
	f.Add([]byte(`{"items":[{"id":"a","creationDate":""},{"id":"b","creationDate":"2017-07-25T01:51:00"}]}`))
	f.Add([]byte("\xef\xbb\xbf{\"items\":[]}"))
	f.Add([]byte(`{"items":[null,{"id":null,"attributes":null,"devicesLink":{"headers":null}}]}`))
	f.Add([]byte(`{"items":[{"id":"a","devicesLink":{"headers":[{"key":"k","value":"v"}],"headers":[{"key":"k2"}]}}],"links":{"next":{"uri":"/n","headers":[{"key":"MS-ContinuationToken","value":"t"}],"headers":[{"key":"MS-ContinuationToken"}]}}}`))
	for _, item := range repeatedArrayKeys {
		f.Add([]byte(`{"items":[` + item + `]}`))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var got []generated.DeviceBatch
		var raws [][]byte
		page, err := Collection[generated.DeviceBatch, generated.ResourceLinks](iotest.HalfReader(bytes.NewReader(body)), Limits{}, false,
			func(*generated.DeviceBatch) error { return nil },
			func(b *generated.DeviceBatch, _ []byte) error {
				got = append(got, *b)
				return nil
			})
		_, rawErr := Collection[generated.DeviceBatch, generated.ResourceLinks](iotest.HalfReader(bytes.NewReader(body)), Limits{}, true,
			func(*generated.DeviceBatch) error { return nil },
			func(_ *generated.DeviceBatch, raw []byte) error {
				raws = append(raws, bytes.Clone(raw))
				return nil
			})
		var want struct {
			Items             []json.RawMessage        `json:"items"`
			Links             *generated.ResourceLinks `json:"links"`
			ContinuationToken *string                  `json:"continuationToken"`
		}
		std := bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
		stdErr := json.Unmarshal(std, &want)
		if rawErr == nil {
			if stdErr != nil {
				t.Fatalf("raw-only accepted what encoding/json refuses (%v): %q", stdErr, body)
			}
			for i := range raws {
				if !bytes.Equal(raws[i], want.Items[i]) || raws[i][0] != '{' {
					t.Fatalf("raw item %d is %q, sent %q", i, raws[i], want.Items[i])
				}
			}
		}
		var items []generated.DeviceBatch
		for _, raw := range want.Items {
			var b generated.DeviceBatch
			if stdErr == nil {
				stdErr = json.Unmarshal(raw, &b)
			}
			items = append(items, b)
		}
		if stdErr != nil {
			if err == nil {
				t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", stdErr, body)
			}
			return
		}
		if err != nil {
			return
		}
		if len(got) > 0 || len(items) > 0 {
			if !reflect.DeepEqual(got, items) {
				t.Fatalf("items differ on %q\nfast: %#v\njson: %#v", body, got, items)
			}
		}
		if !reflect.DeepEqual(page.Links, want.Links) || page.ContinuationToken != deref(want.ContinuationToken) {
			t.Fatalf("page differs on %q: %#v / %#v", body, page, want)
		}
	})
}
