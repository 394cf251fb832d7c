package textenc

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

// utf16Of encodes s as UTF-16 in order, with a byte order mark if bom.
func utf16Of(s string, order binary.AppendByteOrder, bom bool) []byte {
	if bom {
		s = "\uFEFF" + s
	}
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func utf16LE(s string, bom bool) []byte { return utf16Of(s, binary.LittleEndian, bom) }
func utf16BE(s string, bom bool) []byte { return utf16Of(s, binary.BigEndian, bom) }

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

// readAll reads in through NewReader, from a source that hands over the
// bytes as read does.
func readAll(in []byte, read func(io.Reader) io.Reader) (string, error) {
	out, err := io.ReadAll(NewReader(read(bytes.NewReader(in))))
	return string(out), err
}

// sources hand over the bytes whole, one at a time (so a byte order mark, a
// character and a surrogate pair are each split), in halves, and with the
// last bytes and io.EOF together.
var sources = map[string]func(io.Reader) io.Reader{
	"whole":    func(r io.Reader) io.Reader { return r },
	"one byte": iotest.OneByteReader,
	"half":     iotest.HalfReader,
	"data+EOF": iotest.DataErrReader,
}

func TestNewReader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
		err  error
	}{
		{"empty", nil, "", nil},
		{"one byte", []byte("a"), "a", nil},
		{"utf-8", []byte("id,é\r\n"), "id,é\r\n", nil},
		{"utf-8 bom", []byte("\uFEFFid\n"), "id\n", nil},
		{"utf-8 bom only", []byte("\uFEFF"), "", nil},
		{"utf-8 bom cut short passes as is", []byte("\xEF\xBB"), "\xEF\xBB", nil},
		{"invalid utf-8 passes as is", []byte("caf\xe9\n"), "caf\xe9\n", nil},
		{"two zero bytes are not utf-16", []byte("\x00\x00a"), "\x00\x00a", nil},
		{"utf-16 le bom only", []byte{0xFF, 0xFE}, "", nil},
		{"utf-16 be bom only", []byte{0xFE, 0xFF}, "", nil},
		{"utf-16 le bom", utf16LE("id,é 漢 😀\r\n", true), "id,é 漢 😀\r\n", nil},
		{"utf-16 be bom", utf16BE("id,é 漢 😀\r\n", true), "id,é 漢 😀\r\n", nil},
		{"utf-16 le no bom", utf16LE("id,é\n", false), "id,é\n", nil},
		{"utf-16 be no bom", utf16BE("id,é\n", false), "id,é\n", nil},
		{"utf-16 one letter no bom", utf16LE("a", false), "a", nil},
		{"utf-16 drops only the first byte order mark", utf16LE("\uFEFFa\uFFFD\uFEFF", true), "\uFEFFa\uFFFD\uFEFF", nil},
		// Offsets count the byte order mark: the byte a hex editor shows.
		{"odd length", cat(utf16LE("ab", true), []byte("x")), "ab", &Error{Offset: 6, Truncated: true}},
		{"odd length no bom", cat(utf16LE("ab", false), []byte("x")), "ab", &Error{Offset: 4, Truncated: true}},
		{"bom and one byte", []byte{0xFF, 0xFE, 'a'}, "", &Error{Offset: 2, Truncated: true}},
		{"high surrogate at the end", cat(utf16LE("ab", true), []byte{0x3D, 0xD8}), "ab", &Error{Offset: 6, Truncated: true}},
		{"high surrogate and one byte at the end", cat(utf16LE("ab", true), []byte{0x3D, 0xD8, 0x00}), "ab", &Error{Offset: 6, Truncated: true}},
		{"lone low surrogate", cat(utf16LE("ab", true), []byte{0x00, 0xDC}, utf16LE("cd", false)), "ab", &Error{Offset: 6}},
		{"high surrogate then letter", cat(utf16LE("ab", true), []byte{0x00, 0xD8, 'a', 0}), "ab", &Error{Offset: 6}},
		{"two high surrogates", cat(utf16BE("ab", true), []byte{0xD8, 0x3D, 0xD8, 0x3D, 0xDE, 0x00}), "ab", &Error{Offset: 6}},
		{"lone low surrogate first", []byte{0xFF, 0xFE, 0x00, 0xDC}, "", &Error{Offset: 2}},
	}
	for _, tt := range tests {
		for src, read := range sources {
			got, err := readAll(tt.in, read)
			if got != tt.want || !reflect.DeepEqual(err, tt.err) {
				t.Errorf("%s, %s: got %q, %v; want %q, %v", tt.name, src, got, err, tt.want, tt.err)
			}
		}
	}
}

