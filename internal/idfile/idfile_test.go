package idfile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	idA = "47021739-3426-40bf-9601-61b4b6d7c793"
	idB = "7c141ea9-2816-4e15-a819-53f6856499ff"
)

func utf16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func utf16BE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFE, 0xFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

// recs is "line:id" pairs, for short expectations.
func recs(rs []Record) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d:%s", r.Line, r.ID)
	}
	return b.String()
}

// csvOf writes rows as encoding/csv does, as the CLI's -o csv prints them.
func csvOf(rows ...[]string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.String()
}

func TestRead(t *testing.T) {
	t.Parallel()
	devicesExport := "id,serialNumber,productKey,modelName,oemManufacturerName,uploadedDate\n" +
		idB + ",2R9-vm,,Virtual Machine,Microsoft Corporation,2017-08-09T14:43:26.0092288-07:00\n"
	tests := []struct {
		name    string
		in      string
		want    string // recs of the result
		wantErr string // the whole error
	}{
		{name: "one per line", in: idA + "\n" + idB + "\n", want: "1:" + idA + " 2:" + idB},
		{name: "no final newline", in: idA + "\n" + idB, want: "1:" + idA + " 2:" + idB},
		{name: "blank lines, comments, CRLF, spaces", in: "# customers\r\n\r\n  " + idA + "  # contoso\r\n\t\n" + idB + "\r\n", want: "3:" + idA + " 5:" + idB},
		{name: "comment holding a quote", in: idA + ` # the "old" laptop` + "\n", want: "1:" + idA},
		{name: "utf-8 byte order mark", in: "\uFEFF" + idA + "\n", want: "1:" + idA},
		{name: "utf-16 le with bom", in: string(utf16LE("id,serialNumber\n"+idA+",2R9\n", true)), want: "2:" + idA},
		{name: "utf-16 be with bom", in: string(utf16BE(idA+"\n"+idB+"\n", true)), want: "1:" + idA + " 2:" + idB},
		{name: "utf-16 le without bom", in: string(utf16LE(idA+"\n", false)), want: "1:" + idA},
		{name: "utf-16 be without bom", in: string(utf16BE(idA+"\n", false)), want: "1:" + idA},
		{name: "utf-16 beyond the bmp", in: string(utf16LE(idA+",\U0001F600 Ltd\n", true)), want: "1:" + idA},
		{name: "devices -o csv export", in: devicesExport, want: "2:" + idB},
		{name: "customers -o csv with a newline in a name", in: csvOf([]string{"id", "companyName"}, []string{idA, "Contoso\n\x1b[31mRED\""}, []string{idB, "Fabrikam #1, Ltd"}), want: "2:" + idA + " 4:" + idB},
		{name: "quoted id", in: `"` + idA + `",x` + "\n", want: "1:" + idA},
		{name: "one-column header", in: "Device Id\n" + idB + "\n", want: "2:" + idB},
		{name: "lone word is not a header", in: "contoso\n", want: "1:contoso"},
		{name: "header after comments", in: "# export\nid,companyName\n" + idA + ",Contoso\n", want: "3:" + idA},
		{name: "mistyped id is not a header", in: "4702173-3426-40bf-9601-61b4b6d7c793,Contoso\n", want: "1:4702173-3426-40bf-9601-61b4b6d7c793"},
		{name: "semicolons are not columns", in: "id;serialNumber\n", want: "1:id;serialNumber"},
		{name: "empty", in: "", want: ""},
		{name: "only comments", in: "# a\n\n#b\n", want: ""},
		{name: "empty rows", in: ",,\n \n", want: ""},

		{name: "second header", in: "id,companyName\n" + idA + ",x\nid,companyName\n" + idB + ",y\n", wantErr: `f:3: "id,companyName" is a header row, but only the first row may be one: remove this row`},
		// cat of two exports, the second written by PowerShell 5.1's
		// Out-File -Encoding utf8 (or copy /b of two UTF-16 files): its
		// byte order mark starts line 3.
		{name: "second header after a byte order mark", in: "id,companyName\n" + idA + ",x\n\uFEFFid,companyName\n" + idB + ",y\n", wantErr: `f:3: "id,companyName" is a header row, but only the first row may be one: remove this row`},
		{name: "second one-column header after a byte order mark", in: "id\r\n" + idA + "\r\n\uFEFFid\r\n" + idB + "\r\n", wantErr: `f:3: "id" is a header row, but only the first row may be one: remove this row`},
		{name: "second one-column header", in: "deviceId\n" + idA + "\ndeviceId\n" + idB + "\n", wantErr: `f:3: "deviceId" is a header row, but only the first row may be one: remove this row`},
		{name: "utf-16 files joined", in: string(utf16LE("id\r\n"+idA+"\r\n", true)) + string(utf16LE(idB+"\r\n", true)), want: "2:" + idA + " 3:" + idB},
		{name: "two byte order marks", in: "\uFEFF\uFEFF" + idA + "\n", want: "1:" + idA},
		{name: "empty first column", in: idA + "\n,Contoso\n", wantErr: "f:2: the first column is empty: put the id first on the line"},
		{name: "inch mark after the id", in: idA + `,Contoso 27" monitors` + "\n# a comment\n" + idB + "\n", want: "1:" + idA + " 3:" + idB},
		{name: "old Mac line ends", in: idA + "\r" + idB + "\r", want: "1:" + idA + " 2:" + idB},
		{name: "a lone word ending in id is an id", in: "Android\n" + idA + "\n", want: "1:Android 2:" + idA},
		{name: "camelCase id header", in: "deviceId\n" + idA + "\n", want: "2:" + idA},
		{name: "bare quote", in: idA + "\n" + `ab"c` + "\n", wantErr: `f:2: a '"' inside a field that does not start with one: remove it, or quote the whole field and double the quote ("a ""b"" c")`},
		{name: "unclosed quote", in: idA + "\n\"" + idB + "\n" + idA + "\n", wantErr: `f:2: a quoted field starting on this line is not closed properly (read up to line 3): end it with '"' before the next comma or line end`},
		{name: "unclosed quote after the id", in: idA + ",\"Contoso\n" + idB + ",Fabrikam\n" + idA + "\n", wantErr: `f:1: a quoted field starting on this line is not closed properly (read up to line 3): end it with '"' before the next comma or line end`},
		{name: "quoted id with a line break", in: "\"" + idA + "\n\"\n", wantErr: "f:1: the id's field holds a line break or a quote, which no id has: check the quoting on this line"},
		{name: "text after a closing quote", in: `"` + idA + `"x` + "\n", wantErr: `f:1: a quoted field is not closed properly: end it with '"' before the next comma or line end`},
		{name: "utf-16 cut in a character", in: string(utf16LE(idA+"\n"+idB, true)) + "\x00", wantErr: "f:2: the file is not valid UTF-16: it ends in the middle of a character (byte 148); save it again as UTF-8 or UTF-16"},
		{name: "utf-16 ends after a high surrogate", in: string(utf16LE(idA+"\n", true)) + "\x3D\xD8", wantErr: "f:2: the file is not valid UTF-16: it ends in the middle of a character (byte 76); save it again as UTF-8 or UTF-16"},
		{name: "utf-16 lone surrogate", in: string(utf16LE(idA+"\n", true)) + "\x00\xDC", wantErr: "f:2: the file is not valid UTF-16: an unpaired surrogate at byte 76; save it again as UTF-8 or UTF-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(strings.NewReader(tt.in), "f", 0)
			if tt.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want *Error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if recs(got) != tt.want {
				t.Errorf("got  %s\nwant %s", recs(got), tt.want)
			}
		})
	}
}

