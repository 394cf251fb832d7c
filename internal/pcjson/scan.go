package pcjson

// The readers the generated scanners (scan* in decode.gen.go) are made of.
// A scanner reads one item from the bytes in front of it (the read window,
// or an item cut whole from the stream) in one pass, finding where it
// ends, without jx and, in borrow mode, without allocating: it is the fast
// path for the common shape of an item (ASCII keys without escapes, in any
// case; strings without escapes; dates and numbers in their usual forms).
// Whatever it is not sure of (an escape, a non-ASCII key, a number with a
// fraction, bytes that end before the item does, anything that is not
// JSON) makes it give up, and the item is decoded by the generated jx
// decoder instead, which gives the answer and the error. So a scanner never
// refuses an item: it either yields exactly what the jx decoder yields or
// says it does not know, which TestScanMatchesDecode, FuzzScan and
// TestCollectionMatchesJX check on random and mutated items.

import (
	"encoding"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/oapi-codegen/nullable"

	"github.com/partnercenter-go/devicebatches/internal/pctime"
)

// scanner reads one item's bytes. With borrow, its strings point into b
// instead of being copied: only for items that are checked and dropped
// before b changes (the raw-only mode of Collection).
//
// maxString (0: none) makes it unsure of a longer string, for the cut to
// report the limit.
type scanner struct {
	b         []byte
	i         int
	borrow    bool
	depth     int
	maxString int
}

// maxScanDepth bounds the nesting a scanner follows in skipped values;
// deeper items are left to jx.
const maxScanDepth = 64

// strClass marks the bytes that end a scanner's run through a string: the
// quote, the backslash, control characters (refused by JSON) and
// non-ASCII bytes (checked as UTF-8 afterwards). 1: stop.
var strClass = func() (t [256]byte) {
	for c := range 256 {
		if c < ' ' || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			t[c] = 1
		}
	}
	return t
}()

// ws skips JSON white space.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek is the next byte after white space, 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// lit consumes the literal word (null, true, false).
func (s *scanner) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// objStart reads '{'; empty reports "{}" (consumed whole).
func (s *scanner) objStart() (empty, ok bool) {
	if s.peek() != '{' {
		return false, false
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return true, true
	}
	return false, true
}

// key reads a key and its colon. Keys with an escape or a non-ASCII byte
// are left to jx (their folding and unescaping is its job).
func (s *scanner) key() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	seg, ok := s.plainString(false)
	if !ok || s.peek() != ':' {
		return nil, false
	}
	s.i++
	return seg, true
}

// next reads the ',' between an object's members (more) or its '}'.
func (s *scanner) next() (more, ok bool) {
	switch s.peek() {
	case ',':
		s.i++
		return true, true
	case '}':
		s.i++
		return false, true
	}
	return false, false
}

// plainString reads a string literal at s.i without escapes or control
// characters, returning its content; non-ASCII content must be valid
// UTF-8 (jx's decoder would replace invalid bytes) and is allowed only
// when utf8OK.
func (s *scanner) plainString(utf8OK bool) ([]byte, bool) {
	start := s.i + 1
	j := start
	b := s.b
	high := false
	for {
		j = plainRun(b, j)
		if j >= len(b) {
			return nil, false
		}
		c := b[j]
		if c == '"' {
			break
		}
		if c < utf8.RuneSelf || !utf8OK {
			return nil, false // an escape or a control character
		}
		high = true
		j++
	}
	seg := b[start:j]
	if high && !utf8.Valid(seg) || s.maxString > 0 && len(seg) > s.maxString {
		return nil, false
	}
	s.i = j + 1
	return seg, true
}

// text is seg as a string: borrowed from the item in borrow mode.
func (s *scanner) text(seg []byte) string {
	if len(seg) == 0 {
		return ""
	}
	if s.borrow {
		return unsafe.String(&seg[0], len(seg))
	}
	return string(seg)
}

func scanString(s *scanner, v *string) bool {
	switch s.peek() {
	case 'n':
		return s.lit("null")
	case '"':
		seg, ok := s.plainString(true)
		if ok {
			*v = s.text(seg)
		}
		return ok
	}
	return false
}

func scanNullableString(s *scanner, v *nullable.Nullable[string]) bool {
	switch s.peek() {
	case 'n':
		if !s.lit("null") {
			return false
		}
		v.SetNull()
		return true
	case '"':
		seg, ok := s.plainString(true)
		if ok {
			v.Set(s.text(seg))
		}
		return ok
	}
	return false
}

func scanBool(s *scanner, v *bool) bool {
	switch s.peek() {
	case 'n':
		return s.lit("null")
	case 't':
		if s.lit("true") {
			*v = true
			return true
		}
	case 'f':
		if s.lit("false") {
			*v = false
			return true
		}
	}
	return false
}

