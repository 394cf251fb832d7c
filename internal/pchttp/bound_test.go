package pchttp

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// emptyReads returns what it holds, then (0, nil) on every read. A reader
// of it that never gives up would spin: past a cap far above any bound it
// fails the test with its own error instead of hanging.
type emptyReads struct {
	t     *testing.T
	data  string
	calls int
}

var errStillReading = errors.New("still reading a body that returns nothing")

func (r *emptyReads) Read(p []byte) (int, error) {
	if r.data != "" {
		n := copy(p, r.data)
		r.data = r.data[n:]
		return n, nil
	}
	if r.calls++; r.calls > 10000 {
		r.t.Error("read 10000 times while it returned nothing")
		return 0, errStillReading
	}
	return 0, nil
}

func (r *emptyReads) Close() error { return nil }

// TestBoundEmptyReads: a body that keeps returning (0, nil), from the
// start, inside the byte order mark or after some data, ends with
// io.ErrNoProgress instead of being read forever by the mark's look-ahead
// or by the caller (io.ReadAll, bytes.Buffer.ReadFrom).
func TestBoundEmptyReads(t *testing.T) {
	for _, data := range []string{"", "\xef\xbb", "{", `{"items":[`, "\xef\xbb\xbf{}"} {
		for _, truncate := range []bool{false, true} {
			_, err := io.ReadAll(Bound(&emptyReads{t: t, data: data}, 1<<20, truncate))
			if !errors.Is(err, io.ErrNoProgress) {
				t.Errorf("Bound(%q then nothing, truncate %v): %v; want io.ErrNoProgress", data, truncate, err)
			}
		}
	}
	// Within the bound, a body still reads to its end.
	got, err := io.ReadAll(Bound(io.NopCloser(strings.NewReader("\xef\xbb\xbf{}")), 2, false))
	if err != nil || string(got) != "{}" {
		t.Errorf("Bound: %q, %v", got, err)
	}
}
