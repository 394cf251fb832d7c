package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCellAndLine(t *testing.T) {
	for _, tc := range []struct{ in, cell, line string }{
		{"plain", "plain", "plain"},
		{"a\tb\nc", `a\tb\nc`, "a b c"},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`, `\x1b[31mred\x1b[0m`},
		{"abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"\u2066x\u2069 \u202a\u202b\u202c\u202d \u2067\u2068", `\u2066x\u2069 \u202a\u202b\u202c\u202d \u2067\u2068`, `\u2066x\u2069 \u202a\u202b\u202c\u202d \u2067\u2068`},
		{"c1\u009bx", `c1\u009bx`, `c1\u009bx`},
		{"bad\xffutf8", `bad\ufffdutf8`, `bad\ufffdutf8`},
		{"  lead\r\n\r\ntrail  ", `  lead\r\n\r\ntrail  `, "lead trail"},
		{"Café 😀", "Café 😀", "Café 😀"},
		// Invisible format characters (Cf) are shown: "S1\u200b" is not
		// "S1".
		{"S1\u200b", `S1\u200b`, `S1\u200b`},
		{"\ufeffid \u2060x\u00ad", `\ufeffid \u2060x\u00ad`, `\ufeffid \u2060x\u00ad`},
		{"a\u200db\u200cc", `a\u200db\u200cc`, `a\u200db\u200cc`},
		// A flag's tag characters are drawn as one flag (TestFlagTags).
		{"🏴\U000e0067\U000e0062\U000e007f", "🏴\U000e0067\U000e0062\U000e007f", "🏴\U000e0067\U000e0062\U000e007f"},
		// A joiner between visible characters beyond ASCII is how the text
		// is written: emoji sequences, Persian, Devanagari.
		{"👨\u200d👩\u200d👧 ❤\ufe0f\u200d🔥", "👨\u200d👩\u200d👧 ❤\ufe0f\u200d🔥", "👨\u200d👩\u200d👧 ❤\ufe0f\u200d🔥"},
		{"می\u200cخواهم क्\u200dष", "می\u200cخواهم क्\u200dष", "می\u200cخواهم क्\u200dष"},
		// Not between two of them: at an end, beside a space or another
		// invisible character.
		{"😀\u200d \u200d😀 é\u200d\u200bé \u200c", `😀\u200d \u200d😀 é\u200d\u200bé \u200c`, `😀\u200d \u200d😀 é\u200d\u200bé \u200c`},
	} {
		if got := Cell(tc.in); got != tc.cell {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.cell)
		}
		if got := Line(tc.in, 0); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}

func TestLineBound(t *testing.T) {
	long := strings.Repeat("é", 5000)
	got := Line(long, 0)
	if !strings.HasSuffix(got, Truncated) || len(got) > MaxLine+len(Truncated)+4 || !utf8.ValidString(got) {
		t.Errorf("Line of %d bytes = %d bytes, ends %q", len(long), len(got), got[len(got)-20:])
	}
	if got := Line(strings.Repeat("x", MaxLine), 0); strings.HasSuffix(got, Truncated) {
		t.Error("a line of exactly MaxLine bytes was cut")
	}
}

// FuzzSafe: whatever the input, the output holds no dangerous rune, is
// valid UTF-8, and a line is one bounded line.
func FuzzSafe(f *testing.F) {
	for _, s := range []string{"a\x1b[2J", "\u202e\u2066", "x\n\ty", "\xff\xfe", "S1\u200b\ufeff", "👨\u200d👩 a\u200d\u200cé\u200dé\u200d", "🏴\U000e0067"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Cell(s), Line(s, 64)} {
			if !utf8.ValidString(out) {
				t.Fatalf("%q -> %q", s, out)
			}
			// The only dangerous runes left are joiners between two
			// visible characters (or cut from the second by Line's bound).
			for i, r := range out {
				if Dangerous(r) && !joins(out, i, utf8.RuneLen(r)) && !strings.HasPrefix(out[i+utf8.RuneLen(r):], Truncated) {
					t.Fatalf("%q -> %q: %U at %d", s, out, r, i)
				}
			}
		}
		if l := Line(s, 64); len(l) > 64+len(`\u0000`)+len(Truncated) {
			t.Fatalf("Line(%q, 64) is %d bytes", s, len(l))
		}
	})
}

// TestFlagTags: the tag characters of a subdivision flag (🏴 then tags
// spelling gbeng and a cancel tag) are kept; a tag anywhere else is
// escaped.
func TestFlagTags(t *testing.T) {
	t.Parallel()
	england := "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
	for _, tc := range []struct{ in, want string }{
		{"wave " + england, "wave " + england},
		{"x\U000e0067y", `x\U000e0067y`},
		{"\U000e0067", `\U000e0067`},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
