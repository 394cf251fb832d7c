package autopilot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/partnercenter-go/devicebatches/internal/textenc"
)

const infoHeader = "Device Serial Number,Windows Product ID,Hardware Hash"

var (
	h1, h2, h3 = fakeHash(1), fakeHash(2), fakeHash(3)
)

func mustRead(t *testing.T, in string, opts *ReadOptions) *File {
	t.Helper()
	f, err := Read(strings.NewReader(in), opts)
	if err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			t.Fatalf("Read: %s", ve.Details())
		}
		t.Fatalf("Read: %v", err)
	}
	return f
}

func mustFail(t *testing.T, in []byte, opts *ReadOptions) *ValidationError {
	t.Helper()
	f, err := Read(bytes.NewReader(in), opts)
	if f != nil {
		t.Errorf("Read returned a file with %d devices along with %v", len(f.Devices), err)
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Read error = %v (%T), want *ValidationError", err, err)
	}
	return ve
}

func TestLayouts(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		layout   Layout
		devices  []Device
		warnings []string
	}{
		{
			name:   "Get-WindowsAutopilotInfo",
			in:     lines(infoHeader, "PF3ZK1A0,,"+h1, "PF3ZK1B7,00330-80000-00000-AA123,"+h2),
			layout: LayoutAutopilotInfo,
			devices: []Device{
				{Row: 2, SerialNumber: "PF3ZK1A0", HardwareHash: h1},
				{Row: 3, SerialNumber: "PF3ZK1B7", ProductKey: "00330-80000-00000-AA123", HardwareHash: h2},
			},
		},
		{
			name:     "Group Tag and Assigned User",
			in:       lines(infoHeader+",Group Tag,Assigned User", "PF3ZK1A0,,"+h1+",Sales,anna@contoso.com", "PF3ZK1B7,,"+h2+",Sales,"),
			layout:   LayoutAutopilotInfoGroupTag,
			devices:  []Device{{Row: 2, SerialNumber: "PF3ZK1A0", HardwareHash: h1}, {Row: 3, SerialNumber: "PF3ZK1B7", HardwareHash: h2}},
			warnings: []string{"the Group Tag and Assigned User columns are ignored: Partner Center does not take them (set them in Intune instead)"},
		},
		{
			name:     "Group Tag only",
			in:       lines(infoHeader+",Group Tag", "PF3ZK1A0,,"+h1+",Sales"),
			layout:   LayoutAutopilotInfoGroupTag,
			devices:  []Device{{Row: 2, SerialNumber: "PF3ZK1A0", HardwareHash: h1}},
			warnings: []string{"the Group Tag column is ignored: Partner Center does not take it (set it in Intune instead)"},
		},
		{
			name:   "partner",
			in:     lines(infoHeader+",Manufacturer name,Device model", "PF3ZK1A0,,"+h1+",Microsoft Corporation,Surface Laptop 5", "5CG3150ZK8,,,HP,HP EliteBook 840 G9"),
			layout: LayoutPartner,
			devices: []Device{
				{Row: 2, SerialNumber: "PF3ZK1A0", HardwareHash: h1, ManufacturerName: "Microsoft Corporation", ModelName: "Surface Laptop 5"},
				{Row: 3, SerialNumber: "5CG3150ZK8", ManufacturerName: "HP", ModelName: "HP EliteBook 840 G9"},
			},
		},
		{
			name:   "dashboard template",
			in:     lines("Device serial number,Windows product ID,Hardware hash,Manufacturer name,Device Model", "7HKQ8X3,,,Dell Inc.,Latitude 5440"),
			layout: LayoutTemplate,
			devices: []Device{
				{Row: 2, SerialNumber: "7HKQ8X3", ManufacturerName: "Dell Inc.", ModelName: "Latitude 5440"},
			},
		},
		{
			name:    "product ID alone",
			in:      lines("Windows Product ID", "00330-80000-00000-AA123"),
			layout:  LayoutOther,
			devices: []Device{{Row: 2, ProductKey: "00330-80000-00000-AA123"}},
		},
		{
			name:   "columns in another order",
			in:     lines("Hardware Hash,Device model,Windows Product ID,Manufacturer name,Device Serial Number", h1+",Surface Pro 9,,Microsoft Corporation,PF3ZK1A0"),
			layout: LayoutPartner,
			devices: []Device{
				{Row: 2, SerialNumber: "PF3ZK1A0", HardwareHash: h1, ManufacturerName: "Microsoft Corporation", ModelName: "Surface Pro 9"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustRead(t, tt.in, nil)
			if f.Layout != tt.layout {
				t.Errorf("Layout = %v, want %v", f.Layout, tt.layout)
			}
			if !reflect.DeepEqual(f.Devices, tt.devices) {
				t.Errorf("Devices = %+v\nwant %+v", f.Devices, tt.devices)
			}
			if !reflect.DeepEqual(f.Warnings, tt.warnings) {
				t.Errorf("Warnings = %q\nwant %q", f.Warnings, tt.warnings)
			}
		})
	}
}

