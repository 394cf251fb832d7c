package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// tableRows holds a table's lines (cells separated by tabs) in one byte
// arena, and the width of each column so far, so that -o table prints
// text/tabwriter's layout (minwidth 0, padding 2, spaces) from two passes
// over a compact store: tabwriter keeps a struct per cell and a copy of
// every byte, several times the memory, and writes cell by cell. Unlike
// tabwriter, which counts runes, widths are terminal columns
// (go-runewidth): East Asian wide characters and emoji take two, so a
// company name in Japanese does not shift the columns after it.
type tableRows struct {
	text   []byte
	ends   []int // end of each line in text
	widths []int // columns of the widest cell of each tab-terminated column
	cols   int   // tab-terminated cells per line; -1 before the first line
	plain  bool  // every line has cols tabs and nothing tabwriter treats specially
	// maxRows and maxBytes bound what a listing's table holds (tooLarge).
	maxRows, maxBytes int
}

// A table holds every row until the listing ends, to align its columns:
// these bound what a server can make it hold. A million rows of batches
// take about 100 MiB; -o jsonl and -o csv stream and have no bound.
const (
	maxTableRows  = 1_000_000
	maxTableBytes = 256 << 20
)

func newTableRows() *tableRows {
	return &tableRows{cols: -1, plain: true, maxRows: maxTableRows, maxBytes: maxTableBytes}
}

// tooLarge reports, as one line saying what to use instead, a table past
// its bounds: more than maxRows rows (the header aside) or maxBytes of
// text and line ends.
func (t *tableRows) tooLarge() error {
	rows := len(t.ends) - 1
	if rows <= t.maxRows && len(t.text)+8*len(t.ends) <= t.maxBytes {
		return nil
	}
	what := fmt.Sprintf("more than %d rows", t.maxRows)
	if rows <= t.maxRows {
		what = fmt.Sprintf("more than %d MiB of rows", t.maxBytes>>20)
	}
	return fmt.Errorf("-o table holds every row to align the columns, and this listing has %s: use -o jsonl or -o csv, which print rows as they arrive", what)
}

// add stores one line (without its newline).
func (t *tableRows) add(line string) {
	t.text = append(t.text, line...)
	t.ends = append(t.ends, len(t.text))
	if !t.plain {
		return
	}
	if t.cols < 0 {
		t.cols = strings.Count(line, "\t")
		t.widths = make([]int, t.cols)
	}
	// One pass: cell widths, and bytes tabwriter gives a meaning of their
	// own (escape, line and cell breaks), which leave the whole table to
	// tabwriter itself.
	col, start, ascii := 0, 0, true
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\t':
			if col >= t.cols {
				t.plain = false
				return
			}
			w := i - start
			if !ascii {
				w = runewidth.StringWidth(line[start:i])
			}
			t.widths[col] = max(t.widths[col], w)
			col, start, ascii = col+1, i+1, true
		case c == 0xff || c == '\n' || c == '\v' || c == '\f':
			t.plain = false
			return
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if col != t.cols || !utf8.ValidString(line) {
		t.plain = false
	}
}

func (t *tableRows) line(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.text[start:t.ends[i]]
}

// writeTo prints the table as tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
// would.
func (t *tableRows) writeTo(w *bufio.Writer) error {
	if !t.plain {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i := range t.ends {
			tw.Write(t.line(i))
			tw.Write([]byte{'\n'})
		}
		return tw.Flush()
	}
	const padding = 2
	spaces := bytes.Repeat([]byte{' '}, 64)
	for i := range t.ends {
		line := t.line(i)
		b := w.AvailableBuffer()
		for c := 0; c < t.cols; c++ {
			j := bytes.IndexByte(line, '\t')
			cell := line[:j]
			line = line[j+1:]
			b = append(b, cell...)
			for pad := t.widths[c] + padding - cellWidth(cell); pad > 0; {
				n := min(pad, len(spaces))
				b = append(b, spaces[:n]...)
				pad -= n
			}
		}
		b = append(b, line...)
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// writeRows is writeTable's printing: rows stored, then aligned.
func writeRows(w io.Writer, rows *tableRows) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := rows.writeTo(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// cellWidth is the terminal columns cell takes: its length when it is
// ASCII, else go-runewidth's count (wide characters two, combining marks
// none).
func cellWidth(cell []byte) int {
	for _, c := range cell {
		if c >= utf8.RuneSelf {
			return runewidth.StringWidth(string(cell))
		}
	}
	return len(cell)
}
