package pcjson

import (
	"encoding/binary"
	"math/bits"
)

// Eight bytes at a time (SWAR): strings are most of a Partner Center
// item's bytes, and these runs skip their plain bytes with a few
// instructions per word instead of a table look-up per byte.

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// zeroBytes has the high bit set in the lowest zero byte of w (bits above
// it may be set spuriously by the borrow; only the lowest is used).
func zeroBytes(w uint64) uint64 { return (w - ones) & ^w & highs }

// plainRun returns the index of the first byte of b at or after j that is
// a quote, a backslash, a control character or non-ASCII, or len(b).
func plainRun(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		m := zeroBytes(w^('"'*ones)) | zeroBytes(w^('\\'*ones)) | (w-' '*ones)&^w&highs | w&highs
		if m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	for ; j < len(b); j++ {
		if strClass[b[j]] != 0 {
			return j
		}
	}
	return j
}

// quoteRun returns the index of the first quote or backslash of b at or
// after j, or len(b).
func quoteRun(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		w := binary.LittleEndian.Uint64(b[j:])
		if m := zeroBytes(w^('"'*ones)) | zeroBytes(w^('\\'*ones)); m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	for ; j < len(b); j++ {
		if c := b[j]; c == '"' || c == '\\' {
			return j
		}
	}
	return j
}
