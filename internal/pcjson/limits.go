package pcjson

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Limits bound what one answer may make the decoder hold or do. A zero
// field means no limit. Any decoder behind this package must honour them
// with a *LimitError: Collection checks MaxString where it cuts values
// from the stream (every string is inside one), before the string is ever
// held whole; Value reads through LimitStrings, which checks it on the
// byte stream.
type Limits struct {
	// MaxString is the longest JSON string (object keys included) kept,
	// in bytes as sent, escapes included.
	MaxString int
	// MaxItems is the most items one collection page may hold.
	MaxItems int
}

// ErrLimit is wrapped by every *LimitError.
var ErrLimit = errors.New("limit exceeded")

// LimitError reports an answer that went past one of the Limits.
type LimitError struct {
	// Limit names the field of Limits: "MaxString" or "MaxItems".
	Limit string
	// Max is the limit's value.
	Max int
}

// Error says which limit was passed.
func (e *LimitError) Error() string {
	switch e.Limit {
	case "MaxString":
		return fmt.Sprintf("a JSON string is longer than the limit of %d bytes", e.Max)
	case "MaxItems":
		return fmt.Sprintf("the page has more than the limit of %d items", e.Max)
	}
	return fmt.Sprintf("the answer passed the %s limit of %d", e.Limit, e.Max)
}

// Unwrap returns ErrLimit.
func (e *LimitError) Unwrap() error { return ErrLimit }

// LimitStrings returns a reader of r that fails with a *LimitError as soon
// as one JSON string in the stream is longer than max bytes (max <= 0: r
// itself). It follows only the JSON lexical structure (quotes and
// backslash escapes), so it costs one scan of the bytes and never holds
// more than a read buffer.
func LimitStrings(r io.Reader, max int) io.Reader {
	if max <= 0 {
		return r
	}
	return &stringLimiter{r: r, max: max}
}

type stringLimiter struct {
	r   io.Reader
	max int
	// Positions count bytes from the start of the stream: off is that of
	// the next read's first byte, open that of the current string's
	// opening quote, skip that of the byte after the last backslash in a
	// string (escaped, so never a closing quote).
	off, open, skip int
	in              bool // inside a string
	err             error
}

func (s *stringLimiter) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	if !s.scan(p[:n]) {
		s.err = &LimitError{Limit: "MaxString", Max: s.max}
		return 0, s.err
	}
	return n, err
}

// Word-at-a-time constants: a byte repeated in every byte of a uint64.
const (
	lows  = 0x7f7f7f7f7f7f7f7f
	quote = '"' * 0x0101010101010101
	bslsh = '\\' * 0x0101010101010101
)

// specials has the high bit of each byte of w that is a quote or a
// backslash set, and no other bit (exact, unlike the has-zero-byte test,
// so every flagged byte can be used).
func specials(w uint64) uint64 {
	q, e := w^quote, w^bslsh
	q = ^((q&lows + lows) | q | lows)
	e = ^((e&lows + lows) | e | lows)
	return q | e
}

// scan carries the lexical state over b and reports whether every string
// so far is within the limit. It is one pass over the bytes, eight at a
// time: a word without a quote or backslash costs a few instructions,
// inside a string or out; each quote or backslash costs a handful more.
// A string's length as sent is the distance between its quotes, so
// escapes matter only to tell which quote closes it.
func (s *stringLimiter) scan(b []byte) bool {
	in, open, skip, off := s.in, s.open, s.skip, s.off
	for j := 0; j < len(b); j += 8 {
		var w uint64
		if j+8 <= len(b) {
			w = binary.LittleEndian.Uint64(b[j:])
		} else {
			var tail [8]byte
			copy(tail[:], b[j:])
			w = binary.LittleEndian.Uint64(tail[:])
		}
		for m := specials(w); m != 0; m &= m - 1 {
			k := j + bits.TrailingZeros64(m)>>3
			pos := off + k
			switch {
			case !in:
				// A quote opens a string; a backslash outside one is
				// not JSON, and the decoder refuses it.
				if b[k] == '"' {
					in, open = true, pos
				}
			case pos == skip:
				// Escaped by the backslash before it.
			case b[k] == '"':
				in = false
				if pos-open-1 > s.max {
					return false
				}
			default: // a backslash: the next byte is escaped
				skip = pos + 1
			}
		}
	}
	off += len(b)
	// A string still open: its bytes so far.
	if in && off-open-1 > s.max {
		return false
	}
	s.in, s.open, s.skip, s.off = in, open, skip, off
	return true
}
