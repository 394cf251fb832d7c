package autopilot

import (
	"encoding/base64"
	"encoding/binary"
	"math/rand/v2"
	"strings"
	"unicode/utf16"
)

// hashBase is the random body shared by fake hashes; fakeHash varies it.
var hashBase = func() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 2976) // 3,968 base64 characters, like a real 4K hash
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, []byte{0x4f, 0x41, 0xa5, 0x03, 0x01, 0x00, 0x1c, 0x00})
	return b
}()

// fakeHash returns a well-formed, distinct hardware hash for each n.
func fakeHash(n int) string {
	b := append([]byte(nil), hashBase...)
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	return base64.StdEncoding.EncodeToString(b)
}

// lines joins lines with LF and a final LF.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func utf16LE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func utf16BE(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFE, 0xFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.BigEndian.AppendUint16(out, u)
	}
	return out
}
