package autopilot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// rowsReader hands over head, then device rows up to 16 MiB, counting the
// bytes read, so a test can see how far Read went.
type rowsReader struct {
	pending []byte
	i, read int
}

func (r *rowsReader) Read(p []byte) (int, error) {
	if len(r.pending) == 0 {
		if r.read >= 16<<20 {
			return 0, io.EOF
		}
		r.i++
		r.pending = []byte(fmt.Sprintf("S%d,,%s\n", r.i, fakeHash(r.i)))
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	r.read += n
	return n, nil
}

// TestRecordBound: one unclosed quote does not read the rest of the file
// into one value (encoding/csv would hold it several times over before a
// value's length is checked): reading stops a little past maxRecordBytes,
// naming the line the value starts on.
func TestRecordBound(t *testing.T) {
	notClosed := "a quoted value is not closed (the file may be cut or malformed); close it with a double quote, and double any quote inside it"
	tests := []struct {
		name, head string
		want       Problem
	}{
		{"unclosed quote", lines(infoHeader, "PF3ZK1A0,,"+h1, `"PF3ZK1B7,,`+h2), Problem{Row: 3, Message: notClosed}},
		{"unclosed quote after a value and spaces", lines(infoHeader, "", `PF3ZK1B7, "x`), Problem{Row: 3, Message: notClosed}},
		{"unclosed quote after an escaped one", lines(infoHeader, `"PF""3`), Problem{Row: 2, Message: notClosed}},
		// encoding/csv skips Unicode white space before a quote too.
		{"unclosed quote after a no-break space", lines(infoHeader, "PF3ZK1A0,,\u00a0\"x"), Problem{Row: 2, Message: notClosed}},
		{"unclosed quote after an ideographic space", lines(infoHeader, "\u3000\"PF3ZK1B7,,"), Problem{Row: 2, Message: notClosed}},
		{"a line without end", infoHeader + "\n\n" + strings.Repeat("A", maxRecordBytes),
			Problem{Row: 3, Message: "the line is longer than 1 MiB, which no device's line is; check that the file is an Autopilot CSV file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &rowsReader{pending: []byte(tt.head)}
			_, err := Read(src, &ReadOptions{MaxBytes: -1})
			var ve *ValidationError
			if !errors.As(err, &ve) || !reflect.DeepEqual(ve.Problems, []Problem{tt.want}) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if src.read > len(tt.head)+maxRecordBytes+256<<10 {
				t.Errorf("read %d bytes for a record bound of %d", src.read, maxRecordBytes)
			}
		})
	}
}

// TestRecordBoundQuoting: the bound follows quoting as encoding/csv reads
// it, so quoted values within it, however their quotes fall, and quoting
// errors read as before.
func TestRecordBoundQuoting(t *testing.T) {
	long := strings.Repeat("x", 600<<10) // two of them pass the bound
	f := mustRead(t, lines(infoHeader+",Group Tag",
		`"PF3Z""K1A0",,`+h1+`,"Sales,`, long+`"`,
		`  "PF3ZK1B7",,`+h2+`,"""a"""`,
		`PF3ZK1C4,,`+h3+`,`+long), nil)
	if len(f.Devices) != 3 || f.Devices[0].SerialNumber != `PF3Z"K1A0` || f.Devices[1].Row != 4 || f.Devices[2].Row != 5 {
		t.Errorf("Devices = %+v", f.Devices)
	}
	// A quote after a closing one's text, and a bare quote, each drop the
	// rest of their line; the next line is a record of its own.
	ve := mustFail(t, []byte(lines(infoHeader+",Group Tag",
		`"PF3ZK1A0"x,,`+h1+`,"`+long,
		`PF3Z"K1B7,,`+h2+`,"`+long,
		`PF3ZK1C4,,`+h3+`,"`+long+`"`)), nil)
	want := []Problem{
		{Row: 2, Message: "a quoted value has text after its closing double quote, or no closing quote; quote the whole value and double any quote inside it"},
		{Row: 3, Message: "a double quote (\") appears inside a value that is not quoted; put the whole value in double quotes and double the quote inside it, or remove it"},
	}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("Problems = %+v\nwant %+v", ve.Problems, want)
	}
}

// FuzzRecordReader: with a small bound, recordReader fails exactly when
// encoding/csv, reading the same text as Read does, has a record (its
// bytes from the first of its line to the line end it consumes) longer
// than the bound, and names the line that record starts on.
func FuzzRecordReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n\n\"c\nd\",e\n", `"a""b",c` + "\n", "\"a\"x,\"b\nc\n", "a\"b,\"c\nd\n", " \t\"a\n\nb\"\n,\"c\"\"\"\n", "\"open\n\n",
		strings.Repeat("x", 40) + "\ny\n", "a,\u00a0\"b\n\nc\"\n", "\u3000\"" + strings.Repeat("y", 40) + "\n",
	} {
		f.Add(s)
	}
	const bound = 32
	f.Fuzz(func(t *testing.T, in string) {
		if strings.ContainsRune(in, '\r') {
			return // no CR after NewLineReader
		}
		// Records as encoding/csv reads them.
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		cr.TrimLeadingSpace = true
		wantLine := 0
		for before := 0; wantLine == 0; {
			_, err := cr.Read()
			after := int(cr.InputOffset())
			if err == io.EOF {
				break
			}
			first := before
			for first < after && in[first] == '\n' {
				first++
			}
			if after-first > bound {
				wantLine = strings.Count(in[:first], "\n") + 1
			}
			before = after
		}
		_, err := io.Copy(io.Discard, newRecordReader(strings.NewReader(in), bound))
		var re *recordError
		gotLine := 0
		if errors.As(err, &re) {
			gotLine = re.line
		} else if err != nil {
			t.Fatal(err)
		}
		if gotLine != wantLine {
			t.Fatalf("%q: recordReader stops at line %d, encoding/csv's first record past %d bytes is on line %d", in, gotLine, bound, wantLine)
		}
	})
}
