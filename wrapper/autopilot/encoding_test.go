package autopilot

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestUTF16RoundTrip(t *testing.T) {
	text := strings.Repeat("Device, é ü 漢字 😀 \uFFFD \uFFFF x\r\n", 3000) // crosses the 32 KiB buffer
	for _, be := range []bool{false, true} {
		enc := utf16LE(text, false)
		if be {
			enc = utf16BE(text, false)
		}
		for name, src := range map[string]io.Reader{
			"whole":    bytes.NewReader(enc),
			"one byte": iotest.OneByteReader(bytes.NewReader(enc)),
			"half":     iotest.HalfReader(bytes.NewReader(enc)),
		} {
			got, err := io.ReadAll(newUTF16Reader(src, be, 0))
			if err != nil {
				t.Fatalf("be=%v %s: %v", be, name, err)
			}
			if string(got) != text {
				t.Errorf("be=%v %s: decoded text differs", be, name)
			}
		}
	}
}
