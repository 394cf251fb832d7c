package pcjson

// The readers the generated decoders (decode.gen.go) are made of. Each
// follows encoding/json's rules for its Go type, which is what the
// wrapper's callers relied on before: a JSON null leaves a string, number,
// bool, struct or date as it is and sets a slice to nil; a value of the
// wrong JSON type is an error; strings are unescaped with invalid UTF-8 and
// lone surrogates replaced by U+FFFD.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-faster/jx"
	"github.com/oapi-codegen/nullable"

	"github.com/partnercenter-go/devicebatches/internal/pctime"
)

// typeError says which JSON type came where another was expected.
func typeError(d *jx.Decoder, want string) error {
	return fmt.Errorf("cannot decode a JSON %s into %s", d.Next(), want)
}

// objectStart reads a null (done) or checks an object follows.
func objectStart(d *jx.Decoder, typ string) (done bool, err error) {
	switch d.Next() {
	case jx.Null:
		return true, d.Null()
	case jx.Object:
		return false, nil
	}
	return true, typeError(d, "a "+typ+" object")
}

func readString(d *jx.Decoder, v *string) error {
	switch d.Next() {
	case jx.Null:
		return d.Null()
	case jx.String:
		raw, err := d.Raw()
		if err != nil {
			return err
		}
		s, err := unquote(raw)
		if err != nil {
			return err
		}
		*v = s
		return nil
	}
	return typeError(d, "a string")
}

func readInt32(d *jx.Decoder, v *int32) error {
	switch d.Next() {
	case jx.Null:
		return d.Null()
	case jx.Number:
		raw, err := d.Raw()
		if err != nil {
			return err
		}
		// encoding/json: an integer literal in range, no fraction or exponent.
		n, err := strconv.ParseInt(string(raw), 10, 32)
		if err != nil {
			return fmt.Errorf("cannot decode the number %s into an int32", raw)
		}
		*v = int32(n)
		return nil
	}
	return typeError(d, "an int32")
}

func readBool(d *jx.Decoder, v *bool) error {
	switch d.Next() {
	case jx.Null:
		return d.Null()
	case jx.Bool:
		b, err := d.Bool()
		if err != nil {
			return err
		}
		*v = b
		return nil
	}
	return typeError(d, "a bool")
}

func readStrings(d *jx.Decoder, v *[]string) error {
	return readSlice(d, v, readString)
}

// readSlice decodes an array into *v as encoding/json does: element i is
// decoded into (*v)[i] in place while i is within its capacity (a
// repeated key merges into the elements the first one read), is zero
// past it; null sets *v to nil, [] to a new empty slice.
func readSlice[E any](d *jx.Decoder, v *[]E, elem func(*jx.Decoder, *E) error) error {
	switch d.Next() {
	case jx.Null:
		*v = nil
		return d.Null()
	case jx.Array:
	default:
		return typeError(d, "an array")
	}
	s := *v
	i := 0
	it, err := d.ArrIter()
	if err != nil {
		return err
	}
	for it.Next() {
		s = growSlice(s, i)
		if err := elem(d, &s[i]); err != nil {
			*v = s
			return err
		}
		i++
	}
	*v = endSlice(s, i)
	return it.Err()
}

// growSlice makes s[i] addressable for element i of an array as
// encoding/json does: within s's capacity the element already there (the
// elements of a repeated key's earlier array), past it a zero one.
func growSlice[E any](s []E, i int) []E {
	switch {
	case i < len(s):
		return s
	case i < cap(s):
		return s[:i+1]
	}
	var zero E
	return append(s, zero)
}

// endSlice is s after an array of n elements: cut to n, and a new empty
// slice for [] (encoding/json drops the backing array there).
func endSlice[E any](s []E, n int) []E {
	if n == 0 {
		return []E{}
	}
	return s[:n]
}

// readDateTime hands the value as sent to DateTime's own UnmarshalJSON,
// exactly as encoding/json does.
func readDateTime(d *jx.Decoder, v *pctime.DateTime) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	return v.UnmarshalJSON(raw)
}

// readNullableString keeps null apart from absent: null is SetNull.
func readNullableString(d *jx.Decoder, v *nullable.Nullable[string]) error {
	switch d.Next() {
	case jx.Null:
		v.SetNull()
		return d.Null()
	case jx.String:
		var s string
		if err := readString(d, &s); err != nil {
			return err
		}
		v.Set(s)
		return nil
	}
	return typeError(d, "a string or null")
}

// decodeStd decodes a value of a type the generator has no reader for
// with encoding/json.
func decodeStd(d *jx.Decoder, v any) error {
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// foldName is encoding/json's key folding: ASCII letters upper-cased, any
// other rune mapped to the smallest rune of its case-folding orbit (so the
// Kelvin sign matches "k" and "ſ" matches "s").
func foldName(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}

// unquote turns a JSON string literal (quotes included, already checked by
// jx: escapes well formed, no control characters) into its text as
// encoding/json does.
func unquote(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", fmt.Errorf("invalid string literal %.40q", raw)
	}
	s := raw[1 : len(raw)-1]
	// jx has checked the literal (no quote or control character inside):
	// without a backslash and with valid UTF-8 it is its own text.
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		return string(s), nil
	}
	// The slow path starts at the first byte that may change.
	i := 0
	for i < len(s) && s[i] != '\\' && s[i] < utf8.RuneSelf {
		i++
	}
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	b = append(b, s[:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", errBadString
			}
			switch s[i+1] {
			case '"', '\\', '/':
				b = append(b, s[i+1])
				i += 2
			case 'b':
				b = append(b, '\b')
				i += 2
			case 'f':
				b = append(b, '\f')
				i += 2
			case 'n':
				b = append(b, '\n')
				i += 2
			case 'r':
				b = append(b, '\r')
				i += 2
			case 't':
				b = append(b, '\t')
				i += 2
			case 'u':
				rr := getu4(s[i:])
				if rr < 0 {
					return "", errBadString
				}
				i += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(s[i:])
					if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
						i += 6
						b = utf8.AppendRune(b, dec)
						break
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
			default:
				return "", errBadString
			}
		case c == '"' || c < ' ':
			return "", errBadString
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			i += size
			b = utf8.AppendRune(b, r) // an invalid byte is RuneError, size 1
		}
	}
	return string(b), nil
}

var errBadString = fmt.Errorf("invalid escape or character in a JSON string")

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
