package pcjson

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/go-faster/jx"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/fixtures"
	"github.com/partnercenter-go/devicebatches/internal/pctime"
)

// The new collection path (items cut by structure, read by the generated
// scanners, typed or raw-only) must agree exactly with the jx streaming
// decoder it replaced (collectionJX): same verdict, the same items
// yielded before any error, the same raw bytes, the same page. These
// tests check it on random documents, mutated ones, and every read size
// that breaks streaming code; FuzzCollectionMatchesJX keeps looking.

// mutate changes doc in one of the ways that break decoders, or not at all.
func (g docGen) mutate(doc string) string {
	if len(doc) == 0 {
		return doc
	}
	b := []byte(doc)
	at := g.pick(len(b))
	special := `"{}[],:\ 0-.eEnultr` + "\x00\x1f\xff\xc3"
	switch g.pick(10) {
	case 0:
		return string(b[:at]) // cut short
	case 1:
		b[at] = special[g.pick(len(special))]
	case 2:
		b = append(b[:at], b[at+1:]...)
	case 3:
		b = append(b[:at], append([]byte{special[g.pick(len(special))]}, b[at:]...)...)
	case 4:
		end := at + g.pick(len(b)-at)
		b = append(b[:end], append(bytes.Clone(b[at:end]), b[end:]...)...)
	}
	return string(b)
}

// requireID is the wrapper's rule for batches and devices, for any T with
// a string Id: valid reads the item the raw-only mode borrows.
func requireID[T any](v *T) error {
	if f := reflect.ValueOf(v).Elem().FieldByName("Id"); f.Kind() == reflect.String && f.String() == "" {
		return errNoID
	}
	return nil
}

var errNoID = io.ErrShortBuffer // any sentinel: only the verdict is compared

// compareWithJX decodes body with collectionJX and with Collection typed,
// and with collectionRawJX and Collection raw-only, and fails the test on
// any difference. It reports whether the typed decoders accepted the body
// (raw-only accepts more: an item with a property the model cannot hold).
func compareWithJX[T any](t testing.TB, body []byte, wrap func(io.Reader) io.Reader, lim Limits) bool {
	t.Helper()
	var want []T
	wantPage, wantErr := collectionJX[T, generated.ResourceLinks](wrap(bytes.NewReader(body)), lim, false, requireID[T],
		func(it *T, _ []byte) error {
			want = append(want, *it)
			return nil
		})
	var wantRaw [][]byte
	wantRawPage, wantRawErr := collectionRawJX[T, generated.ResourceLinks](wrap(bytes.NewReader(body)), lim,
		func(raw []byte) error {
			wantRaw = append(wantRaw, bytes.Clone(raw))
			return nil
		})
	var got []T
	page, err := Collection[T, generated.ResourceLinks](wrap(bytes.NewReader(body)), lim, false, requireID[T],
		func(it *T, raw []byte) error {
			if raw != nil {
				t.Fatalf("typed mode yielded raw bytes")
			}
			got = append(got, *it)
			return nil
		})
	var raws [][]byte
	rawPage, rawErr := Collection[T, generated.ResourceLinks](wrap(bytes.NewReader(body)), lim, true, requireID[T],
		func(it *T, raw []byte) error {
			if it != nil {
				t.Fatalf("raw-only mode yielded an item")
			}
			raws = append(raws, bytes.Clone(raw))
			return nil
		})
	if (err == nil) != (wantErr == nil) || (rawErr == nil) != (wantRawErr == nil) {
		t.Fatalf("verdicts differ on %q:\njx:           %v\ntyped:        %v\njx raw-only:   %v\nraw-only:     %v", body, wantErr, err, wantRawErr, rawErr)
	}
	if rawErr != nil && err == nil {
		t.Fatalf("raw-only refused what typed accepted on %q: %v", body, rawErr)
	}
	if lim.MaxString > 0 {
		// The reference's string limit failed whole reads ahead of its
		// decoder (which then sometimes reported something else), so it
		// stopped a number of items early that depends on the read
		// sizes; the new path checks each string where it is cut. Its
		// items must still begin with the reference's.
		if wantErr != nil {
			if len(got) < len(want) {
				t.Fatalf("fewer items than jx before the error on %q: %d < %d", body, len(got), len(want))
			}
			got = got[:len(want)]
		}
		if wantRawErr != nil {
			if len(raws) < len(wantRaw) {
				t.Fatalf("fewer raw items than jx before the error on %q: %d < %d", body, len(raws), len(wantRaw))
			}
			raws = raws[:len(wantRaw)]
		}
	}
	if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
		t.Fatalf("items differ on %q (errors %v / %v):\njx:    %#v\ntyped: %#v", body, wantErr, err, want, got)
	}
	if len(raws) != len(wantRaw) || (len(raws) > 0 && !reflect.DeepEqual(raws, wantRaw)) {
		t.Fatalf("raw items differ on %q (errors %v / %v):\njx:       %q\nraw-only: %q", body, wantRawErr, rawErr, wantRaw, raws)
	}
	if wantErr == nil && !reflect.DeepEqual(page, wantPage) {
		t.Fatalf("pages differ on %q:\njx:    %#v\ntyped: %#v", body, wantPage, page)
	}
	if wantRawErr == nil && !reflect.DeepEqual(rawPage, wantRawPage) {
		t.Fatalf("pages differ on %q:\njx:       %#v\nraw-only: %#v", body, wantRawPage, rawPage)
	}
	return wantErr == nil
}

