package pcjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits bound what one answer may make the decoder hold or do. A zero
// field means no limit. Any decoder behind this package must honour them
// with a *LimitError: LimitStrings enforces MaxString on the byte stream,
// before any decoder buffers the string, so it serves every decoder.
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
	r       io.Reader
	max     int
	in, esc bool // inside a string; the byte before was a backslash
	cur     int  // bytes of the current string so far
	err     error
}

func (s *stringLimiter) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	b := p[:n]
	for i := 0; i < len(b); {
		if !s.in {
			j := bytes.IndexByte(b[i:], '"')
			if j < 0 {
				break
			}
			i += j + 1
			s.in, s.cur = true, 0
			continue
		}
		if s.esc {
			s.esc = false
			s.cur++
			i++
			continue
		}
		j := bytes.IndexAny(b[i:], "\"\\")
		if j < 0 {
			s.cur += len(b) - i
			i = len(b)
		} else {
			s.cur += j
			i += j
			if b[i] == '\\' {
				s.esc = true
				s.cur++
			} else {
				s.in = false
			}
			i++
		}
		if s.cur > s.max {
			s.err = &LimitError{Limit: "MaxString", Max: s.max}
			return 0, s.err
		}
	}
	return n, err
}