// TestErrorMessages pins what users read (the Autopilot reader and the id
// files show it as it is).
func TestErrorMessages(t *testing.T) {
	for err, want := range map[*Error]string{
		{Offset: 81, Truncated: true}: "the file is not valid UTF-16: it ends in the middle of a character (byte 81); save it again as UTF-8 or UTF-16",
		{Offset: 6}:                   "the file is not valid UTF-16: an unpaired surrogate at byte 6; save it again as UTF-8 or UTF-16",
	} {
		if err.Error() != want {
			t.Errorf("%+v: %q, want %q", *err, err.Error(), want)
		}
	}
}

func TestUTF16RoundTrip(t *testing.T) {
	text := strings.Repeat("Device, é ü 漢字 😀 \uFFFD \uFFFF x\r\n", 3000) // crosses the 32 KiB buffer
	for name, in := range map[string][]byte{
		"le bom": utf16LE(text, true), "be bom": utf16BE(text, true),
		"le": utf16LE(text, false), "be": utf16BE(text, false),
	} {
		for src, read := range sources {
			got, err := readAll(in, read)
			if err != nil || got != text {
				t.Errorf("%s, %s: decoded text differs (err %v)", name, src, err)
			}
		}
	}
}

// TestUTF16EveryAlignment: letters beyond ASCII at every place in the four
// units the ASCII path reads at once, among them runs whose units have a
// zero byte (U+0100, U+4100) or two ASCII bytes (U+4141), which only the
// other byte order's test would take for ASCII.
func TestUTF16EveryAlignment(t *testing.T) {
	for k := range 9 {
		for _, c := range []string{"é", "漢", "😀", "\u0080", "\u0100\u0200\u0300\u4100\u7F00", "\u4141\u4141\u4141\u4141\u4141"} {
			text := strings.Repeat("a", k) + c + "bcdefghij" + c
			for name, in := range map[string][]byte{"le": utf16LE(text, true), "be": utf16BE(text, true)} {
				if got, err := readAll(in, sources["whole"]); err != nil || got != text {
					t.Errorf("%s %q: got %q, %v", name, text, got, err)
				}
			}
		}
	}
}

// TestReadError: an error reading the source comes after the text read
// before it, and is not taken for a damaged file.
func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	for _, in := range [][]byte{utf16LE("ab", true), cat(utf16LE("ab", true), []byte{0x3D})} {
		got, err := io.ReadAll(NewReader(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(boom))))
		if string(got) != "ab" || err != boom {
			t.Errorf("%q: got %q, %v; want \"ab\", boom", in, got, err)
		}
	}
}

// TestUTF8PassesTheBufferOn: UTF-8 text comes back in the caller's
// *bufio.Reader, which encoding/csv then uses without a buffer of its own.
func TestUTF8PassesTheBufferOn(t *testing.T) {
	br := bufio.NewReaderSize(strings.NewReader("\uFEFFid\n"), 64<<10)
	if r := NewReader(br); r != io.Reader(br) {
		t.Errorf("NewReader(*bufio.Reader) = %T, want the reader itself", r)
	}
}