// scanInt32 reads an integer in JSON's grammar (no leading zeros) that
// fits an int32; a fraction or an exponent is left to jx.
func scanInt32(s *scanner, v *int32) bool {
	c := s.peek()
	if c == 'n' {
		return s.lit("null")
	}
	start := s.i
	j := start
	if c == '-' {
		j++
	}
	digits := j
	for j < len(s.b) && s.b[j] >= '0' && s.b[j] <= '9' {
		j++
	}
	n := j - digits
	if n == 0 || n > 10 || (n > 1 && s.b[digits] == '0') {
		return false
	}
	if j < len(s.b) {
		switch s.b[j] {
		case '.', 'e', 'E':
			return false
		}
	}
	x, err := strconv.ParseInt(unsafe.String(&s.b[start], j-start), 10, 32)
	if err != nil {
		return false
	}
	*v = int32(x)
	s.i = j
	return true
}

// scanDateTime reads a date-time the way DateTime.UnmarshalJSON does, for
// ASCII text without escapes: "" is no date, the zero DateTime.
func scanDateTime(s *scanner, v *pctime.DateTime) bool {
	switch s.peek() {
	case 'n':
		return s.lit("null")
	case '"':
		seg, ok := s.plainString(false)
		if !ok {
			return false
		}
		if len(seg) == 0 {
			*v = pctime.DateTime{}
			return true
		}
		d, err := pctime.Parse(s.text(seg))
		if err != nil {
			return false
		}
		*v = d
		return true
	}
	return false
}

// scanText reads a string into a type that decodes itself from text (a
// UUID), as encoding/json does.
func scanText[P interface {
	*E
	encoding.TextUnmarshaler
}, E any](s *scanner, v *E) bool {
	switch s.peek() {
	case 'n':
		return s.lit("null")
	case '"':
		seg, ok := s.plainString(false)
		return ok && P(v).UnmarshalText(seg) == nil
	}
	return false
}

func scanStrings(s *scanner, v *[]string) bool {
	return scanSlice(s, v, scanString)
}

// scanSlice is readSlice's scanner: null sets *v to nil, [] to a new
// empty slice, elements are decoded in place as encoding/json does (see
// growSlice).
func scanSlice[E any](s *scanner, v *[]E, elem func(*scanner, *E) bool) bool {
	switch s.peek() {
	case 'n':
		if !s.lit("null") {
			return false
		}
		*v = nil
		return true
	case '[':
	default:
		return false
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		*v = endSlice(*v, 0)
		return true
	}
	out := *v
	for i := 0; ; i++ {
		out = growSlice(out, i)
		if !elem(s, &out[i]) {
			return false
		}
		switch s.peek() {
		case ',':
			s.i++
			continue
		case ']':
			s.i++
			*v = endSlice(out, i+1)
			return true
		}
		return false
	}
}

// skip reads any JSON value, checking its grammar as strictly as JSON
// does (jx accepts all of it), up to maxScanDepth.
func (s *scanner) skip() bool {
	switch c := s.peek(); c {
	case '"':
		return s.skipString()
	case 'n':
		return s.lit("null")
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case '{', '[':
		if s.depth >= maxScanDepth {
			return false
		}
		s.depth++
		s.i++
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		if s.peek() == closer {
			s.i++
			s.depth--
			return true
		}
		for {
			if c == '{' {
				if s.peek() != '"' || !s.skipString() || s.peek() != ':' {
					return false
				}
				s.i++
			}
			if !s.skip() {
				return false
			}
			switch s.peek() {
			case ',':
				s.i++
				continue
			case closer:
				s.i++
				s.depth--
				return true
			}
			return false
		}
	default:
		return s.skipNumber()
	}
}

// skipString reads a string literal with any valid escapes; its bytes are
// not kept, so invalid UTF-8 (which jx accepts) does not matter.
func (s *scanner) skipString() bool {
	b := s.b
	j := s.i + 1
	for {
		j = plainRun(b, j)
		if j >= len(b) {
			return false
		}
		switch c := b[j]; {
		case c == '"':
			if s.maxString > 0 && j-s.i-1 > s.maxString {
				return false
			}
			s.i = j + 1
			return true
		case c == '\\':
			if j+1 >= len(b) {
				return false
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+6 > len(b) {
					return false
				}
				for _, h := range b[j+2 : j+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return false
					}
				}
				j += 6
			default:
				return false
			}
		case c < ' ':
			return false
		default:
			j++
		}
	}
}

// skipNumber reads a number in JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) skipNumber() bool {
	b := s.b
	j := s.i
	digits := func() int {
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(b) && b[j] == '-' {
		j++
	}
	start := j
	n := digits()
	if n == 0 || (n > 1 && b[start] == '0') {
		return false
	}
	if j < len(b) && b[j] == '.' {
		j++
		if digits() == 0 {
			return false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = j
	return true
}
