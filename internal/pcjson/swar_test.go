package pcjson

import (
	"math/rand/v2"
	"testing"
)

// TestRunsMatchByteLoops: the word-at-a-time runs find the same byte as a
// loop over single bytes, at every offset and length.
func TestRunsMatchByteLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte("ab \"\\\x00\x1f\x20\x7f\x80\xff/:{}")
	for range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b[i] = byte(r.IntN(256))
			}
		}
		j := 0
		if len(b) > 0 {
			j = r.IntN(len(b) + 1)
		}
		plain, quote := j, j
		for plain < len(b) && strClass[b[plain]] == 0 {
			plain++
		}
		for quote < len(b) && b[quote] != '"' && b[quote] != '\\' {
			quote++
		}
		if got := plainRun(b, j); got != plain {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", b, j, got, plain)
		}
		if got := quoteRun(b, j); got != quote {
			t.Fatalf("quoteRun(%q, %d) = %d, want %d", b, j, got, quote)
		}
	}
}