// reference decodes data the plain way, the whole file at once and unit by
// unit, to check the streaming reader against.
func reference(data []byte) (string, error) {
	start, order := 0, binary.ByteOrder(binary.LittleEndian)
	switch {
	case bytes.HasPrefix(data, []byte("\uFEFF")):
		return string(data[3:]), nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		start = 2
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		start, order = 2, binary.BigEndian
	case len(data) >= 2 && data[0] != 0 && data[1] == 0:
	case len(data) >= 2 && data[0] == 0 && data[1] != 0:
		order = binary.BigEndian
	default:
		return string(data), nil
	}
	var units []uint16
	for i := start; i+1 < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	var out []rune
	for k := 0; k < len(units); k++ {
		at, c := int64(start+2*k), rune(units[k])
		switch {
		case !utf16.IsSurrogate(c):
			out = append(out, c)
		case c >= 0xDC00:
			return string(out), &Error{Offset: at}
		case k+1 == len(units):
			return string(out), &Error{Offset: at, Truncated: true}
		case units[k+1] < 0xDC00 || units[k+1] > 0xDFFF:
			return string(out), &Error{Offset: at}
		default:
			out = append(out, utf16.DecodeRune(c, rune(units[k+1])))
			k++
		}
	}
	if (len(data)-start)%2 == 1 {
		return string(out), &Error{Offset: int64(len(data) - 1), Truncated: true}
	}
	return string(out), nil
}

// FuzzNewReader: any bytes, however the source hands them over, read as the
// reference decodes them, error and offset included; and any UTF-8 text
// encoded as UTF-16 by the standard library reads back as it was.
func FuzzNewReader(f *testing.F) {
	for _, s := range [][]byte{
		nil, []byte("id\n"), []byte("\uFEFFid\n"), []byte("\xEF\xBB"),
		utf16LE("id,😀\r\n", true), utf16BE("id,é\n", false), utf16LE("a", false),
		cat(utf16LE("ab", true), []byte{0x00, 0xDC}), cat(utf16LE("ab", true), []byte{0x3D, 0xD8, 0x00}),
		cat(utf16BE("ab", true), []byte{0xD8, 0x3D, 0xDE}),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want, wantErr := reference(in)
		for src, read := range sources {
			got, err := readAll(in, read)
			if got != want || !reflect.DeepEqual(err, wantErr) {
				t.Fatalf("%s: got %q, %v; reference %q, %v", src, got, err, want, wantErr)
			}
		}
		text := strings.ToValidUTF8(string(in), "\uFFFD")
		for name, enc := range map[string][]byte{"le": utf16LE(text, true), "be": utf16BE(text, true)} {
			got, err := readAll(enc, iotest.OneByteReader)
			if err != nil || got != text {
				t.Fatalf("%s: %q read back as %q, %v", name, text, got, err)
			}
		}
	})
}

// BenchmarkNewReader10MB decodes 10 MB of UTF-16 LE with a byte order mark:
// an Autopilot CSV (ASCII but for the byte order mark), and text with
// letters beyond ASCII and the BMP.
func BenchmarkNewReader10MB(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	hash := make([]byte, 2976)
	for i := range hash {
		hash[i] = byte(r.Uint32())
	}
	row := "PF3ZK1A0,," + base64.StdEncoding.EncodeToString(hash) + "\r\n"
	for name, text := range map[string]string{
		"autopilot": "Device Serial Number,Windows Product ID,Hardware Hash\r\n" + strings.Repeat(row, 10<<20/2/len(row)),
		"mixed":     strings.Repeat("Device, é ü 漢字 😀 Contoso Ltd 12345\r\n", 10<<20/70),
	} {
		in := utf16LE(text, true)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				n, err := io.Copy(io.Discard, NewReader(bytes.NewReader(in)))
				if err != nil || n != int64(len(text)) {
					b.Fatal(n, err)
				}
			}
		})
	}
}

// lineRef is NewLineReader's reference: CRLF and lone CRs to LF, then any
// byte order marks at the start of a line dropped.
func lineRef(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	start := true
	for i := 0; i < len(s); {
		if start && strings.HasPrefix(s[i:], "\uFEFF") {
			i += len("\uFEFF")
			continue
		}
		b.WriteByte(s[i])
		start = s[i] == '\n'
		i++
	}
	return b.String()
}