// randomCollection is a collection of up to 3 items of T, with links, a
// token and unknown members in random order.
func randomCollection[T any](g docGen) string {
	var items []string
	for range g.pick(4) {
		items = append(items, g.object(reflect.TypeFor[T](), 0))
	}
	members := []string{g.key("items") + ":[" + g.ws() + strings.Join(items, g.ws()+","+g.ws()) + g.ws() + "]"}
	if g.pick(2) == 0 {
		members = append(members, g.key("links")+":"+g.value(reflect.TypeFor[generated.ResourceLinks](), 0))
	}
	if g.pick(2) == 0 {
		members = append(members, g.key("continuationToken")+":"+g.value(reflect.TypeFor[string](), 0))
	}
	if g.pick(3) == 0 {
		members = append(members, g.key("totalCount")+":"+g.any(0))
	}
	g.r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
	return g.ws() + "{" + g.ws() + strings.Join(members, ","+g.ws()) + g.ws() + "}" + g.ws()
}

func TestCollectionMatchesJX(t *testing.T) {
	t.Run("DeviceBatch", func(t *testing.T) { propertyJX[generated.DeviceBatch](t, 11) })
	t.Run("Device", func(t *testing.T) { propertyJX[generated.Device](t, 12) })
	t.Run("Customer", func(t *testing.T) { propertyJX[generated.Customer](t, 13) })
	t.Run("ConfigurationPolicy", func(t *testing.T) { propertyJX[generated.ConfigurationPolicy](t, 14) })
}

func propertyJX[T any](t *testing.T, seed uint64) {
	n := 2000
	if testing.Short() {
		n = 200
	}
	accepted, mutatedAccepted := 0, 0
	for i := range n {
		g := docGen{r: rand.New(rand.NewPCG(seed, uint64(i))), plain: i%2 == 0}
		doc := randomCollection[T](g)
		mutated := g.mutate(doc)
		lim := Limits{}
		if g.pick(4) == 0 {
			lim = Limits{MaxString: 1 + g.pick(40), MaxItems: 1 + g.pick(3)}
		}
		for name, wrap := range readers {
			if compareWithJX[T](t, []byte(doc), wrap, lim) && name == "whole" {
				accepted++
			}
			if compareWithJX[T](t, []byte(mutated), wrap, lim) && name == "whole" && mutated != doc {
				mutatedAccepted++
			}
		}
	}
	// The comparison must see accepted documents, or it proves little.
	if accepted < n/5 || mutatedAccepted == 0 {
		t.Errorf("only %d of %d documents (%d mutated) were accepted; the generator makes too many invalid ones", accepted, n, mutatedAccepted)
	}
}

// TestScanMatchesDecode: whenever a generated scanner is sure of an item,
// it has read exactly what the generated jx decoder reads, copying or
// borrowing its strings; and it is sure of the common shapes.
func TestScanMatchesDecode(t *testing.T) {
	t.Run("DeviceBatch", func(t *testing.T) { propertyScan[generated.DeviceBatch](t, 21) })
	t.Run("Device", func(t *testing.T) { propertyScan[generated.Device](t, 22) })
	t.Run("Customer", func(t *testing.T) { propertyScan[generated.Customer](t, 23) })
	t.Run("ConfigurationPolicy", func(t *testing.T) { propertyScan[generated.ConfigurationPolicy](t, 24) })
	t.Run("the benchmark's batches", func(t *testing.T) {
		body, _ := io.ReadAll(fixtures.Batches(3))
		// Items of the generator: {"totalCount":3,"items":[{...},{...},{...}],...}
		start := bytes.Index(body, []byte(`[{`)) + 1
		item := body[start : bytes.Index(body, []byte(`},{`))+1]
		if !checkScan[generated.DeviceBatch](t, item) {
			t.Fatalf("the scanner is not sure of %s", item)
		}
	})
}

