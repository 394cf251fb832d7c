package pcjson

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/go-faster/jx"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/pctime"
)

// docGen writes random JSON documents shaped like the models, with the
// irregularities a decoder must treat exactly as encoding/json does.
// With plain, keys and strings avoid escapes and invalid UTF-8 (the
// shapes the scanners read themselves).
type docGen struct {
	r     *rand.Rand
	plain bool
}

func (g docGen) pick(n int) int { return g.r.IntN(n) }

// key returns name with its letters' case changed at random, sometimes
// with a \u escape or a Kelvin sign for k / long s for s (which
// encoding/json's folding matches).
func (g docGen) key(name string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range name {
		pick := g.pick(8)
		if g.plain && (pick == 1 || pick == 2) {
			pick = 0
		}
		switch pick {
		case 0:
			b.WriteString(strings.ToUpper(string(c)))
		case 1:
			fmt.Fprintf(&b, `\u%04x`, c)
		case 2:
			switch c {
			case 'k', 'K':
				b.WriteString("\u212a")
			case 's', 'S':
				b.WriteString("\u017f")
			default:
				b.WriteRune(c)
			}
		default:
			b.WriteRune(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var strPieces = []string{
	"a", "Test batch", " ", `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00e9`, `\u0041`,
	`\ud83d\ude00`, `\ud800`, `\udc00x`, `\ud800\u0041`, `\uD834\uDD1E`, "\u2028", "\u2029", "é", "日本",
	"\xff", "\xc3", "\xed\xa0\x80", "\xf0\x9f\x98", "<&>", `\u2028`, "\x7f",
}

// plainPieces are strPieces without escapes or invalid UTF-8.
var plainPieces = []string{"a", "Test batch", " ", "é", "日本", "<&>", "\u2028", "\x7f", "/customers/x/deviceBatches/b/devices"}

func (g docGen) str() string {
	pieces := strPieces
	if g.plain {
		pieces = plainPieces
	}
	var b strings.Builder
	b.WriteByte('"')
	for n := g.pick(5); n > 0; n-- {
		b.WriteString(pieces[g.pick(len(pieces))])
	}
	b.WriteByte('"')
	return b.String()
}

var numbers = []string{"0", "-0", "1", "42", "2147483647", "-2147483648", "2147483648", "-2147483649", "1.0", "1e2", "-1", "0.5", "99999999999999999999"}

var dates = []string{`"2017-07-25T01:51:00"`, `"2017-07-25T01:51:00"`, `"2019-10-21T20:51:55.1234567"`, `"2019-10-21T20:51:55.1234567"`, `"2020-01-02T03:04:05Z"`,
	`"2021-06-07T08:09:10.1234567+05:30"`, `"2021-06-07T08:09:10-07:00"`, `"not a date"`, `""`, `"2017-07-25T01:51:00\u005a"`}

// value returns a value for a field of type t, usually of the right JSON
// type, sometimes null or of a wrong type.
func (g docGen) value(t reflect.Type, depth int) string {
	switch g.pick(60) {
	case 0, 1, 2, 3, 4:
		return "null"
	case 5:
		return g.any(depth + 1)
	}
	switch {
	case t == reflect.TypeFor[pctime.DateTime]():
		return dates[g.pick(len(dates))]
	case t.Kind() == reflect.Map: // nullable.Nullable[string]
		return g.str()
	case t.Kind() == reflect.String:
		return g.str()
	case t.Kind() == reflect.Int32:
		return numbers[g.pick(len(numbers))]
	case t.Kind() == reflect.Bool:
		return []string{"true", "false"}[g.pick(2)]
	case t.Kind() == reflect.Slice:
		var parts []string
		for n := g.pick(4); n > 0; n-- {
			parts = append(parts, g.value(t.Elem(), depth+1))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case t.Kind() == reflect.Array: // a UUID
		return []string{`"47021739-3426-40bf-9601-61b4b6d7c793"`, `"nope"`}[g.pick(2)]
	case t.Kind() == reflect.Struct:
		return g.object(t, depth+1)
	}
	return "null"
}

// any is an arbitrary JSON value (for unknown fields and wrong types).
func (g docGen) any(depth int) string {
	if depth > 4 {
		return "1"
	}
	switch g.pick(7) {
	case 0:
		return g.str()
	case 1:
		return numbers[g.pick(len(numbers))]
	case 2:
		return "true"
	case 3:
		return "null"
	case 4:
		return `[1,"x",{"a":null},[]]`
	case 5:
		return `{"id":"inner","items":[],"x":{"y":[{}]}}`
	}
	return "{}"
}

// object writes t's fields in random order, with unknown fields among
// them and random white space; a few fields twice (encoding/json decodes
// the second value into the first: an array's elements in place).
func (g docGen) object(t reflect.Type, depth int) string {
	var parts []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if g.pick(5) == 0 {
			continue
		}
		parts = append(parts, g.key(name)+g.ws()+":"+g.ws()+g.value(f.Type, depth))
		if g.pick(12) == 0 {
			parts = append(parts, g.key(name)+":"+g.value(f.Type, depth))
		}
	}
	for n := g.pick(3); n > 0; n-- {
		parts = append(parts, g.key("unknownField")+":"+g.any(depth))
	}
	g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return "{" + g.ws() + strings.Join(parts, ","+g.ws()) + g.ws() + "}"
}

func (g docGen) ws() string { return []string{"", "", "", " ", "\n\t ", "\r\n"}[g.pick(6)] }

// readers feed a body in the sizes that break naive streaming decoders.
var readers = map[string]func(io.Reader) io.Reader{
	"whole":   func(r io.Reader) io.Reader { return r },
	"onebyte": iotest.OneByteReader,
	"half":    iotest.HalfReader,
}

// TestCollectionMatchesEncodingJSON decodes random collections with the
// fast path and with encoding/json into the generated types and requires
// the same items, the same raw bytes and the same verdict.
func TestCollectionMatchesEncodingJSON(t *testing.T) {
	t.Run("DeviceBatch", func(t *testing.T) { propertyCollection[generated.DeviceBatch](t, 1) })
	t.Run("Device", func(t *testing.T) { propertyCollection[generated.Device](t, 2) })
	t.Run("Customer", func(t *testing.T) { propertyCollection[generated.Customer](t, 3) })
	t.Run("ConfigurationPolicy", func(t *testing.T) { propertyCollection[generated.ConfigurationPolicy](t, 4) })
}

func propertyCollection[T any](t *testing.T, seed uint64) {
	g := docGen{r: rand.New(rand.NewPCG(seed, 15))}
	n := 3000
	if testing.Short() {
		n = 300
	}
	compared := 0
	defer func() {
		// Most documents must decode, or the comparison proves little.
		if compared < n {
			t.Errorf("only %d of %d decodings compared items; the generator makes too many invalid documents", compared, 3*n)
		}
	}()
	for i := range n {
		var items []string
		for range g.pick(4) {
			items = append(items, g.object(reflect.TypeFor[T](), 0))
		}
		doc := "{" + g.key("items") + ":[" + g.ws() + strings.Join(items, g.ws()+","+g.ws()) + g.ws() + "]"
		if g.pick(2) == 0 {
			doc += "," + g.key("links") + ":" + g.value(reflect.TypeFor[generated.ResourceLinks](), 0)
		}
		if g.pick(2) == 0 {
			doc += "," + g.key("continuationToken") + ":" + g.value(reflect.TypeFor[string](), 0)
		}
		doc += "}"

		// What encoding/json makes of each item, and of the whole document.
		var want []T
		wantErr := false
		for _, it := range items {
			var v T
			if err := json.Unmarshal([]byte(it), &v); err != nil {
				wantErr = true
			}
			want = append(want, v)
		}
		var whole struct {
			Items             []json.RawMessage        `json:"items"`
			Links             *generated.ResourceLinks `json:"links"`
			ContinuationToken *string                  `json:"continuationToken"`
		}
		// Raw-only output needs the document and each item an object;
		// what the model makes of an item's properties does not matter.
		wantRawErr := false
		if err := json.Unmarshal([]byte(doc), &whole); err != nil {
			wantErr, wantRawErr = true, true
		}
		for _, it := range items {
			if !strings.HasPrefix(strings.TrimLeft(it, " \t\r\n"), "{") {
				wantErr, wantRawErr = true, true
			}
		}

		for name, wrap := range readers {
			var got []T
			var raws []string
			page, err := Collection[T, generated.ResourceLinks](wrap(strings.NewReader(doc)), Limits{}, false,
				func(*T) error { return nil },
				func(it *T, _ []byte) error {
					got = append(got, *it)
					return nil
				})
			_, rawErr := Collection[T, generated.ResourceLinks](wrap(strings.NewReader(doc)), Limits{}, true,
				func(*T) error { return nil },
				func(_ *T, raw []byte) error {
					raws = append(raws, string(raw))
					return nil
				})
			if (rawErr != nil) != wantRawErr {
				t.Fatalf("case %d (%s): raw-only error %v, encoding/json error %v\n%s", i, name, rawErr, wantRawErr, doc)
			}
			if rawErr == nil && !reflect.DeepEqual(raws, items) && len(items) > 0 {
				t.Fatalf("case %d (%s): raw items differ\nfast: %q\nsent: %q", i, name, raws, items)
			}
			if (err != nil) != wantErr {
				t.Fatalf("case %d (%s): fast error %v, encoding/json error %v\n%s", i, name, err, wantErr, doc)
			}
			if err != nil {
				continue
			}
			compared++
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d (%s): items differ\nfast: %#v\njson: %#v\n%s", i, name, got, want, doc)
			}
			if !reflect.DeepEqual(page.Links, whole.Links) {
				t.Fatalf("case %d (%s): links differ\nfast: %#v\njson: %#v\n%s", i, name, page.Links, whole.Links, doc)
			}
			if tok := deref(whole.ContinuationToken); page.ContinuationToken != tok {
				t.Fatalf("case %d (%s): token %q, want %q", i, name, page.ContinuationToken, tok)
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestCollectionBOMAndTrailing: a byte order mark is skipped; data after
// the document, a body cut short and a missing "items" are errors.
func TestCollectionEdges(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
		n          int
	}{
		{"bom", "\xef\xbb\xbf{\"items\":[{\"id\":\"a\"}]}", true, 1},
		{"bom only partly", "\xef\xbb{\"items\":[]}", false, 0},
		{"tiny", `{"items":[]}`, true, 0},
		{"empty body", ``, false, 0},
		{"white space only", " \n", false, 0},
		{"trailing data", `{"items":[]} {}`, false, 0},
		{"trailing white space", "{\"items\":[]} \r\n", true, 0},
		{"cut short", `{"items":[{"id":"a"}`, false, 1},
		{"no items", `{"links":{}}`, false, 0},
		{"items twice", `{"items":[],"ITEMS":[]}`, false, 0},
		{"items not an array", `{"items":{}}`, false, 0},
		{"items null", `{"items":null}`, false, 0},
		{"not an object", `[]`, false, 0},
		{"token not a string", `{"items":[],"continuationToken":5}`, false, 0},
		{"links null", `{"items":[],"links":null}`, true, 0},
		{"item too deep", `{"items":[{"x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}]}`, false, 0},
	}
	for _, tc := range tests {
		for name, wrap := range readers {
			n := 0
			_, err := Collection[generated.DeviceBatch, generated.ResourceLinks](wrap(strings.NewReader(tc.body)), Limits{}, false,
				func(*generated.DeviceBatch) error { return nil },
				func(*generated.DeviceBatch, []byte) error { n++; return nil })
			if (err == nil) != tc.ok || n != tc.n {
				t.Errorf("%s (%s): err %v, %d items; want ok=%v, %d items", tc.name, name, err, n, tc.ok, tc.n)
			}
		}
	}
}

// TestCollectionStopsAndFailsEarly: an item callback's error ends decoding
// and is returned as is; valid's error names the item.
func TestCollectionStopsAndFailsEarly(t *testing.T) {
	body := `{"items":[{"id":"a"},{"id":""},{"id":"c"}]}`
	n := 0
	_, err := Collection[generated.DeviceBatch, generated.ResourceLinks](strings.NewReader(body), Limits{}, false,
		func(b *generated.DeviceBatch) error {
			if b.Id == "" {
				return fmt.Errorf("no id")
			}
			return nil
		},
		func(*generated.DeviceBatch, []byte) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "items[1]: no id") || n != 1 {
		t.Fatalf("err %v after %d items", err, n)
	}
	_, err = Collection[generated.DeviceBatch, generated.ResourceLinks](strings.NewReader(body), Limits{}, false,
		func(*generated.DeviceBatch) error { return nil },
		func(*generated.DeviceBatch, []byte) error { return ErrStop })
	if err != ErrStop {
		t.Fatalf("err %v, want ErrStop", err)
	}
}

// TestGeneratedDecodersKnowEveryField fails when a generated model gains
// a field the generated decoder does not handle: run `go generate
// ./internal/pcjson/` after regenerating generated/.
func TestGeneratedDecodersKnowEveryField(t *testing.T) {
	types := []reflect.Type{
		reflect.TypeFor[generated.DeviceBatch](), reflect.TypeFor[generated.Device](),
		reflect.TypeFor[generated.Customer](), reflect.TypeFor[generated.ConfigurationPolicy](),
		reflect.TypeFor[generated.ResourceLinks](), reflect.TypeFor[generated.Link](),
		reflect.TypeFor[generated.KeyValuePair](), reflect.TypeFor[generated.ResourceAttributes](),
		reflect.TypeFor[generated.CustomerCompanyProfile](),
	}
	for _, typ := range types {
		known, ok := knownFields[typ.Name()]
		if !ok {
			t.Errorf("no generated decoder for generated.%s", typ.Name())
			continue
		}
		var names []string
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			names = append(names, name)
		}
		if !reflect.DeepEqual(names, known) {
			t.Errorf("generated.%s has JSON fields %q, its decoder knows %q: run go generate ./internal/pcjson/", typ.Name(), names, known)
		}
		if ok, err := decodeFast(jx.DecodeStr("{}"), reflect.New(typ).Interface()); !ok || err != nil {
			t.Errorf("decodeFast does not decode generated.%s: %v", typ.Name(), err)
		}
	}
}

// TestFoldNameMatchesEncodingJSON: a key reaches a field exactly when
// encoding/json's folding sends it there.
func TestFoldNameMatchesEncodingJSON(t *testing.T) {
	keys := []string{"status", "STATUS", "Status", "\u017ftatus", "\u017fTATU\u017f", "ſtatus", "statuſ", "stAtus ", "statu",
		"\u212aey", "Key", "kEY", "\xffkey", "ke\u0079", "ßtatus", "ｓtatus", `STATUS\u0000`, `\u0053tatus`}
	for _, k := range keys {
		var std struct {
			Status string `json:"status"`
			Key    string `json:"key"`
		}
		doc := `{"` + k + `":"x"}`
		if err := json.Unmarshal([]byte(doc), &std); err != nil {
			t.Fatal(err)
		}
		var v generated.KeyValuePair
		var b generated.DeviceBatch
		if err := decodeKeyValuePair(jx.DecodeStr(doc), &v); err != nil {
			t.Fatal(err)
		}
		if err := decodeDeviceBatch(jx.DecodeStr(doc), &b); err != nil {
			t.Fatal(err)
		}
		if (std.Status == "x") != (b.Status == "x") || (std.Key == "x") != (v.Key == "x") {
			t.Errorf("key %q: encoding/json status=%q key=%q, fast status=%q key=%q", k, std.Status, std.Key, b.Status, v.Key)
		}
	}
}

// repeatedArrayKeys repeat an array-valued key: encoding/json decodes the
// second array into the first one's elements in place (merging), up to
// the backing array's capacity, and starts afresh after [] or null. In
// links.next.headers a merge keeps an MS-ContinuationToken's value.
var repeatedArrayKeys = []string{
	`{"id":"a","devicesLink":{"headers":[{"key":"k","value":"v"}],"headers":[{"key":"k2"}]}}`,
	`{"id":"a","devicesLink":{"headers":[{"key":"a","value":"1"},{"key":"b","value":"2"}],"headers":[{"key":"c"}],"headers":[{"value":"3"},{"key":"e"}]}}`,
	`{"id":"a","devicesLink":{"headers":[{"key":"a","value":"1"}],"headers":[],"headers":[{"key":"b"}]}}`,
	`{"id":"a","devicesLink":{"headers":[{"key":"a","value":"1"}],"headers":null,"headers":[{"key":"b"}]}}`,
	`{"id":"a","devicesLink":{"headers":[{"key":"a","value":"1"}],"headers":[null,{"key":"b"}]}}`,
	`{"id":"a","devicesLink":{"headers":[{"key":"k","value":"v"}]},"devicesLink":{"headers":[{"value":null}]}}`,
	`{"id":"d","policies":[{"key":"o_o_b_e","value":"p"}],"policies":[{"key":"x"}],"allowedOperations":["GET","PATCH"],"allowedOperations":[null,"DELETE"]}`,
	`{"id":"d","allowedOperations":["GET","PATCH","DELETE"],"allowedOperations":["X"],"allowedOperations":[null,null,null,null]}`,
}

// TestRepeatedArrayKeyMatchesEncodingJSON: the jx decoders, the scanners
// (sure of these items) and Collection read a repeated array-valued key
// as encoding/json does, in items and in the page's links.
func TestRepeatedArrayKeyMatchesEncodingJSON(t *testing.T) {
	for _, item := range repeatedArrayKeys {
		repeatedArrayKey[generated.DeviceBatch](t, item)
		repeatedArrayKey[generated.Device](t, item)
	}
	const next = `{"uri":"/customers/c/deviceBatches","headers":[{"key":"MS-ContinuationToken","value":"t,1/="}],"headers":[{"key":"MS-ContinuationToken"}]}`
	body := `{"items":[],"links":{"next":` + next + `}}`
	var want generated.ResourceLinks
	if err := json.Unmarshal([]byte(`{"next":`+next+`}`), &want); err != nil {
		t.Fatal(err)
	}
	for name, wrap := range readers {
		page, err := Collection[generated.DeviceBatch, generated.ResourceLinks](wrap(strings.NewReader(body)), Limits{}, false,
			func(*generated.DeviceBatch) error { return nil }, func(*generated.DeviceBatch, []byte) error { return nil })
		if err != nil || page.Links == nil || !reflect.DeepEqual(*page.Links, want) {
			t.Errorf("%s: links.next %+v, %v; encoding/json reads %+v", name, page.Links, err, want)
		}
	}
}

func repeatedArrayKey[T any](t *testing.T, item string) {
	t.Helper()
	var want T
	if err := json.Unmarshal([]byte(item), &want); err != nil {
		t.Fatal(err)
	}
	var viaJX T
	if err := decodeItem(jx.DecodeBytes(nil), []byte(item), &viaJX); err != nil || !reflect.DeepEqual(viaJX, want) {
		t.Errorf("jx decoder on %s: %v\n got %+v\nwant %+v", item, err, viaJX, want)
	}
	if !checkScan[T](t, []byte(item)) {
		t.Errorf("the scanner is not sure of %s", item)
	}
	for name, wrap := range readers {
		var got T
		_, err := Collection[T, generated.ResourceLinks](wrap(strings.NewReader(`{"items":[`+item+`]}`)), Limits{}, false,
			func(*T) error { return nil }, func(it *T, _ []byte) error { got = *it; return nil })
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Collection (%s) on %s: %v\n got %+v\nwant %+v", name, item, err, got, want)
		}
	}
}