// readLines reads in through NewLineReader, from a source that hands over
// the bytes as read does, in reads of the size given (0: whole).
func readLines(in []byte, read func(io.Reader) io.Reader, oneByteOut bool) (string, error) {
	var r io.Reader = NewLineReader(read(bytes.NewReader(in)))
	if oneByteOut {
		r = iotest.OneByteReader(r)
	}
	out, err := io.ReadAll(r)
	return string(out), err
}

func TestNewLineReader(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"LF", "a\nb\n", "a\nb\n"},
		{"CRLF", "a\r\nb\r\n", "a\nb\n"},
		{"lone CR (old Mac)", "a\rb\rc", "a\nb\nc"},
		{"CR CR LF", "a\r\r\nb", "a\n\nb"},
		{"two files joined, the second with a mark", "id\r\nd1\r\n\uFEFFid\r\nd2\r\n", "id\nd1\nid\nd2\n"},
		{"marks at the start", "\uFEFF\uFEFFd1\n", "d1\n"},
		{"mark after a lone CR", "a\r\uFEFFb", "a\nb"},
		{"mark between CR and LF", "a\r\uFEFF\nb", "a\n\nb"},
		{"mark inside a line stays", "a\uFEFF\nb \uFEFF", "a\uFEFF\nb \uFEFF"},
		{"not a mark", "\xEF\xBB\n\xEF\n\xEF\xBC\x8C", "\xEF\xBB\n\xEF\n\xEF\xBC\x8C"},
		{"cut mark at the end", "a\n\xEF\xBB", "a\n\xEF\xBB"},
	}
	for _, tt := range tests {
		if ref := lineRef(tt.in); ref != tt.want {
			t.Fatalf("%s: reference %q, want %q", tt.name, ref, tt.want)
		}
		for src, read := range sources {
			for _, oneOut := range []bool{false, true} {
				got, err := readLines([]byte(tt.in), read, oneOut)
				if got != tt.want || err != nil {
					t.Errorf("%s, %s, one byte out %v: %q, %v; want %q", tt.name, src, oneOut, got, err, tt.want)
				}
			}
		}
	}
}

// TestNewLineReaderUTF16: a PowerShell 5.1 file joined to another, both
// UTF-16 with a byte order mark, and lone CRs in UTF-16: read as one text
// with LF line ends; the decoder's error comes through after the text
// before it.
func TestNewLineReaderUTF16(t *testing.T) {
	in := cat(utf16LE("id\r\nd1\r\n", true), utf16LE("id\rd2\r", true))
	got, err := io.ReadAll(NewLineReader(NewReader(iotest.HalfReader(bytes.NewReader(in)))))
	if string(got) != "id\nd1\nid\nd2\n" || err != nil {
		t.Errorf("got %q, %v", got, err)
	}
	bad := cat(utf16LE("a\rb", true), []byte{0x00, 0xDC})
	got, err = io.ReadAll(NewLineReader(NewReader(bytes.NewReader(bad))))
	var e *Error
	if string(got) != "a\nb" || !errors.As(err, &e) || e.Offset != 8 {
		t.Errorf("got %q, %v", got, err)
	}
}

// FuzzNewLineReader: any bytes, however handed over and read, come out as
// the reference makes them.
func FuzzNewLineReader(f *testing.F) {
	for _, s := range []string{"", "a\rb\r\n\r", "x\n\uFEFFid\r\uFEFF\uFEFF\n", "\xEF\xBB", "\r\xEF\xBB\xBF\n\xEF"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want := lineRef(string(in))
		for src, read := range sources {
			for _, oneOut := range []bool{false, true} {
				got, err := readLines(in, read, oneOut)
				if got != want || err != nil {
					t.Fatalf("%s, one byte out %v: %q, %v; reference %q", src, oneOut, got, err, want)
				}
			}
		}
	})
}
