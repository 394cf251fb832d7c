package pcjson

import (
	"errors"
	"io"
	"sync"
)

// stream is a collection body's read window. Values are cut from it whole
// by their structure alone (strings, escapes, brackets), one pass over
// their bytes, and then checked and decoded from those bytes: by a
// generated scanner for items (scan.go), by jx otherwise. An item larger
// than the window grows it to that item's size; the window never holds
// the page.
type stream struct {
	r         io.Reader
	buf       []byte
	pos, end  int // unread bytes: buf[pos:end]
	eof       bool
	err       error // the body's own read error (not EOF)
	maxString int   // Limits.MaxString, 0 for none
}

// window is the read buffer of a collection's stream: large reads (few
// system calls through the HTTP body's layers) and a few hundred items at
// a time, independent of the page's size.
const window = 256 << 10

var streamPool = sync.Pool{New: func() any { return &stream{buf: make([]byte, window)} }}

func getStream(r io.Reader, maxString int) *stream {
	st := streamPool.Get().(*stream)
	st.r, st.pos, st.end, st.eof, st.err, st.maxString = r, 0, 0, false, nil, maxString
	return st
}

func putStream(st *stream) {
	st.r = nil
	if cap(st.buf) > 4*window {
		return // grown for one huge item: let it go
	}
	streamPool.Put(st)
}

// fill reads more bytes after end, first moving buf[keep:end] to the
// start of the window (growing it when that is all of it). It returns by
// how much the bytes moved; pos moves with them. io.EOF at the body's end.
func (st *stream) fill(keep int) (shift int, err error) {
	if st.err != nil {
		return 0, st.err
	}
	if st.eof {
		return 0, io.EOF
	}
	if keep > 0 {
		copy(st.buf, st.buf[keep:st.end])
		st.end -= keep
		st.pos -= keep
		shift = keep
	}
	if st.end == len(st.buf) {
		st.buf = append(st.buf, make([]byte, len(st.buf))...)
	}
	for range 100 {
		n, err := st.r.Read(st.buf[st.end:])
		st.end += n
		switch {
		case err == io.EOF:
			st.eof = true
		case err != nil:
			st.err = err
		}
		if n > 0 {
			return shift, nil
		}
		if err != nil {
			return shift, err
		}
	}
	st.err = io.ErrNoProgress // the body keeps returning nothing
	return shift, st.err
}

// next is the next byte after white space, not consumed; io.EOF at the
// body's end.
func (st *stream) next() (byte, error) {
	for {
		for st.pos < st.end {
			switch c := st.buf[st.pos]; c {
			case ' ', '\t', '\n', '\r':
				st.pos++
			default:
				return c, nil
			}
		}
		if _, err := st.fill(st.pos); err != nil {
			return 0, err
		}
	}
}

// errMaxDepth is jx's nesting limit (10,000 containers, counted from the
// document's top), which the cut enforces for the values it hands to jx
// one by one.
var errMaxDepth = errors.New("depth: maximum")

// stops marks, per byte, what the cut looks for outside strings (inside,
// quoteRun finds the quote or backslash): in a container (2) the quote and
// the brackets, after a number or literal (4) what ends it.
var stops = func() (t [256]byte) {
	for _, c := range []byte(`"{}[]`) {
		t[c] |= 2
	}
	for _, c := range []byte(",]} \t\n\r") {
		t[c] |= 4
	}
	return t
}()

// cut returns the value at pos (after white space) as it is sent, and
// moves past it. Only its structure is followed: a value that is not JSON
// comes out cut somewhere, for its decoder to refuse. At the body's end
// it returns what there is, for its decoder to find incomplete. depth is
// the nesting of the value's container in the document (containers deeper
// than jx's limit counted from the top are refused).
//
// Every string of the document is inside a value cut here, so this is
// where Limits.MaxString is enforced: a string's length as sent is the
// distance between its quotes, checked when it closes and before the
// window grows for one still open, so no string past the limit is ever
// held whole.
func (st *stream) cut(depth int) ([]byte, error) {
	start := st.pos
	j := start
	level := 0
	in, esc := false, false
	open := 0 // the open string's quote
	switch st.buf[j] {
	case '"':
		in, open = true, j
		j++
	case '{', '[':
	default:
		// A number or a literal: up to the next delimiter, at least one
		// byte (so that a stray delimiter reaches the decoder).
		j++
		for {
			for j < st.end && stops[st.buf[j]]&4 == 0 {
				j++
			}
			if j < st.end {
				return st.take(start, j), nil
			}
			shift, err := st.fill(start)
			start -= shift
			j -= shift
			if err == io.EOF {
				return st.take(start, j), nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	for {
		buf := st.buf[:st.end]
		for j < len(buf) {
			if in {
				if esc {
					esc = false
					j++
					continue
				}
				j = quoteRun(buf, j)
				if j == len(buf) {
					break
				}
				if buf[j] == '\\' {
					esc = true
					j++
					continue
				}
				in = false
				if st.maxString > 0 && j-open-1 > st.maxString {
					return nil, &LimitError{Limit: "MaxString", Max: st.maxString}
				}
				j++
				if level == 0 {
					return st.take(start, j), nil
				}
				continue
			}
			for j < len(buf) && stops[buf[j]]&2 == 0 {
				j++
			}
			if j == len(buf) {
				break
			}
			switch buf[j] {
			case '"':
				in, open = true, j
			case '{', '[':
				level++
				if depth+level > maxDepth {
					return nil, errMaxDepth
				}
			default: // '}', ']'
				level--
				if level == 0 {
					return st.take(start, j+1), nil
				}
			}
			j++
		}
		if in && st.maxString > 0 && j-open-1 > st.maxString {
			return nil, &LimitError{Limit: "MaxString", Max: st.maxString}
		}
		shift, err := st.fill(start)
		start -= shift
		j -= shift
		open -= shift
		if err == io.EOF {
			return st.take(start, j), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// maxDepth is jx's nesting limit.
const maxDepth = 10000

func (st *stream) take(start, end int) []byte {
	st.pos = end
	return st.buf[start:end]
}
