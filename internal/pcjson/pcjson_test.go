package pcjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

type item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type links struct {
	Next struct {
		URI string `json:"uri"`
	} `json:"next"`
}

func needID(it *item) error {
	if it.ID == "" {
		return errors.New("no id")
	}
	return nil
}

func collect(r io.Reader, lim Limits) ([]item, Page[links], error) {
	var got []item
	p, err := Collection[item, links](r, lim, false, needID, func(it *item, _ []byte) error {
		got = append(got, *it)
		return nil
	})
	return got, p, err
}

// TestCollectionRequiredProperties: the contract requires "items" and each
// item's "id"; a 200 without them is an error, never an empty success.
func TestCollectionRequiredProperties(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{}`, false},
		{`{"items": null}`, false},
		{`{"items": {}}`, false},
		{`{"items": [{"name": "no id"}]}`, false},
		{`{"items": [{"id": ""}]}`, false},
		{`{"items": [], "items": []}`, false},
		{`{"items": []}`, true},
		{`{"items": [{"id": "a"}], "continuationToken": null, "links": null}`, true},
	} {
		_, _, err := collect(strings.NewReader(tc.body), Limits{})
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.body, err, tc.ok)
		}
	}
}

// randomString draws strings with quotes, backslashes, escapes and
// multi-byte runes, the cases a lexical scanner gets wrong.
func randomString(r *rand.Rand, n int) string {
	alphabet := []string{"a", "\"", "\\", "/", "é", "\u2028", "\n", "{", "}", "[", "]", ",", ":", " ", "\x00", "😀"}
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestLimitsProperty checks, for random documents, the contract any
// decoder behind Collection must keep: with MaxString at least the longest
// string as sent, it decodes exactly what encoding/json decodes; with
// MaxString below it, or MaxItems below the item count, it fails with a
// *LimitError naming that limit. The reference is encoding/json, so the
// property keeps checking a faster decoder put in this package's place.
func TestLimitsProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		n := r.IntN(5)
		items := make([]item, n)
		longest := len(`continuationToken`)
		for j := range items {
			items[j] = item{ID: fmt.Sprint("id", j, randomString(r, r.IntN(4))), Name: randomString(r, r.IntN(40))}
		}
		doc := map[string]any{"items": items, "continuationToken": randomString(r, r.IntN(10))}
		body, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		// The longest string as sent: measure on the encoded document.
		longest = max(longest, longestString(string(body)))
		var ref struct {
			Items             []item `json:"items"`
			ContinuationToken string `json:"continuationToken"`
		}
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatal(err)
		}
		// One byte at a time: a limit must hold across read boundaries.
		got, p, err := collect(iotest.OneByteReader(strings.NewReader(string(body))), Limits{MaxString: longest, MaxItems: n})
		if err != nil || len(got) != len(ref.Items) || p.ContinuationToken != ref.ContinuationToken {
			t.Fatalf("case %d: %s: got %v %q err %v, want %v", i, body, got, p.ContinuationToken, err, ref)
		}
		for j := range got {
			if got[j] != ref.Items[j] {
				t.Fatalf("case %d: item %d = %+v, want %+v", i, j, got[j], ref.Items[j])
			}
		}
		var le *LimitError
		if _, _, err := collect(strings.NewReader(string(body)), Limits{MaxString: longest - 1}); !errors.As(err, &le) || le.Limit != "MaxString" || !errors.Is(err, ErrLimit) {
			t.Fatalf("case %d: %s with MaxString %d: err = %v", i, body, longest-1, err)
		}
		if n > 1 {
			if _, _, err := collect(strings.NewReader(string(body)), Limits{MaxItems: n - 1}); !errors.As(err, &le) || le.Limit != "MaxItems" {
				t.Fatalf("case %d: MaxItems %d: err = %v", i, n-1, err)
			}
		}
	}
}

// longestString is the longest JSON string of a valid document, in bytes
// as sent, found by the obvious (slow) way: walking it.
func longestString(doc string) int {
	best := 0
	for i := 0; i < len(doc); i++ {
		if doc[i] != '"' {
			continue
		}
		j := i + 1
		for ; doc[j] != '"'; j++ {
			if doc[j] == '\\' {
				j++
			}
		}
		best = max(best, j-i-1)
		i = j
	}
	return best
}

// TestErrorBodyShapes: the three shapes the service sends decode into one
// Error, entities unescaped.
func TestErrorBodyShapes(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		body string
		want Error
		ok   bool
	}{
		{`{"code": 600, "description": "The customer&#39;s batch", "data": ["x"], "source": "PartnerFD"}`, Error{Code: "600", Description: "The customer's batch", Source: "PartnerFD"}, true},
		{`{"code": "CustomerNotFound", "description": "x"}`, Error{Code: "CustomerNotFound", Description: "x"}, true},
		{`{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 5 seconds."}`, Error{Description: "Rate limit is exceeded. Try again in 5 seconds."}, true},
		{`{"code": 2000, "message": "Bad &amp; wrong", "errorName": "InvalidInput", "isRetryable": true, "parameters": {}, "errorMessageExtended": "e"}`, Error{Code: "2000", Description: "Bad & wrong", ErrorName: "InvalidInput", IsRetryable: &yes}, true},
		{`{"code": 1, "description": "{\"inner\": \"json\"}"}`, Error{Code: "1", Description: `{"inner": "json"}`}, true},
		{`<html>502</html>`, Error{}, false},
		{``, Error{}, false},
	} {
		got, ok := ErrorBody([]byte(tc.body))
		if ok != tc.ok || got.Code != tc.want.Code || got.Description != tc.want.Description || got.Source != tc.want.Source || got.ErrorName != tc.want.ErrorName || (got.IsRetryable == nil) != (tc.want.IsRetryable == nil) {
			t.Errorf("%s: got %+v %v, want %+v %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzErrorBody: any body decodes without panicking, and a body that is
// not a JSON object is never taken for a Partner Center error.
func FuzzErrorBody(f *testing.F) {
	for _, s := range []string{`{"code":600,"description":"x","data":[],"source":"PartnerFD"}`, `{"statusCode":429,"message":"m"}`,
		`{"code":1,"message":"m","errorName":"n","isRetryable":false}`, `<html>`, `{"code":{}}`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, ok := ErrorBody(body)
		if ok && !json.Valid(body) {
			t.Fatalf("invalid JSON %q taken for an error body", body)
		}
	})
}

// FuzzCollectionLimits: for any input and limits, decoding ends (with an
// error or not) without a panic, never hands out more than MaxItems items,
// and never an item whose strings pass MaxString (three times over: an
// invalid byte, counted once as sent, decodes to U+FFFD, three bytes).
func FuzzCollectionLimits(f *testing.F) {
	f.Add([]byte(`{"items":[{"id":"a","name":"bb"},{"id":"c"}]}`), 1, 1)
	f.Add([]byte(`{"items":[{"id":"a\"\\","name":"b"}],"continuationToken":"xyz"}`), 3, 0)
	f.Fuzz(func(t *testing.T, body []byte, maxString, maxItems int) {
		maxString, maxItems = maxString%64, maxItems%8
		got, _, _ := collect(strings.NewReader(string(body)), Limits{MaxString: maxString, MaxItems: maxItems})
		if maxItems > 0 && len(got) > maxItems {
			t.Fatalf("%d items past MaxItems %d", len(got), maxItems)
		}
		for _, it := range got {
			if maxString > 0 && (len(it.ID) > 3*maxString || len(it.Name) > 3*maxString) {
				t.Fatalf("item %+v past MaxString %d", it, maxString)
			}
		}
	})
}

// emptyReads returns what it holds, then (0, nil) on every read; past a
// cap far above any bound it fails the test rather than hang.
type emptyReads struct {
	t     *testing.T
	data  string
	calls int
}

func (r *emptyReads) Read(p []byte) (int, error) {
	if r.data != "" {
		n := copy(p, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	if r.calls++; r.calls > 10000 {
		r.t.Error("read 10000 times while it returned nothing")
		return 0, errors.New("still reading a body that returns nothing")
	}
	return 0, nil
}

// TestCollectionEmptyReads: a body that keeps returning (0, nil), from the
// start, inside the byte order mark or part way, ends with
// io.ErrNoProgress rather than being read forever.
func TestCollectionEmptyReads(t *testing.T) {
	for _, data := range []string{"", "\xef\xbb", "{", `{"items":[{"id":"a"}`} {
		for _, rawOnly := range []bool{false, true} {
			_, err := Collection[item, links](&emptyReads{t: t, data: data}, Limits{}, rawOnly, needID, func(*item, []byte) error { return nil })
			if !errors.Is(err, io.ErrNoProgress) {
				t.Errorf("Collection(%q then nothing, raw-only %v): %v; want io.ErrNoProgress", data, rawOnly, err)
			}
		}
	}
}
