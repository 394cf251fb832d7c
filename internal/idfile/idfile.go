// Package idfile reads the CLI's id files (--customers-file, --devices-file):
// the ids of customer tenants for GET /v1/customers/{customer-id}/deviceBatches
// or of devices for PATCH /v1/customers/{customer-id}/DevicePolicyUpdates,
// as people write them and as the CLI's own `-o csv` prints them.
//
// A file is UTF-8 (a byte order mark is skipped) or UTF-16 little- or
// big-endian, with or without a byte order mark: what Windows PowerShell 5.1's
// `>` writes. It is read as CSV (RFC 4180: a quoted field may hold commas,
// quotes and line breaks), one record a line, the id in the first field; a
// file of one bare id a line is such a CSV. Lines end in LF, CRLF or a lone
// CR, and a byte order mark starting a line (two files joined) is skipped.
// The first record is a header, and skipped, when its first field is a
// column name (letters, spaces, '_' and '-') and it has more fields or that
// name ends in "id" ("id,companyName", "Device Id"); such a record further
// on is an error. Blank lines are skipped, and so is everything from a '#'
// outside a quoted field to the end of its line. Reading stops at a size
// bound, so a wrong file cannot fill memory.
//
// The package checks the file's form only; what an id must look like is the
// caller's to check, with the line Read returns.
package idfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/partnercenter-go/devicebatches/internal/textenc"
)

// DefaultMaxBytes bounds a file as stored: a million GUIDs with a company
// name each fit, a wrong file (a disk image, a log) is refused early.
const DefaultMaxBytes = 64 << 20

// Record is one id of the file and the line its record starts on (the
// first line is 1).
type Record struct {
	Line int
	ID   string
}

// Error is a file that cannot be read as an id file. Line is 0 when the
// problem has no line (an empty file is not one).
type Error struct {
	Name string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Name + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
}

// Read reads an id file from r; name names it in errors (the path as given,
// or "stdin"). maxBytes <= 0 means DefaultMaxBytes. The error is an *Error
// for a file that is not an id file, or the error reading r.
func Read(r io.Reader, name string, maxBytes int64) ([]Record, error) {
	f, err := Load(r, name, maxBytes)
	return f.Records, err
}

// File is an id file as read.
type File struct {
	Records []Record
	// Header: the first record was a header row, and skipped. A header
	// and no ids is an export that listed nothing (`customers -o csv`
	// with a prefix no customer has), not an empty file.
	Header bool
}

// Load is Read, also saying whether the file had a header row.
func Load(r io.Reader, name string, maxBytes int64) (File, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return File{}, err
	}
	if int64(len(data)) > maxBytes {
		text, _ := decode(data[:maxBytes])
		return File{}, &Error{name, lineOf(text, len(text)), fmt.Sprintf("the file goes on past %s here: an id file is never this large; split it or check that it is the right file", size(maxBytes))}
	}
	text, err := decode(data)
	if err != nil {
		var te *textenc.Error
		if errors.As(err, &te) {
			return File{}, &Error{name, lineOf(text, len(text)), te.Error()}
		}
		return File{}, err
	}
	return parse(stripComments(text), name)
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// lineOf is the line of text[i].
func lineOf(text string, i int) int {
	return strings.Count(text[:i], "\n") + 1
}

// parse reads the comment-free text as CSV.
func parse(text, name string) (File, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true // `id, "Contoso, Ltd"` and indented ids
	cr.ReuseRecord = true
	var out File
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return File{}, csvError(err, name)
		}
		line, _ := cr.FieldPos(0)
		if strings.ContainsAny(rec[0], "\r\n\"") {
			return File{}, &Error{name, line, "the id's field holds a line break or a quote, which no id has: check the quoting on this line"}
		}
		id := strings.TrimSpace(rec[0])
		if id == "" {
			if blank(rec) { // "   " or ",,": nothing on the line
				continue
			}
			return File{}, &Error{name, line, "the first column is empty: put the id first on the line"}
		}
		wasFirst := first
		first = false
		if wasFirst && isColumnName(id) && (len(rec) > 1 || namesID(id)) {
			out.Header = true
			continue
		}
		// Two exports joined with cat: the second header would otherwise be
		// taken for an id.
		if isColumnName(id) && (len(rec) > 1 || namesID(id)) {
			return File{}, &Error{name, line, fmt.Sprintf("%s is a header row, but only the first row may be one: remove this row", QuoteShort(strings.Join(rec, ",")))}
		}
		out.Records = append(out.Records, Record{Line: line, ID: id})
	}
}