func TestEncodings(t *testing.T) {
	text := lines(infoHeader, "PF3ZK1A0,,"+h1, "PF3ZK1B7,00330-80000-00000-AA123,"+h2)
	crlf := strings.ReplaceAll(text, "\n", "\r\n")
	quoted := lines(`"Device Serial Number","Windows Product ID","Hardware Hash"`, `"PF3ZK1A0","","`+h1+`"`, `"PF3ZK1B7","00330-80000-00000-AA123","`+h2+`"`)
	want := []Device{
		{Row: 2, SerialNumber: "PF3ZK1A0", HardwareHash: h1},
		{Row: 3, SerialNumber: "PF3ZK1B7", ProductKey: "00330-80000-00000-AA123", HardwareHash: h2},
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"UTF-8", []byte(text)},
		{"UTF-8 BOM", append([]byte("\xEF\xBB\xBF"), text...)},
		{"UTF-16LE BOM", utf16LE(text, true)},
		{"UTF-16BE BOM", utf16BE(text, true)},
		{"UTF-16LE BOM CRLF (PowerShell 5.1)", utf16LE(crlf, true)},
		{"UTF-16LE no BOM", utf16LE(text, false)},
		{"UTF-16BE no BOM", utf16BE(text, false)},
		{"CRLF", []byte(crlf)},
		{"CR (old Mac)", []byte(strings.ReplaceAll(text, "\n", "\r"))},
		{"UTF-16LE BOM CR", utf16LE(strings.ReplaceAll(text, "\n", "\r"), true)},
		{"no final newline", []byte(strings.TrimSuffix(crlf, "\r\n"))},
		{"quoted", []byte(quoted)},
		{"quoted UTF-8 BOM CRLF", append([]byte("\xEF\xBB\xBF"), strings.ReplaceAll(quoted, "\n", "\r\n")...)},
		{"spaces around values", []byte(lines(" Device Serial Number , Windows Product ID ,Hardware Hash ", "  PF3ZK1A0 , ,"+h1+"  ", "PF3ZK1B7,\t00330-80000-00000-AA123 , "+h2))},
		{"blank lines", []byte("\n\r\n" + strings.ReplaceAll(text, "\n", "\n\n   \n,,\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time, so that BOM sniffing and UTF-16 decoding
			// see the smallest reads a reader may return.
			for _, r := range []func([]byte) *bytes.Reader{bytes.NewReader} {
				for _, oneByte := range []bool{false, true} {
					var src = iotestReader(r(tt.in), oneByte)
					f, err := Read(src, nil)
					if err != nil {
						var ve *ValidationError
						if errors.As(err, &ve) {
							t.Fatalf("oneByte=%v: %s", oneByte, ve.Details())
						}
						t.Fatalf("oneByte=%v: %v", oneByte, err)
					}
					got := f.Devices
					if tt.name == "blank lines" {
						// Rows are line numbers, which the blank lines shift.
						for i := range got {
							got[i].Row = want[i].Row
						}
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("oneByte=%v: Devices = %+v\nwant %+v", oneByte, got, want)
					}
					if f.Layout != LayoutAutopilotInfo || len(f.Warnings) != 0 {
						t.Errorf("Layout %v, Warnings %q", f.Layout, f.Warnings)
					}
				}
			}
		})
	}
}

func iotestReader(r *bytes.Reader, oneByte bool) interface{ Read([]byte) (int, error) } {
	if oneByte {
		return iotest.OneByteReader(r)
	}
	return r
}

