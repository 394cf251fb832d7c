// Package jsonout re-formats JSON the service sent, for the CLI's output:
// AppendIndent is byte for byte encoding/json's Indent and AppendCompact
// its Compact, without their scanner's per-byte state machine calls, so
// that printing 100,000 items costs little next to reading them. Both
// validate what they copy and leave dst as it was on invalid input, as
// encoding/json does.
package jsonout

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// SyntaxError reports JSON that is not valid, at a byte offset of src.
type SyntaxError struct {
	Offset int
	msg    string
}

// Error says where the JSON stops being valid and why.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.msg)
}

var errEnd = errors.New("unexpected end of JSON input")

// AppendIndent appends src indented as json.Indent(dst, src, prefix,
// indent) would: each element on a new line beginning with prefix and
// one indent per level, ": " after keys, "{}" and "[]" kept, white space
// before the value dropped and after it kept.
func AppendIndent(dst, src []byte, prefix, indent string) ([]byte, error) {
	f := formatter{dst: dst, src: src, prefix: prefix, indent: indent, pretty: true}
	return f.run()
}

// AppendCompact appends src with insignificant white space removed, as
// json.Compact would (nothing is escaped), for one-line output (jsonl).
func AppendCompact(dst, src []byte) ([]byte, error) {
	f := formatter{dst: dst, src: src}
	return f.run()
}

type formatter struct {
	dst, src       []byte
	i              int
	prefix, indent string
	pretty         bool
	depth          int
	nl             [64]byte // "\n", prefix and indents: nlLen bytes built
	nlLen          int
}

func (f *formatter) run() ([]byte, error) {
	orig := len(f.dst)
	f.space()
	err := f.value()
	if err == nil {
		// encoding/json keeps white space after the value, and refuses
		// anything else.
		start := f.i
		f.space()
		if f.i < len(f.src) {
			err = f.errorf("invalid character %q after top-level value", f.src[f.i])
		} else if f.pretty {
			f.dst = append(f.dst, f.src[start:]...)
		}
	}
	if err != nil {
		return f.dst[:orig], err
	}
	return f.dst, nil
}

func (f *formatter) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: f.i, msg: fmt.Sprintf(format, args...)}
}

func (f *formatter) space() {
	for f.i < len(f.src) {
		switch f.src[f.i] {
		case ' ', '\t', '\r', '\n':
			f.i++
		default:
			return
		}
	}
}

func (f *formatter) newline() {
	if !f.pretty {
		return
	}
	// One append of "\n", the prefix and depth indents, built once in nl
	// as deeper levels come; past nl's size, piece by piece.
	if n := 1 + len(f.prefix) + f.depth*len(f.indent); n <= len(f.nl) {
		if f.nlLen == 0 {
			f.nl[0] = '\n'
			f.nlLen = 1 + copy(f.nl[1:], f.prefix)
		}
		for f.nlLen < n {
			f.nlLen += copy(f.nl[f.nlLen:], f.indent)
		}
		f.dst = append(f.dst, f.nl[:n]...)
		return
	}
	f.dst = append(f.dst, '\n')
	f.dst = append(f.dst, f.prefix...)
	for range f.depth {
		f.dst = append(f.dst, f.indent...)
	}
}

func (f *formatter) value() error {
	if f.i >= len(f.src) {
		return errEnd
	}
	switch c := f.src[f.i]; {
	case c == '{':
		return f.container('{', '}')
	case c == '[':
		return f.container('[', ']')
	case c == '"':
		return f.str()
	case c == '-' || '0' <= c && c <= '9':
		return f.number()
	case c == 't':
		return f.literal("true")
	case c == 'f':
		return f.literal("false")
	case c == 'n':
		return f.literal("null")
	default:
		return f.errorf("invalid character %q looking for beginning of value", c)
	}
}

