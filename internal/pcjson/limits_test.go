package pcjson

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// refLongest is the longest string of b as the string limit counts it,
// walked byte by byte: the lexical rule LimitStrings must follow (a quote
// opens and closes a string, a backslash in a string takes the next byte
// with it, a backslash outside one is ignored), the unclosed string at the
// end included.
func refLongest(b []byte) int {
	best, cur, in, esc := 0, 0, false, false
	for _, c := range b {
		switch {
		case !in:
			if c == '"' {
				in, cur = true, 0
			}
			continue
		case esc:
			esc = false
			cur++
		case c == '\\':
			esc = true
			cur++
		case c == '"':
			in = false
		default:
			cur++
		}
		best = max(best, cur)
	}
	return best
}

// TestLimitStringsMatchesByteWalk: on random text dense in quotes and
// backslashes, read whole, a byte at a time and in random pieces, the
// limiter fails exactly when the longest string is past max, and passes
// the bytes through unchanged otherwise.
func TestLimitStringsMatchesByteWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(`"\\ab{}:,"x\"`)
	for i := range 3000 {
		b := make([]byte, r.IntN(80))
		for j := range b {
			if r.IntN(4) == 0 {
				b[j] = byte(r.IntN(256))
			} else {
				b[j] = alphabet[r.IntN(len(alphabet))]
			}
		}
		longest := refLongest(b)
		for _, max := range []int{1, 2, 3, 7, 8, 9, 16, longest, longest + 1} {
			if max <= 0 {
				continue
			}
			for k, rd := range []io.Reader{bytes.NewReader(b), iotest.OneByteReader(bytes.NewReader(b)), &pieces{b: b, r: r}} {
				got, err := io.ReadAll(LimitStrings(rd, max))
				var le *LimitError
				if longest > max {
					if !errors.As(err, &le) || le.Limit != "MaxString" || le.Max != max || !errors.Is(err, ErrLimit) {
						t.Fatalf("case %d reader %d: %q, longest %d, max %d: err = %v", i, k, b, longest, max, err)
					}
				} else if err != nil || !bytes.Equal(got, b) {
					t.Fatalf("case %d reader %d: %q, longest %d, max %d: got %q, %v", i, k, b, longest, max, got, err)
				}
			}
		}
	}
}

// pieces reads b in random lengths, so words straddle reads.
type pieces struct {
	b []byte
	r *rand.Rand
}

func (p *pieces) Read(q []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	n := copy(q[:min(len(q), 1+p.r.IntN(20))], p.b)
	p.b = p.b[n:]
	return n, nil
}