func TestRowNumbersCountLines(t *testing.T) {
	in := lines("", infoHeader, "", "PF3ZK1A0,,"+h1, "", "", "PF3ZK1B7,,"+h2)
	f := mustRead(t, in, nil)
	if got := []int{f.Devices[0].Row, f.Devices[1].Row}; !reflect.DeepEqual(got, []int{4, 7}) {
		t.Errorf("rows = %v, want [4 7]", got)
	}
	// A quoted value spanning lines: the row is where it starts, and the
	// next row's number still counts every line.
	in = lines(infoHeader, `"PF3Z`, `K1A0",,`+h1, "PF3ZK1B7,,"+h2, "X1,,")
	ve := mustFail(t, []byte(in), nil)
	want := []Problem{
		{Row: 2, Column: "Device Serial Number", Message: "the Device Serial Number value contains the control character U+000A (such as a tab or line break); remove it"},
		{Row: 5, Message: "a serial number alone does not identify a device; fill in the Hardware Hash"},
	}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("Problems = %+v\nwant %+v", ve.Problems, want)
	}
}

func TestHeaders(t *testing.T) {
	row := "PF3ZK1A0,,"
	tests := []struct {
		name     string
		header   string
		layout   Layout
		warnings []string
		problems []Problem // nil: the file is valid
	}{
		{name: "lower case", header: "device serial number,windows product id,hardware hash", layout: LayoutAutopilotInfo},
		{name: "upper case", header: "DEVICE SERIAL NUMBER,WINDOWS PRODUCT ID,HARDWARE HASH", layout: LayoutAutopilotInfo},
		{name: "spaces", header: "  Device Serial Number\t,  Windows Product ID  ,Hardware Hash  ", layout: LayoutAutopilotInfo},
		{name: "quoted", header: `"Device Serial Number",  "Windows Product ID","Hardware Hash"`, layout: LayoutAutopilotInfo},
		{
			name: "unknown column", header: infoHeader + ",Asset Tag", layout: LayoutAutopilotInfo,
			warnings: []string{`column "Asset Tag" is not a column Partner Center takes and is ignored`},
		},
		{
			name: "unknown columns and a nameless one", header: infoHeader + ",Asset Tag,,Owner", layout: LayoutAutopilotInfo,
			warnings: []string{`columns "Asset Tag", column 5 (no name) and "Owner" are not columns Partner Center takes and are ignored`},
		},
		{
			name: "duplicate column", header: infoHeader + ",device serial number",
			problems: []Problem{{Row: 1, Column: "device serial number", Message: `the header has the column "device serial number" twice (columns 1 and 4); remove or rename one of them`}},
		},
		{
			name: "no identity column", header: "Manufacturer name,Device model,Group Tag",
			warnings: []string{"the Group Tag column is ignored: Partner Center does not take it (set it in Intune instead)"},
			problems: []Problem{{Row: 1, Message: `the header has none of the columns Device Serial Number, Windows Product ID and Hardware Hash; start the file with a header line such as "Device Serial Number,Windows Product ID,Hardware Hash"`}},
		},
		{
			name: "not a header at all", header: "PF3ZK1A0,," + h1,
			warnings: []string{`columns "PF3ZK1A0", column 2 (no name) and "` + h1 + `" are not columns Partner Center takes and are ignored`},
			problems: []Problem{{Row: 1, Message: `the header has none of the columns Device Serial Number, Windows Product ID and Hardware Hash; start the file with a header line such as "Device Serial Number,Windows Product ID,Hardware Hash"`}},
		},
		{
			name: "serial number alone", header: "Device Serial Number",
			problems: []Problem{{Row: 1, Message: "the header's columns cannot identify a device; add a Hardware Hash column, a Windows Product ID column, or Manufacturer name and Device model columns"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := lines(tt.header, row+h1)
			if tt.problems == nil {
				f := mustRead(t, in, nil)
				if f.Layout != tt.layout {
					t.Errorf("Layout = %v, want %v", f.Layout, tt.layout)
				}
				if !reflect.DeepEqual(f.Warnings, tt.warnings) {
					t.Errorf("Warnings = %q\nwant %q", f.Warnings, tt.warnings)
				}
				if len(f.Devices) != 1 || f.Devices[0].SerialNumber != "PF3ZK1A0" || f.Devices[0].HardwareHash != h1 {
					t.Errorf("Devices = %+v", f.Devices)
				}
				return
			}
			ve := mustFail(t, []byte(in), nil)
			if !reflect.DeepEqual(ve.Problems, tt.problems) {
				t.Errorf("Problems = %+v\nwant %+v", ve.Problems, tt.problems)
			}
			if !reflect.DeepEqual(ve.Warnings, tt.warnings) {
				t.Errorf("Warnings = %q\nwant %q", ve.Warnings, tt.warnings)
			}
		})
	}
}

// TestHashOnlyColumn: a hardware hash identifies a device alone, so a file
// whose one identity column is Hardware Hash is read, as one with an empty
// Device Serial Number column is.
func TestHashOnlyColumn(t *testing.T) {
	want := []Device{{Row: 2, HardwareHash: h1}, {Row: 3, HardwareHash: h2}}
	for name, in := range map[string]string{
		"hash column alone":            lines("Hardware Hash", h1, h2),
		"hash and an ignored column":   lines("Group Tag,Hardware Hash", "Sales,"+h1, ","+h2),
		"hash and empty serial column": lines("Device Serial Number,Hardware Hash", ","+h1, ","+h2),
	} {
		f, err := Read(strings.NewReader(in), nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(f.Devices, want) || f.Layout != LayoutOther {
			t.Errorf("%s: Devices = %+v, Layout %v", name, f.Devices, f.Layout)
		}
	}
}

func TestTypeLineSkipped(t *testing.T) {
	f := mustRead(t, lines("#TYPE System.Management.Automation.PSCustomObject", infoHeader, "PF3ZK1A0,,"+h1), nil)
	if len(f.Devices) != 1 || f.Devices[0].Row != 3 {
		t.Errorf("Devices = %+v", f.Devices)
	}
}

func TestBadRows(t *testing.T) {
	partner := infoHeader + ",Manufacturer name,Device model"
	long := strings.Repeat("A", MaxCellBytes+4)
	tests := []struct {
		name   string
		header string
		row    string
		want   Problem // Row 2
	}{
		{"serial alone", infoHeader, "PF3ZK1A0,,",
			Problem{Message: "a serial number alone does not identify a device; fill in the Hardware Hash"}},
		{"serial alone, partner layout", partner, "PF3ZK1A0,,,,",
			Problem{Message: "a serial number alone does not identify a device; fill in the Hardware Hash, or the Manufacturer name and Device model"}},
		{"tuple without model", partner, "PF3ZK1A0,,,HP,",
			Problem{Message: "a serial number without a hardware hash needs both the manufacturer name and the device model; fill in the Device model (or the Hardware Hash)"}},
		{"tuple without manufacturer", partner, "PF3ZK1A0,,,,Surface Pro 9",
			Problem{Message: "a serial number without a hardware hash needs both the manufacturer name and the device model; fill in the Manufacturer name (or the Hardware Hash)"}},
		{"manufacturer and model only", partner, ",,,HP,HP EliteBook 840 G9",
			Problem{Message: "the line has no serial number, Windows Product ID or hardware hash; fill in the Device Serial Number and Hardware Hash, or remove the line"}},
		{"hash not base64", infoHeader, "PF3ZK1A0,," + h1[:2000] + "*" + h1[2001:],
			Problem{Column: "Hardware Hash", Message: `the hardware hash is not valid base64 ("*" is not a base64 character at character 2001); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output`}},
		{"hash URL-safe base64", infoHeader, "PF3ZK1A0,,abcd-_" + h1[6:],
			Problem{Column: "Hardware Hash", Message: `the hardware hash is not valid base64 ("-" is not a base64 character at character 5); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output`}},
		{"hash with padding inside", infoHeader, "PF3ZK1A0,,ab==" + h1,
			Problem{Column: "Hardware Hash", Message: `the hardware hash is not valid base64 (padding '=' before the end at character 3); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output`}},
		{"hash with a character missing", infoHeader, "PF3ZK1A0,," + h1[:len(h1)-3],
			Problem{Column: "Hardware Hash", Message: `the hardware hash is not valid base64 (a character is missing or extra at character 3965); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output`}},
		{"hash with wrong padding", infoHeader, "PF3ZK1A0,," + h1[:len(h1)-2] + "=",
			Problem{Column: "Hardware Hash", Message: `the hardware hash is not valid base64 (wrong padding at character 3967); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output`}},
		{"hash with non-ASCII", infoHeader, "PF3ZK1A0,," + h1[:100] + "é" + h1[101:],
			Problem{Column: "Hardware Hash", Message: `the hardware hash is not valid base64 (it contains "é"); copy the complete Hardware Hash again from the Get-WindowsAutopilotInfo output`}},
		{"hash too short", infoHeader, "PF3ZK1A0,,T0GlAwEAHAAAAAoA",
			Problem{Column: "Hardware Hash", Message: "the hardware hash is only 16 characters long, too short to be a hardware hash (a real one is about 4,000); copy the complete Hardware Hash from the Get-WindowsAutopilotInfo output"}},
		{"product ID with other characters", infoHeader, "PF3ZK1A0,00330 80000,",
			Problem{Column: "Windows Product ID", Message: `the Windows Product ID "00330 80000" may hold only letters, digits and dashes; correct it, or leave the cell empty`}},
		{"cell too long", infoHeader, long + ",," + h1,
			Problem{Column: "Device Serial Number", Message: "the Device Serial Number value is 16388 bytes long, more than the 16 KiB a value may hold; check that the line holds one device and that no quote is left open"}},
		{"control character", infoHeader, "PF3Z\x01K1A0,," + h1,
			Problem{Column: "Device Serial Number", Message: "the Device Serial Number value contains the control character U+0001 (such as a tab or line break); remove it"}},
		{"tab inside a value", infoHeader, "PF3Z\tK1A0,," + h1,
			Problem{Column: "Device Serial Number", Message: "the Device Serial Number value contains the control character U+0009 (such as a tab or line break); remove it"}},
		{"control character in hash", infoHeader, "PF3ZK1A0,," + h1[:10] + "\x7f" + h1[11:],
			Problem{Column: "Hardware Hash", Message: "the Hardware Hash value contains the control character U+007F (such as a tab or line break); remove it"}},
		{"zero-width space after the serial", infoHeader, "PF3ZK1A0\u200b,," + h1,
			Problem{Column: "Device Serial Number", Message: "the Device Serial Number value contains the invisible character U+200B at position 9; remove it"}},
		{"byte order mark in a value", infoHeader, "PF3ZK1A0,\uFEFF00330-80000-00000-AA123," + h1,
			Problem{Column: "Windows Product ID", Message: "the Windows Product ID value contains the invisible character U+FEFF at position 1; remove it"}},
		{"word joiner in a hash", infoHeader, "PF3ZK1A0,," + h1[:10] + "\u2060" + h1[10:],
			Problem{Column: "Hardware Hash", Message: "the Hardware Hash value contains the invisible character U+2060 at position 11; remove it"}},
		{"zero-width joiner in a model", infoHeader + ",Manufacturer name,Device model", "PF3ZK1A0,,,HP,Elite\u200dBook",
			Problem{Column: "Device model", Message: "the Device model value contains the invisible character U+200D at position 6; remove it"}},
		{"invalid UTF-8", partner, "PF3ZK1A0,,,Soci\xe9t\xe9,Model",
			Problem{Column: "Manufacturer name", Message: "the Manufacturer name value is not valid UTF-8 text; save the file as UTF-8 (or UTF-16, as PowerShell writes it) and try again"}},
		{"more values than columns", infoHeader, "PF3ZK1A0,," + h1 + ",extra",
			Problem{Message: "the line has more values than the header has columns; remove the extra values, or quote a value that contains a comma"}},
		{"bare quote", infoHeader, `PF3"ZK1A0,,` + h1,
			Problem{Message: `a double quote (") appears inside a value that is not quoted; put the whole value in double quotes and double the quote inside it, or remove it`}},
		{"text after closing quote", infoHeader, `"PF3ZK1A0"x,,` + h1,
			Problem{Message: "a quoted value has text after its closing double quote, or no closing quote; quote the whole value and double any quote inside it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A valid row after the bad one shows reading goes on.
			in := lines(tt.header, tt.row, validRow(tt.header))
			ve := mustFail(t, []byte(in), nil)
			want := tt.want
			want.Row = 2
			if !reflect.DeepEqual(ve.Problems, []Problem{want}) {
				t.Errorf("Problems = %+v\nwant [%+v]", ve.Problems, want)
			}
		})
	}
}

// validRow returns a valid data line for a header of infoHeader or
// infoHeader plus manufacturer and model.
func validRow(header string) string {
	if strings.HasSuffix(header, "Device model") {
		return "ZZ999,,,Contoso,Model 1"
	}
	return "ZZ999,," + fakeHash(999)
}

func TestUnclosedQuote(t *testing.T) {
	in := lines(infoHeader, "PF3ZK1A0,,"+h1, `"PF3ZK1B7,,`+h2, "X,,"+h3)
	ve := mustFail(t, []byte(in), nil)
	want := []Problem{{Row: 3, Message: "a quoted value starting on this line is not closed properly (reading gave up on line 4); close it with a double quote, and double any quote inside it"}}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("Problems = %+v\nwant %+v", ve.Problems, want)
	}
}

func TestDuplicates(t *testing.T) {
	in := lines(
		infoHeader+",Manufacturer name,Device model",
		"PF3ZK1A0,,"+h1+",,",                          // 2
		"PF3ZK1B7,00330-80000-00000-AA123,,,",         // 3
		"5CG3150ZK8,,,HP,HP EliteBook 840 G9",         // 4
		"",                                            // 5
		"OTHER1,,"+h1+",,",                            // 6: hash of row 2
		"OTHER2,00330-80000-00000-aa123,,,",           // 7: product ID of row 3
		"5CG3150ZK8,,,HP,HP EliteBook 840 G9",         // 8: tuple of row 4
		"5CG3150ZK8,,,hp,HP EliteBook 840 G9",         // 9: other manufacturer spelling: not the same
		"PF3ZK1A0,,"+h2+",,",                          // 10: same serial, other hash: allowed
		"PF3ZK1A0,00330-80000-00000-AA123,"+h1+",X,Y", // 11: hash of 2 and product ID of 3
	)
	ve := mustFail(t, []byte(in), nil)
	want := []Problem{
		{Row: 6, Column: "Hardware Hash", Message: "same hardware hash as row 2; remove one of the two lines (Partner Center rejects a hash uploaded twice)"},
		{Row: 7, Column: "Windows Product ID", Message: "same Windows Product ID as row 3; remove one of the two lines or correct the product ID"},
		{Row: 8, Message: "same serial number, manufacturer name and device model as row 4; remove one of the two lines"},
		{Row: 11, Column: "Hardware Hash", Message: "same hardware hash as row 2; remove one of the two lines (Partner Center rejects a hash uploaded twice)"},
		{Row: 11, Column: "Windows Product ID", Message: "same Windows Product ID as row 3; remove one of the two lines or correct the product ID"},
	}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("Problems:\n%s\nwant %+v", ve.Details(), want)
	}
}

func TestProblemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString(infoHeader + "\n")
	for i := 0; i < 150; i++ {
		b.WriteString("S" + itoa(i) + ",,\n") // serial alone: one problem each
	}
	ve := mustFail(t, []byte(b.String()), &ReadOptions{Name: "customers.csv"})
	if len(ve.Problems) != 100 || ve.More != 50 || ve.Count() != 150 {
		t.Fatalf("len(Problems) = %d, More = %d, Count = %d; want 100, 50, 150", len(ve.Problems), ve.More, ve.Count())
	}
	if ve.Problems[99].Row != 101 {
		t.Errorf("last problem's row = %d, want 101", ve.Problems[99].Row)
	}
	msg := ve.Error()
	wantPrefix := "customers.csv: 150 problems: row 2: a serial number alone does not identify a device; fill in the Hardware Hash; row 3: "
	if !strings.HasPrefix(msg, wantPrefix) || !strings.HasSuffix(msg, "; and 147 more") || strings.Contains(msg, "\n") {
		t.Errorf("Error() = %q", msg)
	}
	d := ve.Details()
	if n := strings.Count(d, "\n"); n != 101 {
		t.Errorf("Details has %d line breaks, want 101", n)
	}
	if !strings.HasPrefix(d, "customers.csv: 150 problems\n  row 2: ") || !strings.HasSuffix(d, "\n  and 50 more problems") {
		t.Errorf("Details = %q…%q", d[:60], d[len(d)-60:])
	}

	ve = mustFail(t, []byte(b.String()), &ReadOptions{MaxProblems: 2})
	if len(ve.Problems) != 2 || ve.More != 148 {
		t.Errorf("MaxProblems 2: %d problems, %d more", len(ve.Problems), ve.More)
	}
	ve = mustFail(t, []byte(b.String()), &ReadOptions{MaxProblems: -1})
	if len(ve.Problems) != 150 || ve.More != 0 {
		t.Errorf("MaxProblems -1: %d problems, %d more", len(ve.Problems), ve.More)
	}
}

