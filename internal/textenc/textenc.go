// Package textenc reads text files as Windows tools write them, as UTF-8:
// UTF-8 with or without a byte order mark, and UTF-16 little- or big-endian
// with or without one (what Windows PowerShell 5.1's `>` and Out-File write).
// It streams, so a large Autopilot CSV is never held twice.
//
// Why not golang.org/x/text/encoding/unicode: its UTF-16 decoder turns an
// unpaired surrogate or a file cut inside a character into U+FFFD without a
// word, and U+FFFD can also be in a file on purpose, so nothing downstream
// could tell a damaged file from a good one. Users here need "the file is
// damaged at byte N" instead of a device or customer id quietly holding a
// replacement character. Nor does it recognise UTF-16 without a byte order
// mark, which Windows tools write too. The decoding itself is the standard
// library's (unicode/utf16, unicode/utf8); this package adds the sniffing,
// the streaming and the errors.
package textenc

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// Error is UTF-16 text that cannot be decoded. Offset is the byte of the
// file, byte order mark included, where the bad character starts.
type Error struct {
	Offset int64
	// Truncated: the file ends in the middle of a character; otherwise a
	// surrogate has no partner.
	Truncated bool
}

func (e *Error) Error() string {
	if e.Truncated {
		return fmt.Sprintf("the file is not valid UTF-16: it ends in the middle of a character (byte %d); save it again as UTF-8 or UTF-16", e.Offset)
	}
	return fmt.Sprintf("the file is not valid UTF-16: an unpaired surrogate at byte %d; save it again as UTF-8 or UTF-16", e.Offset)
}

// NewReader returns a reader of r's text as UTF-8. A UTF-8 byte order mark
// is dropped; UTF-16, announced by its byte order mark or, without one, shown
// by a zero in one of the first two bytes (a file's first character, a
// header's or an id's, is ASCII), is converted. Anything else passes through
// unchanged, invalid UTF-8 included: callers judge it value by value, where
// they can name the row. Invalid UTF-16 yields the text before the bad
// character, then an *Error.
//
// A *bufio.Reader is used as it is, so a caller's buffer size holds and
// UTF-8 text reaches encoding/csv without another copy.
func NewReader(r io.Reader) io.Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	head, _ := br.Peek(3)
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		br.Discard(3)
		return br
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		br.Discard(2)
		return newUTF16Reader(br, false, 2)
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		br.Discard(2)
		return newUTF16Reader(br, true, 2)
	case len(head) >= 2 && head[0] != 0 && head[1] == 0:
		return newUTF16Reader(br, false, 0)
	case len(head) >= 2 && head[0] == 0 && head[1] != 0:
		return newUTF16Reader(br, true, 0)
	}
	return br
}

// utf16Reader turns UTF-16 text into UTF-8.
type utf16Reader struct {
	src    io.Reader
	be     bool
	in     []byte // raw bytes; in[r:w] not yet decoded
	r, w   int
	out    []byte // decoded UTF-8 not yet returned
	obuf   []byte // the storage behind out
	offset int64  // file offset of in[r], for errors
	err    error
}

func newUTF16Reader(src io.Reader, bigEndian bool, offset int64) *utf16Reader {
	return &utf16Reader{src: src, be: bigEndian, in: make([]byte, 32<<10), obuf: make([]byte, 0, 48<<10), offset: offset}
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.err != nil {
			return 0, u.err
		}
		u.fill()
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

func (u *utf16Reader) unit(i int) uint16 {
	if u.be {
		return uint16(u.in[i])<<8 | uint16(u.in[i+1])
	}
	return uint16(u.in[i+1])<<8 | uint16(u.in[i])
}

// fill reads more bytes and decodes every complete character among them.
func (u *utf16Reader) fill() {
	u.w = copy(u.in, u.in[u.r:u.w])
	u.r = 0
	n, err := u.src.Read(u.in[u.w:])
	u.w += n
	out := slices.Grow(u.obuf[:0], u.w/2*3) // at most 3 UTF-8 bytes per unit
	lo, hi := 0, 1
	// notASCII has the bits that are zero in four ASCII units read as one
	// little-endian word: the high byte, and the top bit of the low one.
	notASCII := uint64(0xFF80_FF80_FF80_FF80)
	if u.be {
		lo, hi = 1, 0
		notASCII = 0x80FF_80FF_80FF_80FF
	}
	in := u.in[:u.w]
	i := 0
	for len(in)-i >= 2 {
		// ASCII, nearly all of a CSV file, takes the short way: four units
		// at a time, then one.
		for len(in)-i >= 8 && binary.LittleEndian.Uint64(in[i:])&notASCII == 0 {
			out = append(out, in[i+lo], in[i+2+lo], in[i+4+lo], in[i+6+lo])
			i += 8
		}
		for len(in)-i >= 2 && in[i+hi] == 0 && in[i+lo] < utf8.RuneSelf {
			out = append(out, in[i+lo])
			i += 2
		}
		if len(in)-i < 2 {
			break
		}
		c := u.unit(i)
		switch {
		case utf16.IsSurrogate(rune(c)) && c < 0xDC00: // high surrogate
			if u.w-i < 4 {
				goto done // wait for the low surrogate
			}
			c2 := u.unit(i + 2)
			if c2 < 0xDC00 || c2 > 0xDFFF {
				u.err = &Error{Offset: u.offset + int64(i)}
				goto done
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(rune(c), rune(c2)))
			i += 4
		case utf16.IsSurrogate(rune(c)): // low surrogate alone
			u.err = &Error{Offset: u.offset + int64(i)}
			goto done
		default:
			out = utf8.AppendRune(out, rune(c))
			i += 2
		}
	}
done:
	u.offset += int64(i)
	u.r = i
	u.out = out
	u.obuf = out[:0]
	if u.err != nil {
		return
	}
	if err != nil {
		if err == io.EOF && u.r < u.w {
			u.err = &Error{Offset: u.offset, Truncated: true}
			return
		}
		u.err = err
	}
}
