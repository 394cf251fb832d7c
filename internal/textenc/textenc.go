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
	"bytes"
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

// bom is U+FEFF, the byte order mark, in UTF-8.
var bom = []byte("\xEF\xBB\xBF")

// NewLineReader returns a reader of r's UTF-8 text (NewReader's) with every
// line end as LF, and without a byte order mark at the start of any line.
// A lone CR, an old Mac's line end, becomes LF: encoding/csv would
// otherwise read it as text, making a whole file one line. A byte order
// mark at the start of a line is what joining two files leaves (`cat a b`,
// `copy /b`, PowerShell 5.1's Out-File -Encoding utf8 appended to): the
// second file's header would start with an invisible character and no
// longer read as one.
//
// A *bufio.Reader is used as it is, as NewReader's UTF-8 reader is.
func NewLineReader(r io.Reader) io.Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &lineReader{src: br, start: true}
}

// lineReader is NewLineReader's reader.
type lineReader struct {
	src   *bufio.Reader
	start bool // at the start of a line
	cr    bool // the last byte read was a CR, given as LF: an LF next is its
}

func (l *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		buf, _ := l.src.Peek(l.src.Buffered())
		if len(buf) == 0 {
			if n > 0 {
				break
			}
			if _, err := l.src.Peek(1); err != nil {
				return 0, err
			}
			continue
		}
		used, wait := 0, false
		for used < len(buf) && n < len(p) {
			switch c := buf[used]; {
			case l.cr && c == '\n':
				l.cr = false
				used++
			case l.start && c == 0xEF && len(buf)-used < 3:
				// Perhaps a byte order mark, cut by the buffer's end.
				wait = true
			case l.start && c == 0xEF && buf[used+1] == bom[1] && buf[used+2] == bom[2]:
				used += 3
				l.cr = false
			case c == '\r':
				p[n] = '\n'
				n++
				used++
				l.cr, l.start = true, true
			default:
				// A run up to the next CR, or to a line end followed by
				// what may be a byte order mark.
				seg := buf[used:min(len(buf), used+len(p)-n)]
				if i := bytes.IndexByte(seg, '\r'); i >= 0 {
					seg = seg[:i]
				}
				if i := bytes.Index(seg, []byte{'\n', 0xEF}); i >= 0 {
					seg = seg[:i+1]
				}
				n += copy(p[n:], seg)
				used += len(seg)
				l.cr, l.start = false, seg[len(seg)-1] == '\n'
			}
			if wait {
				break
			}
		}
		l.src.Discard(used)
		if !wait {
			continue
		}
		if n > 0 || used > 0 {
			if n > 0 {
				break
			}
			continue
		}
		// The buffer starts with the cut mark: read on to tell.
		if b, _ := l.src.Peek(3); len(b) < 3 {
			l.start = false // the text ends first: not a mark
		}
	}
	return n, nil
}