func TestValidationErrorText(t *testing.T) {
	tests := []struct {
		e             ValidationError
		error, detail string
	}{
		{
			ValidationError{Name: "a.csv", Problems: []Problem{{Row: 4, Message: "m4"}}},
			"a.csv: 1 problem: row 4: m4", "a.csv: 1 problem\n  row 4: m4",
		},
		{
			ValidationError{Problems: []Problem{{Message: "the file is empty"}, {Row: 9, Message: "m9"}}},
			"Autopilot CSV: 2 problems: the file is empty; row 9: m9", "Autopilot CSV: 2 problems\n  the file is empty\n  row 9: m9",
		},
		{
			ValidationError{Name: "b.csv", Problems: []Problem{{Row: 2, Message: "m2"}}, More: 1},
			"b.csv: 2 problems: row 2: m2; and 1 more", "b.csv: 2 problems\n  row 2: m2\n  and 1 more problem",
		},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.error {
			t.Errorf("Error() = %q, want %q", got, tt.error)
		}
		if got := tt.e.Details(); got != tt.detail {
			t.Errorf("Details() = %q, want %q", got, tt.detail)
		}
	}
}

func TestEmptyFiles(t *testing.T) {
	for name, in := range map[string]string{"empty": "", "blank lines": "\n\r\n  \n", "BOM only": "\xEF\xBB\xBF", "UTF-16 BOM only": "\xFF\xFE"} {
		ve := mustFail(t, []byte(in), nil)
		want := []Problem{{Message: `the file is empty; it needs a header line such as "Device Serial Number,Windows Product ID,Hardware Hash" and one line per device`}}
		if !reflect.DeepEqual(ve.Problems, want) {
			t.Errorf("%s: Problems = %+v", name, ve.Problems)
		}
	}
	ve := mustFail(t, []byte(infoHeader+"\r\n\r\n"), nil)
	want := []Problem{{Message: "the file has a header but no devices; add one line per device below the header"}}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("header only: Problems = %+v", ve.Problems)
	}
}