// QuoteShort quotes a value from an id file or a flag (an id, a header)
// for a message, cut so a long one cannot flood the terminal.
func QuoteShort(s string) string {
	const limit = 60
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return strconv.Quote(s)
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func csvError(err error, name string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &Error{name, pe.Line, `a '"' inside a field that does not start with one: remove it, or quote the whole field and double the quote ("a ""b"" c")`}
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		return &Error{name, pe.StartLine, fmt.Sprintf(`a quoted field starting on this line is not closed properly (read up to line %d): end it with '"' before the next comma or line end`, pe.Line)}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &Error{name, pe.Line, `a quoted field is not closed properly: end it with '"' before the next comma or line end`}
	}
	return &Error{name, pe.Line, "not valid CSV: " + pe.Err.Error()}
}

// isColumnName reports whether s names a column (letters, spaces, '_' and
// '-'), as "id" or "Customer Id" do; a mistyped id has digits and is
// reported, not skipped.
func isColumnName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == ' ' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// namesID reports whether a lone column name is an id column's ("id",
// "deviceId", "Customer Id"), so a one-column header is skipped while a
// lone word that is none stays an id for the caller to judge.
func namesID(s string) bool {
	if strings.EqualFold(s, "id") {
		return true
	}
	if len(s) < 3 || !strings.EqualFold(s[len(s)-2:], "id") {
		return false
	}
	// "id" must be a word of its own: "Customer Id", "device_id",
	// "deviceId", "DeviceID"; not the end of "Android".
	before := s[len(s)-3]
	return before == ' ' || before == '_' || before == '-' ||
		(s[len(s)-2] == 'I' && before >= 'a' && before <= 'z')
}

// stripComments drops everything from a '#' outside a quoted field to the
// end of its line, keeping the line break, so lines keep their numbers. A
// '#' inside a quoted field (a company named "Contoso #1") is text. It
// tracks quoting as encoding/csv reads it: a quote opens a quoted field
// only at the field's start. A bare quote inside an unquoted field after
// the id (the inch mark of `GUID,Contoso 27" monitors`) is dropped, since
// only the id is read and strict CSV would refuse the line; one in the id
// itself stays for the CSV reader to refuse, and a quoted field left open
// anywhere is still an error, never a silent end of the file.
func stripComments(s string) string {
	if strings.IndexByte(s, '#') < 0 && strings.IndexByte(s, '"') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	quoted, fieldStart, field := false, true, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(s) && s[i+1] == '"' { // "" is a quote inside
					b.WriteByte(c)
					i++
				} else {
					quoted = false
				}
			}
		case c == '"' && fieldStart:
			quoted = true
		case c == '"' && field > 0:
			continue // a bare quote after the id
		case c == '#':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return b.String()
			}
			i += j - 1 // the '\n' is written next
			continue
		}
		if !quoted {
			switch c {
			case ',':
				field++
			case '\n':
				field = 0
			}
		}
		// Leading spaces are trimmed (TrimLeadingSpace): a field still
		// starts after them.
		fieldStart = !quoted && (c == ',' || c == '\n' || (fieldStart && (c == ' ' || c == '\t')))
		b.WriteByte(c)
	}
	return b.String()
}

// decode returns the file as UTF-8 text (see textenc.NewReader: invalid
// UTF-8 is left as is, only an id holding it is wrong) with LF line ends
// and no byte order mark starting a line (textenc.NewLineReader: a lone CR
// would join two ids into one, and the mark that joining two files leaves
// would make the second header an id). On a *textenc.Error the text up to
// the bad character comes back too, to name its line.
func decode(data []byte) (string, error) {
	var b strings.Builder
	b.Grow(len(data))
	_, err := io.Copy(&b, textenc.NewLineReader(textenc.NewReader(bytes.NewReader(data))))
	return b.String(), err
}