func (f *formatter) container(open, close byte) error {
	if f.depth >= maxDepth {
		return f.errorf("exceeded max depth")
	}
	f.dst = append(f.dst, open)
	f.i++
	f.space()
	if f.i < len(f.src) && f.src[f.i] == close {
		f.dst = append(f.dst, close)
		f.i++
		return nil
	}
	f.depth++
	f.newline()
	for {
		if open == '{' {
			if f.i >= len(f.src) {
				return errEnd
			}
			if f.src[f.i] != '"' {
				return f.errorf("invalid character %q looking for beginning of object key string", f.src[f.i])
			}
			if err := f.str(); err != nil {
				return err
			}
			f.space()
			if f.i >= len(f.src) {
				return errEnd
			}
			if f.src[f.i] != ':' {
				return f.errorf("invalid character %q after object key", f.src[f.i])
			}
			f.i++
			f.dst = append(f.dst, ':')
			if f.pretty {
				f.dst = append(f.dst, ' ')
			}
			f.space()
		}
		if err := f.value(); err != nil {
			return err
		}
		f.space()
		if f.i >= len(f.src) {
			return errEnd
		}
		switch f.src[f.i] {
		case ',':
			f.i++
			f.dst = append(f.dst, ',')
			f.newline()
			f.space()
		case close:
			f.i++
			f.depth--
			f.newline()
			f.dst = append(f.dst, close)
			return nil
		default:
			return f.errorf("invalid character %q after element", f.src[f.i])
		}
	}
}

// str copies a string literal, checking its escapes and refusing control
// characters; other bytes (invalid UTF-8 included) are copied as they are,
// as encoding/json's scanner allows them. Runs of plain bytes are skipped
// eight at a time, and the literal is copied once, at its closing quote.
func (f *formatter) str() error {
	src, start := f.src, f.i
	i := start + 1
	for {
		for i+8 <= len(src) && !special(binary.LittleEndian.Uint64(src[i:])) {
			i += 8
		}
		for i < len(src) && plainStringByte[src[i]] {
			i++
		}
		if i >= len(src) {
			f.i = i
			return errEnd
		}
		switch c := src[i]; {
		case c == '"':
			i++
			f.i = i
			f.dst = append(f.dst, src[start:i]...)
			return nil
		case c == '\\':
			if i+1 >= len(src) {
				f.i = i
				return errEnd
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(src) {
						f.i = i
						return errEnd
					}
					if !isHex(src[i+k]) {
						f.i = i + k
						return f.errorf("invalid character %q in \\u hexadecimal character escape", src[f.i])
					}
				}
				i += 6
			default:
				f.i = i + 1
				return f.errorf("invalid character %q in string escape code", src[f.i])
			}
		default: // c < 0x20
			f.i = i
			return f.errorf("invalid character %q in string literal", c)
		}
	}
}

// Word-at-a-time constants: a byte repeated in every byte of a uint64.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special reports whether any of w's eight bytes is not a plain string
// byte: a quote, a backslash or a control character. (The has-zero-byte
// and has-less-than tests can flag a byte wrongly only above one they
// flag rightly, so "any" is exact.)
func special(w uint64) bool {
	q, e := w^('"'*ones), w^('\\'*ones)
	return ((q-ones)&^q|(e-ones)&^e|(w-0x20*ones)&^w)&highs != 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number copies a number literal: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (f *formatter) number() error {
	start := f.i
	if f.src[f.i] == '-' {
		f.i++
	}
	if f.i >= len(f.src) {
		return errEnd
	}
	switch c := f.src[f.i]; {
	case c == '0':
		f.i++
	case '1' <= c && c <= '9':
		f.digits()
	default:
		return f.errorf("invalid character %q in numeric literal", c)
	}
	if f.i < len(f.src) && f.src[f.i] == '.' {
		f.i++
		if f.digits() == 0 {
			return f.numberEnd()
		}
	}
	if f.i < len(f.src) && (f.src[f.i] == 'e' || f.src[f.i] == 'E') {
		f.i++
		if f.i < len(f.src) && (f.src[f.i] == '+' || f.src[f.i] == '-') {
			f.i++
		}
		if f.digits() == 0 {
			return f.numberEnd()
		}
	}
	f.dst = append(f.dst, f.src[start:f.i]...)
	return nil
}

func (f *formatter) numberEnd() error {
	if f.i >= len(f.src) {
		return errEnd
	}
	return f.errorf("invalid character %q in numeric literal", f.src[f.i])
}

func (f *formatter) digits() int {
	n := 0
	for f.i < len(f.src) && '0' <= f.src[f.i] && f.src[f.i] <= '9' {
		f.i++
		n++
	}
	return n
}

func (f *formatter) literal(lit string) error {
	for k := 0; k < len(lit); k++ {
		if f.i >= len(f.src) {
			return errEnd
		}
		if f.src[f.i] != lit[k] {
			return f.errorf("invalid character %q in literal %s", f.src[f.i], lit)
		}
		f.i++
	}
	f.dst = append(f.dst, lit...)
	return nil
}

// plainStringByte marks the bytes a string literal copies without a look:
// all but the quote, the backslash and control characters.
var plainStringByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()