func propertyScan[T any](t *testing.T, seed uint64) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	sure := 0
	for i := range n {
		g := docGen{r: rand.New(rand.NewPCG(seed, uint64(i))), plain: i%4 != 0}
		item := g.object(reflect.TypeFor[T](), 0)
		if i%3 == 0 {
			item = g.mutate(item)
		}
		if checkScan[T](t, []byte(item)) {
			sure++
		}
	}
	if sure < n/10 {
		t.Errorf("the scanner was sure of only %d of %d items", sure, n)
	}
}

// checkScan scans item in both modes and, when the scanner is sure,
// requires the jx decoder's result; it reports whether it was sure.
func checkScan[T any](t testing.TB, item []byte) bool {
	t.Helper()
	var want T
	wantErr := decodeItem(jx.DecodeBytes(nil), item, &want)
	sure := false
	for _, borrow := range []bool{false, true} {
		var got T
		s := scanner{b: item, borrow: borrow}
		known, ok := scanFast(&s, &got)
		if !known {
			t.Fatalf("no scanner for %T", got)
		}
		if !ok || s.i != len(item) {
			continue
		}
		sure = true
		if wantErr != nil {
			t.Fatalf("the scanner (borrow %v) accepted what the jx decoder refuses (%v): %q", borrow, wantErr, item)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("the scanner (borrow %v) read %q differently:\njx:      %#v\nscanner: %#v", borrow, item, want, got)
		}
	}
	return sure
}

// FuzzScan: on any item a scanner never panics and, when sure, agrees
// with the jx decoder.
func FuzzScan(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, item []byte) {
		checkScan[generated.DeviceBatch](t, item)
		checkScan[generated.Device](t, item)
		checkScan[generated.Customer](t, item)
	})
}

