package autopilot

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func FuzzRead(f *testing.F) {
	short := strings.Repeat("T0GlAwEAHAAAAAoA", 7)
	seeds := []string{
		"",
		lines(infoHeader, "PF3ZK1A0,,"+short),
		lines(infoHeader+",Group Tag,Assigned User", "PF3ZK1A0,,"+short+",Sales,a@b.c"),
		lines(infoHeader+",Manufacturer name,Device model", "PF3ZK1A0,,,HP,EliteBook", "X,,,HP,EliteBook"),
		lines("Device serial number,Windows product ID,Hardware hash,Manufacturer name,Device Model", ",00330-80000-00000-AA123,,,"),
		lines(infoHeader, `"PF3Z`, `K1A0",,`+short, `"unclosed,,`),
		lines(infoHeader, `PF"3,,`, "PF3ZK1A0,,"+short+"=", "PF3ZK1A0,,"+short+",x"),
		lines(infoHeader, infoHeader),
		"#TYPE x\n" + lines(infoHeader, "a,b,c"),
		lines(",Windows ProduCt ID,HArdwAre HAsh", ",,"+strings.Repeat("0", 100)),
		lines("Hardware Hash", short),
		lines(infoHeader, "S1\u200b,,"+short, "S1,,"+short+"AAAA"),
		strings.ReplaceAll(lines(infoHeader, "PF3ZK1A0,,"+short, "PF3ZK1B7,,"+short+"AAAA"), "\n", "\r"),
		lines(infoHeader, "PF3ZK1A0,,"+short) + "\uFEFF" + lines(infoHeader, `PF3ZK1B7, "x""`, "y,,"),
		"\xEF\xBB\xBF" + lines(infoHeader, "PF3ZK1A0,,"+short),
		string(utf16LE(lines(infoHeader, "PF3ZK1A0,,"+short), true)),
		string(utf16BE(lines(infoHeader, "PF3ZK1A0,,"+short), true)),
		string(utf16LE(lines(infoHeader, "PF3ZK1A0,,"+short), false)) + "\x00\xD8",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := Read(bytes.NewReader(in), &ReadOptions{MaxProblems: 5})
		if err != nil {
			if file != nil {
				t.Fatalf("file and error: %v", err)
			}
			var ve *ValidationError
			if errors.As(err, &ve) {
				if len(ve.Problems) == 0 || len(ve.Problems) > 5 || ve.More < 0 {
					t.Fatalf("ValidationError with %d problems, %d more", len(ve.Problems), ve.More)
				}
				if strings.Contains(ve.Error(), "\n") {
					t.Fatalf("Error() spans lines: %q", ve.Error())
				}
				_ = ve.Details()
			}
			return
		}
		if len(file.Devices) == 0 {
			t.Fatal("accepted a file without devices")
		}
		hashes := map[string]bool{}
		for _, d := range file.Devices {
			// doc.go's rule: a hardware hash (with or without a serial
			// number), a product key, or serial + manufacturer + model.
			s, p, h := d.SerialNumber != "", d.ProductKey != "", d.HardwareHash != ""
			if !(p || h || s && d.ManufacturerName != "" && d.ModelName != "") {
				t.Fatalf("accepted a device without an identity: %+v", d)
			}
			if d.Row < 2 {
				t.Fatalf("device row %d", d.Row)
			}
			for _, v := range []string{d.SerialNumber, d.ProductKey, d.HardwareHash, d.ManufacturerName, d.ModelName} {
				if v != strings.TrimSpace(v) || len(v) > MaxCellBytes || !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 ||
					strings.IndexFunc(v, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) >= 0 {
					t.Fatalf("accepted value %q", v)
				}
			}
			if h {
				if len(d.HardwareHash) < MinHashLength {
					t.Fatalf("accepted a short hash %q", d.HardwareHash)
				}
				_, err1 := base64.StdEncoding.DecodeString(d.HardwareHash)
				_, err2 := base64.RawStdEncoding.DecodeString(d.HardwareHash)
				if err1 != nil && err2 != nil {
					t.Fatalf("accepted hash that is not base64: %v", err1)
				}
				if hashes[d.HardwareHash] {
					t.Fatal("accepted a repeated hash")
				}
				hashes[d.HardwareHash] = true
			}
		}
	})
}
