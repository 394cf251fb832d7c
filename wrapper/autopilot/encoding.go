package autopilot

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// limitReader passes at most limit bytes through and sets exceeded (and
// fails) once the source holds more.
type limitReader struct {
	r         io.Reader
	remaining int64
	exceeded  bool
}

var errTooLarge = errors.New("input larger than the limit")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.exceeded {
		return 0, errTooLarge
	}
	// Ask for one byte more than allowed so that a file of exactly the limit
	// passes and one byte more does not.
	if l.remaining < int64(len(p)) {
		p = p[:l.remaining+1]
	}
	n, err := l.r.Read(p)
	l.remaining -= int64(n)
	if l.remaining < 0 {
		l.exceeded = true
		return n - 1, errTooLarge
	}
	return n, err
}

// encodingError is a file that is not valid in the encoding its byte order
// mark announced.
type encodingError struct{ msg string }

func (e *encodingError) Error() string { return e.msg }

// decode looks at the first bytes of br for a byte order mark (or the zero
// bytes of BOM-less UTF-16 text) and returns a reader of UTF-8 text.
func decode(br *bufio.Reader) io.Reader {
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
	// No byte order mark: a header is ASCII, so UTF-16 shows as a zero in
	// one of its first two bytes.
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
	offset int64  // file offset of in[r], for error messages
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
	if u.be {
		lo, hi = 1, 0
	}
	in := u.in[:u.w]
	i := 0
	for len(in)-i >= 2 {
		// ASCII, nearly all of an Autopilot file, takes the short way.
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
				u.err = u.invalid(i)
				goto done
			}
			out = utf8.AppendRune(out, utf16.DecodeRune(rune(c), rune(c2)))
			i += 4
		case utf16.IsSurrogate(rune(c)): // low surrogate alone
			u.err = u.invalid(i)
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
			u.err = &encodingError{fmt.Sprintf("the file is not valid UTF-16: it ends in the middle of a character (byte %d); save it again as UTF-8 or UTF-16", u.offset)}
			return
		}
		u.err = err
	}
}

func (u *utf16Reader) invalid(i int) error {
	return &encodingError{fmt.Sprintf("the file is not valid UTF-16: an unpaired surrogate at byte %d; save it again as UTF-8 or UTF-16", u.offset+int64(i))}
}
