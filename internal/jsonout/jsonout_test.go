package jsonout

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomJSON writes a random JSON value with random white space.
func randomJSON(r *rand.Rand, b *strings.Builder, depth int) {
	ws := func() { b.WriteString([]string{"", "", " ", "\n  ", "\t", "\r\n"}[r.IntN(6)]) }
	ws()
	k := r.IntN(9)
	if depth > 5 {
		k = r.IntN(5)
	}
	switch k {
	case 0:
		b.WriteString([]string{`""`, `"a"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\ud83d\ude00"`, "\"\u2028\xff\"", `"x y:,{}[]"`}[r.IntN(6)])
	case 1:
		b.WriteString([]string{"0", "-0", "12", "-3.25", "1e9", "2E-3", "1.5e+10"}[r.IntN(7)])
	case 2:
		b.WriteString([]string{"true", "false", "null"}[r.IntN(3)])
	case 3, 4:
		b.WriteString(`"s"`)
	case 5, 6:
		b.WriteByte('[')
		for i := range r.IntN(4) {
			if i > 0 {
				ws()
				b.WriteByte(',')
			}
			randomJSON(r, b, depth+1)
		}
		ws()
		b.WriteByte(']')
	default:
		b.WriteByte('{')
		for i := range r.IntN(4) {
			if i > 0 {
				ws()
				b.WriteByte(',')
			}
			ws()
			b.WriteString([]string{`"id"`, `"k"`, `"\u0041"`, `""`}[r.IntN(4)])
			ws()
			b.WriteByte(':')
			randomJSON(r, b, depth+1)
		}
		ws()
		b.WriteByte('}')
	}
	ws()
}

// mutate breaks a document now and then: a byte dropped, changed or added.
func mutate(r *rand.Rand, s string) string {
	if len(s) == 0 || r.IntN(3) != 0 {
		return s
	}
	i := r.IntN(len(s))
	switch r.IntN(3) {
	case 0:
		return s[:i] + s[i+1:]
	case 1:
		return s[:i] + string("{}[],:\"\\x0-e.\x01"[r.IntN(14)]) + s[i+1:]
	}
	return s[:i] + string("{}[],:\"\\x0-e.\x01"[r.IntN(14)]) + s[i:]
}

func check(t *testing.T, src []byte) {
	t.Helper()
	dst := []byte("keep")
	var want bytes.Buffer
	want.WriteString("keep")
	got, err := AppendIndent(dst, src, "  ", "  ")
	werr := json.Indent(&want, src, "  ", "  ")
	if (err != nil) != (werr != nil) || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("AppendIndent(%q) = %q, %v; json.Indent gives %q, %v", src, got, err, want.Bytes(), werr)
	}
	want.Reset()
	want.WriteString("keep")
	got, err = AppendCompact(dst, src)
	werr = json.Compact(&want, src)
	if (err != nil) != (werr != nil) || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("AppendCompact(%q) = %q, %v; json.Compact gives %q, %v", src, got, err, want.Bytes(), werr)
	}
}

// TestMatchesEncodingJSON: on random documents, valid or broken, the
// output and the verdict are encoding/json's.
func TestMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2))
	valid := 0
	for range 20000 {
		var b strings.Builder
		randomJSON(r, &b, 0)
		src := mutate(r, b.String())
		if json.Valid([]byte(src)) {
			valid++
		}
		check(t, []byte(src))
	}
	if valid < 5000 {
		t.Fatalf("only %d valid documents: the generator proves little", valid)
	}
}

func TestEdges(t *testing.T) {
	for _, s := range []string{"", " ", "{", "[1,]", `{"a" 1}`, `{"a":1,}`, "01", "1.", "1e", "-", "tru", "nul", `"\u12"`, `"\x"`,
		"\"a\x00\"", strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat("[", 100) + strings.Repeat("]", 100),
		" {} \n", "{}x", `{"a":[]}`, `[{}]`, "1 2"} {
		check(t, []byte(s))
	}
}

func FuzzIndent(f *testing.F) {
	for _, s := range []string{`{"id":"Test batch","devicesLink":{"headers":[]},"n":null}`, `[1,{"a":[]}]`, " 1 ", `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) { check(t, src) })
}

func BenchmarkIndent(b *testing.B) {
	item := []byte(`{"id":"Test batch 1","status":"finished","creationDate":"2017-07-25T01:51:00","devicesCount":2,"devicesLink":{"uri":"customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/Test batch 1/devices","method":"GET","headers":[]},"attributes":{"objectType":"DeviceBatch"}}`)
	b.Run("impl=encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		b.SetBytes(int64(len(item)))
		for b.Loop() {
			buf.Reset()
			json.Indent(&buf, item, "  ", "  ")
		}
	})
	b.Run("impl=jsonout", func(b *testing.B) {
		var buf []byte
		b.SetBytes(int64(len(item)))
		for b.Loop() {
			buf, _ = AppendIndent(buf[:0], item, "  ", "  ")
		}
	})
}