// FuzzCollectionMatchesJX: on any body, with tiny reads, the new path
// agrees with the jx streaming decoder it replaced.
func FuzzCollectionMatchesJX(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(`{"items":[` + s + `,` + s + `],"links":{"next":{"uri":"/n"}}}`))
	}
	f.Add([]byte("\xef\xbb\xbf {\"ITEMS\" : [ ] , \"continuationToken\":\"t\"} "))
	f.Add([]byte(`{"items":[{"id":"a"},]}`))
	f.Add([]byte(`{"items":[{"id":"a"}`))
	f.Add([]byte(`{"items":[nullx]}`))
	f.Add([]byte(`{"totalCount":1e5,"items":[],"x":[{"\u0022":"\\"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, wrap := range []func(io.Reader) io.Reader{iotest.OneByteReader, iotest.HalfReader} {
			compareWithJX[generated.DeviceBatch](t, body, wrap, Limits{})
			compareWithJX[generated.Device](t, body, wrap, Limits{MaxString: 16, MaxItems: 2})
		}
	})
}

var scanSeeds = []string{
	`{"id":"batch 0000001","status":"finished","createdBy":"partner@contoso.com","creationDate":"2017-07-25T01:51:00","devicesCount":1,"devicesLink":{"uri":"/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/batch 0000001/devices","method":"GET","headers":[]},"attributes":{"objectType":"DeviceBatch"}}`,
	`{"id":"d1","serialNumber":"1234","policies":[{"key":"o_o_b_e","value":null},{"key":"k","value":"v"}],"uploadedDate":"2017-08-09T14:43:26.0092288-07:00","allowedOperations":["GET","PATCH"]}`,
	`{"id":"47021739-3426-40bf-9601-61b4b6d7c793","companyProfile":{"tenantId":"t","domain":"d"},"allowDelegatedAccess":true,"links":null}`,
	`{"ID":"a","Id":null,"id":"","devicesCount":-0,"x":{"y":[1.5e3,-0.25E-2,true,false,null,"\u00e9\n"]}}`,
	`{"id":"a","devicesCount":2147483648}`,
	`{"id":"a","devicesCount":01}`,
	`{"id":"a","creationDate":"2017-02-30T00:00:00"}`,
	`{"id":"a","creationDate":"","uploadedDate":"","createdDate":"","lastModifiedDate":""}`,
	`{"id":"a","creationDate":" ","uploadedDate":"\u0032017-08-09T14:43:26Z"}`,
	`{"id":"é","status":"\xff"}`,
	`{"id":"a" , "devicesLink" : { "headers" : [ { "key" : "k" , "value" : "v" } ] } }`,
	`{"id":"a","devicesLink":{"headers":[{"key":"a","value":"1"},{"key":"b","value":"2"}],"headers":[{"key":"c"}],"headers":[{"value":"3"},{"key":"e"}]}}`,
	`{"id":"d","policies":[{"key":"o_o_b_e","value":"p"}],"policies":[],"policies":[{"key":"x"}],"allowedOperations":["GET"],"allowedOperations":[null,"PATCH"]}`,
	`null`,
	`{"id":"a",}`,
	`{"id":"a"}x`,
}

// TestEmptyDateIsNoDate: a date sent as "" (the service saying "no date")
// reads as the zero DateTime on every path, the scanners (sure of it), the
// jx decoders, the jx stream decoder they replaced and encoding/json, and
// does not fail the page; any other text that is no date-time still does.
func TestEmptyDateIsNoDate(t *testing.T) {
	t.Run("DeviceBatch", func(t *testing.T) {
		emptyDate[generated.DeviceBatch](t, `{"id":"b","creationDate":"","devicesCount":2}`, func(v *generated.DeviceBatch) bool { return v.CreationDate == pctime.DateTime{} })
	})
	t.Run("Device", func(t *testing.T) {
		emptyDate[generated.Device](t, `{"id":"d","uploadedDate":""}`, func(v *generated.Device) bool { return v.UploadedDate == pctime.DateTime{} })
	})
	t.Run("ConfigurationPolicy", func(t *testing.T) {
		emptyDate[generated.ConfigurationPolicy](t, `{"id":"p","createdDate":"","lastModifiedDate":""}`, func(v *generated.ConfigurationPolicy) bool {
			return v.CreatedDate == pctime.DateTime{} && v.LastModifiedDate == pctime.DateTime{}
		})
	})
}

func emptyDate[T any](t *testing.T, item string, zero func(*T) bool) {
	if !checkScan[T](t, []byte(item)) {
		t.Errorf("the scanner is not sure of %s", item)
	}
	var std T
	if err := json.Unmarshal([]byte(item), &std); err != nil || !zero(&std) {
		t.Fatalf("encoding/json: %v %+v", err, std)
	}
	other := `{"id":"x","devicesCount":1}`
	body := `{"items":[` + other + `,` + item + `,` + other + `]}`
	for _, wrap := range []func(io.Reader) io.Reader{func(r io.Reader) io.Reader { return r }, iotest.OneByteReader} {
		if !compareWithJX[T](t, []byte(body), wrap, Limits{}) {
			t.Fatalf("refused %s", body)
		}
	}
	var got []T
	if _, err := Collection[T, generated.ResourceLinks](strings.NewReader(body), Limits{}, false, requireID[T], func(v *T, _ []byte) error {
		got = append(got, *v)
		return nil
	}); err != nil || len(got) != 3 || !zero(&got[1]) || !reflect.DeepEqual(got[1], std) {
		t.Fatalf("items %+v, %v", got, err)
	}
	bad := strings.Replace(body, `""`, `"yesterday"`, 1)
	if compareWithJX[T](t, []byte(bad), iotest.HalfReader, Limits{}) {
		t.Errorf("accepted %s", bad)
	}
}

// TestCollectionItemLargerThanWindow: items and members larger than the
// read window (it grows for them) and items across its edge decode as jx
// decodes them, with and without a string limit they pass.
func TestCollectionItemLargerThanWindow(t *testing.T) {
	big := strings.Repeat("x", 3*window)
	escaped := strings.Repeat(`\"`, window)
	var items []string
	for i := range 2000 {
		items = append(items, `{"id":"batch `+strings.Repeat("y", i%300)+`","devicesCount":1}`)
	}
	bodies := []string{
		`{"items":[{"id":"a","unknown":"` + big + `"},{"id":"b"}]}`,
		`{"items":[{"id":"` + big + `"}],"links":{"next":{"uri":"/n"}}}`,
		`{"items":[{"id":"a","x":[` + strings.Repeat(`1,`, window) + `1]}]}`,
		`{"items":[{"id":"` + escaped + `"}]}`,
		`{"totalCount":"` + big + `","items":[` + strings.Join(items, ",") + `]}`,
	}
	for _, body := range bodies {
		for _, lim := range []Limits{{}, {MaxString: 1 << 20}, {MaxString: window}} {
			if !compareWithJX[generated.DeviceBatch](t, []byte(body), iotest.HalfReader, lim) && lim.MaxString == 0 {
				t.Errorf("refused %.80q", body)
			}
			compareWithJX[generated.DeviceBatch](t, []byte(body), func(r io.Reader) io.Reader { return r }, lim)
		}
	}
}