func TestInvalidUTF16(t *testing.T) {
	good := utf16LE(lines(infoHeader, "PF3ZK1A0,,"+h1), true)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"odd length", append(append([]byte(nil), good...), 'x'), "the file is not valid UTF-16: it ends in the middle of a character (byte %d); save it again as UTF-8 or UTF-16"},
		{"lone low surrogate", append(append([]byte(nil), good...), 0x00, 0xDC), "the file is not valid UTF-16: an unpaired surrogate at byte %d; save it again as UTF-8 or UTF-16"},
		{"high surrogate then letter", append(append([]byte(nil), good...), 0x00, 0xD8, 'a', 0), "the file is not valid UTF-16: an unpaired surrogate at byte %d; save it again as UTF-8 or UTF-16"},
		{"high surrogate at the end", append(append([]byte(nil), good...), 0x00, 0xD8), "the file is not valid UTF-16: it ends in the middle of a character (byte %d); save it again as UTF-8 or UTF-16"},
	}
	for _, tt := range tests {
		ve := mustFail(t, tt.in, nil)
		if want := []Problem{{Message: fmt.Sprintf(tt.want, len(good))}}; !reflect.DeepEqual(ve.Problems, want) {
			t.Errorf("%s: Problems = %+v", tt.name, ve.Problems)
		}
	}
	// A character outside the BMP (a surrogate pair) decodes.
	f := mustRead(t, string(mustUTF8(t, utf16BE(lines(infoHeader+",Manufacturer name,Device model", "PF3ZK1A0,,,Contoso 😀,M"), true))), nil)
	if f.Devices[0].ManufacturerName != "Contoso 😀" {
		t.Errorf("ManufacturerName = %q", f.Devices[0].ManufacturerName)
	}
}