func TestReadBound(t *testing.T) {
	t.Parallel()
	in := strings.Repeat(idA+"\n", 10)
	if got, err := Read(strings.NewReader(in), "f", int64(len(in))); err != nil || len(got) != 10 {
		t.Fatalf("a file of exactly the bound: %d records, %v", len(got), err)
	}
	_, err := Read(strings.NewReader(in+"x"), "f", int64(len(in)))
	if want := "f:11: the file goes on past 370 bytes here: an id file is never this large; split it or check that it is the right file"; err == nil || err.Error() != want {
		t.Fatalf("one byte more: %v, want %q", err, want)
	}
}

func TestReadPassesReadErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	if _, err := Read(iotest.ErrReader(boom), "f", 0); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the reader's", err)
	}
}

// FuzzRead: whatever the file holds, Read never panics; it returns trimmed,
// non-empty ids on increasing lines, or an *Error naming the
// input; and the same text read as UTF-16 (either order, with a byte order
// mark) or with a UTF-8 byte order mark reads the same.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		idA + "\n" + idB + "\n",
		"# c\r\n\uFEFF" + idA + " # x\n\n",
		"id,companyName\n" + idA + ",\"Contoso\nLtd\"\n",
		"\"unclosed\n" + idA,
		"a\"b\n",
		",x\n",
		"Device Id\nid,x\n",
		"\x00\xff#\n",
		"id\n" + idA + "\n\uFEFFid\n" + idB + "\n",
		"\uFEFF\uFEFF" + idA + "\r" + idB,
		string(utf16LE(idA+"\n", true)),
		string(utf16BE(idA+"\n", false)) + "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Read(strings.NewReader(in), "f", 1<<16)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Name != "f" || e.Line < 0 || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %q: want a one-line *Error", err)
			}
			return
		}
		last := 0
		for _, r := range got {
			if r.ID == "" || r.ID != strings.TrimSpace(r.ID) || r.Line <= last {
				t.Fatalf("bad record %+v after line %d in %v", r, last, got)
			}
			last = r.Line
		}
		// Only text that decode passes through unchanged can be re-encoded.
		text, derr := decode([]byte(in))
		if derr != nil || text != in || strings.HasPrefix(in, "\uFEFF") {
			return
		}
		for _, enc := range [][]byte{[]byte("\uFEFF" + in), utf16LE(in, true), utf16BE(in, true)} {
			again, err := Read(strings.NewReader(string(enc)), "f", 1<<18)
			if err != nil || !reflect.DeepEqual(again, got) {
				// Invalid UTF-8 does not survive re-encoding as UTF-16.
				if !utf8.ValidString(in) {
					return
				}
				t.Fatalf("re-encoded %q: %v, %v; as UTF-8: %v", enc, again, err, got)
			}
		}
	})
}

// TestLoadHeader: Load says whether the first record was a header, which
// tells an export that listed nothing from an empty file.
func TestLoadHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		header   bool
		n        int
	}{
		{"header only", "id,companyName\n", true, 0},
		{"one-column header only", "Device Id\r\n", true, 0},
		{"header and ids", "id,companyName\n" + idA + ",Contoso\n", true, 1},
		{"empty", "", false, 0},
		{"only comments", "# customers\n\n", false, 0},
		{"ids without a header", idA + "\n", false, 1},
	}
	for _, tt := range tests {
		f, err := Load(strings.NewReader(tt.in), "f", 0)
		if err != nil || f.Header != tt.header || len(f.Records) != tt.n {
			t.Errorf("%s: %+v, %v; want header %v and %d ids", tt.name, f, err, tt.header, tt.n)
		}
	}
}
