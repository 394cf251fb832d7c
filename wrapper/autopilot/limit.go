package autopilot

import (
	"errors"
	"io"
)

// limitReader passes at most limit bytes through and sets exceeded (and
// fails) once the source holds more.
type limitReader struct {
	r         io.Reader
	remaining int64
	exceeded  bool
}

var errTooLarge = errors.New("input larger than the limit")

func (l *limitReader) Read(p []byte) (int, error) {
	if l.exceeded {
		return 0, errTooLarge
	}
	// Ask for one byte more than allowed so that a file of exactly the limit
	// passes and one byte more does not.
	if l.remaining < int64(len(p)) {
		p = p[:l.remaining+1]
	}
	n, err := l.r.Read(p)
	l.remaining -= int64(n)
	if l.remaining < 0 {
		l.exceeded = true
		return n - 1, errTooLarge
	}
	return n, err
}