// mustUTF8 decodes UTF-16 through the reader Read uses.
func mustUTF8(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := out.ReadFrom(iotest.OneByteReader(textenc.NewReader(bytes.NewReader(b)))); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestLimits(t *testing.T) {
	in := lines(infoHeader, "PF3ZK1A0,,"+h1, "PF3ZK1B7,,"+h2)
	if _, err := Read(strings.NewReader(in), &ReadOptions{MaxBytes: int64(len(in))}); err != nil {
		t.Errorf("file of exactly MaxBytes: %v", err)
	}
	_, err := Read(strings.NewReader(in), &ReadOptions{MaxBytes: int64(len(in)) - 1, Name: "big.csv"})
	if !errors.Is(err, ErrLimit) || err.Error() != fmt.Sprintf("big.csv: the input is larger than %d bytes (ReadOptions.MaxBytes): autopilot: limit exceeded", len(in)-1) {
		t.Errorf("one byte over MaxBytes: %v", err)
	}
	_, err = Read(strings.NewReader(in), &ReadOptions{MaxBytes: 1 << 10})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "larger than 1 KiB") {
		t.Errorf("MaxBytes 1 KiB: %v", err)
	}
	if _, err := Read(strings.NewReader(in), &ReadOptions{MaxBytes: -1, MaxRows: -1}); err != nil {
		t.Errorf("no limits: %v", err)
	}
	if _, err := Read(strings.NewReader(in), &ReadOptions{MaxBytes: 1<<63 - 1}); err != nil {
		t.Errorf("MaxBytes MaxInt64: %v", err)
	}
	if _, err := Read(strings.NewReader(in), &ReadOptions{MaxRows: 2}); err != nil {
		t.Errorf("MaxRows 2: %v", err)
	}
	_, err = Read(strings.NewReader(in), &ReadOptions{MaxRows: 1, Name: "x.csv"})
	if !errors.Is(err, ErrLimit) || err.Error() != "x.csv: more than 1 device rows (ReadOptions.MaxRows): autopilot: limit exceeded" {
		t.Errorf("MaxRows 1: %v", err)
	}
	// UTF-16 counts the bytes as stored.
	u := utf16LE(in, true)
	if _, err := Read(bytes.NewReader(u), &ReadOptions{MaxBytes: int64(len(u)) - 1}); !errors.Is(err, ErrLimit) {
		t.Errorf("UTF-16 one byte over MaxBytes: %v", err)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Read(iotest.ErrReader(boom), &ReadOptions{Name: "r.csv"})
	var ve *ValidationError
	if !errors.Is(err, boom) || errors.As(err, &ve) {
		t.Errorf("err = %v", err)
	}
	_, err = Read(io.MultiReader(strings.NewReader(infoHeader+"\nPF3ZK1A0,,"), iotest.ErrReader(boom)), nil)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(p, []byte(lines(infoHeader, "PF3ZK1A0,,")), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(p, nil)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Name != "bad.csv" || !strings.HasPrefix(err.Error(), "bad.csv: 1 problem: row 2: ") {
		t.Errorf("err = %v", err)
	}
	_, err = ReadFile(p, &ReadOptions{Name: "given"})
	if !errors.As(err, &ve) || ve.Name != "given" {
		t.Errorf("err = %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.csv"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSampleFiles(t *testing.T) {
	f, err := ReadFile("testdata/sample-devices.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Layout != LayoutAutopilotInfo || len(f.Devices) != 5 || len(f.Warnings) != 0 {
		t.Errorf("sample-devices.csv: layout %v, %d devices, warnings %q", f.Layout, len(f.Devices), f.Warnings)
	}
	for _, d := range f.Devices {
		if d.SerialNumber == "" || d.ProductKey != "" || len(d.HardwareHash) < 3000 {
			t.Errorf("device %+v", d)
		}
	}
	f, err = ReadFile("testdata/sample-devices-partner.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Layout != LayoutPartner || len(f.Devices) != 3 || len(f.Warnings) != 0 {
		t.Errorf("sample-devices-partner.csv: layout %v, %d devices, warnings %q", f.Layout, len(f.Devices), f.Warnings)
	}
	for _, d := range f.Devices {
		if d.SerialNumber == "" || d.ManufacturerName == "" || d.ModelName == "" || len(d.HardwareHash) < 3000 {
			t.Errorf("device %+v", d)
		}
	}
}

func TestLayoutString(t *testing.T) {
	for l, want := range map[Layout]string{LayoutOther: "other", LayoutAutopilotInfo: "Get-WindowsAutopilotInfo",
		LayoutAutopilotInfoGroupTag: "Get-WindowsAutopilotInfo with Group Tag", LayoutPartner: "Get-WindowsAutopilotInfo -Partner",
		LayoutTemplate: "Partner Center template", Layout(99): "other"} {
		if got := l.String(); got != want {
			t.Errorf("Layout(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

func TestJoinedFilesAndSemicolons(t *testing.T) {
	one := lines(infoHeader, "PF3ZK1A0,,"+h1)
	ve := mustFail(t, []byte(one+"\uFEFF"+lines(strings.ToUpper(infoHeader), "PF3ZK1B7,,"+h2)), nil)
	want := []Problem{{Row: 3, Message: "this line repeats the header (were two files joined?); remove it"}}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("joined: Problems = %+v", ve.Problems)
	}
	ve = mustFail(t, []byte(lines("Device Serial Number;Windows Product ID;Hardware Hash", "PF3ZK1A0;;"+h1)), nil)
	want = []Problem{{Row: 1, Message: "the header separates its columns with semicolons (;), as Excel does in some regions; save the file with commas between values"}}
	if !reflect.DeepEqual(ve.Problems, want) {
		t.Errorf("semicolons: Problems = %+v", ve.Problems)
	}
}
