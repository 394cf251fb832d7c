// Package safetext makes text that came from a server safe to show on a
// terminal: on one line, bounded, with control characters, Unicode
// bidirectional controls and invisible format characters escaped so that
// they can neither drive the terminal (ANSI escape sequences), reorder what
// the user reads ("Trojan Source" overrides), nor hide in a value (a serial
// number ending in a zero-width space looks like one without). The CLI's
// table cells and error lines and the wrapper's error texts all go through
// it.
package safetext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLine is how many bytes of a server's text an error line keeps.
const MaxLine = 2 << 10

// Truncated ends a line cut at its bound.
const Truncated = " (truncated)"

// Dangerous reports a rune that must not reach a terminal as is: C0 and C1
// control characters, DEL, the bidirectional embedding, override and
// isolate controls (U+202A–U+202E, U+2066–U+2069), the implicit marks
// (U+200E, U+200F, U+061C), the other Unicode format characters (category
// Cf: zero-width space, joiners, word joiner, byte order mark, soft hyphen,
// tag characters), which are invisible, the line and paragraph separators,
// and an invalid encoding.
func Dangerous(r rune) bool {
	switch {
	case r < 0x80:
		return r < 0x20 || r == 0x7f
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	case r == utf8.RuneError:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// joins reports whether the zero-width joiner or non-joiner s[i:i+n] is
// kept (so is a tag character of a flag emoji, flagTag): between two
// visible characters beyond ASCII it is part of how the text is written (an emoji sequence such as 👨‍👩‍👧, which go-runewidth
// counts as the one two-column glyph a terminal draws; Persian, Arabic and
// Indic words), not hidden in it. Anywhere else (in or beside ASCII, at an
// end, beside another invisible character) it is escaped.
func joins(s string, i, n int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	if isTag(r) {
		return flagTag(s[:i])
	}
	if r != 0x200c && r != 0x200d {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i+n:])
	return visible(before) && visible(after)
}

// isTag: a tag character (U+E0020–U+E007F), Cf, which spells the
// subdivision of a flag emoji after U+1F3F4.
func isTag(r rune) bool { return r >= 0xe0020 && r <= 0xe007f }

// flagTag reports whether a tag character after before belongs to a flag
// emoji: only tag characters (at most 32, a flag's are 7) lie between it
// and a U+1F3F4 (🏴), so the sequence is drawn as one flag, not hidden text.
func flagTag(before string) bool {
	for range 32 {
		r, size := utf8.DecodeLastRuneInString(before)
		if r == 0x1f3f4 {
			return true
		}
		if !isTag(r) {
			return false
		}
		before = before[:len(before)-size]
	}
	return false
}

// visible: a character beyond ASCII that is drawn.
func visible(r rune) bool {
	return r >= 0x80 && !Dangerous(r) && !unicode.IsSpace(r)
}

// escape writes r as a Go-style escape.
func escape(b *strings.Builder, r rune) {
	switch {
	case r == '\t':
		b.WriteString(`\t`)
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == utf8.RuneError:
		b.WriteString(`\ufffd`)
	case r < 0x80:
		fmt.Fprintf(b, `\x%02x`, r)
	case r > 0xffff: // a tag character
		fmt.Fprintf(b, `\U%08x`, r)
	default:
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// Cell returns s for a table cell: every dangerous rune (tabs and newlines
// included, which would break the columns) written as an escape such as
// \t, \x1b, \u202e or \u200b, but for a joiner between two visible
// characters beyond ASCII (see joins); text without any is returned
// unchanged.
func Cell(s string) string {
	if strings.IndexFunc(s, Dangerous) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		if Dangerous(r) && !joins(s, i, n) {
			escape(&b, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Line folds s into one line of at most max bytes (MaxLine when max <= 0):
// runs of white space (newlines and tabs included) become one space,
// other dangerous runes are escaped as Cell escapes them, and a longer text
// is cut at a rune boundary and ends with Truncated.
func Line(s string, max int) string {
	if max <= 0 {
		max = MaxLine
	}
	var b strings.Builder
	space := false
	for i, w := 0, 0; i < len(s); i += w {
		r, n := utf8.DecodeRuneInString(s[i:])
		w = n
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029 {
			space = b.Len() > 0
			continue
		}
		if b.Len() >= max {
			b.WriteString(Truncated)
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if Dangerous(r) && !joins(s, i, n) {
			escape(&b, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
