package autopilot

import (
	"bytes"
	"errors"
	"io"
	"unicode"
	"unicode/utf8"
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

// maxRecordBytes bounds one record: a line, or the lines a quoted value
// spans. A device's line is five values of at most MaxCellBytes and a few
// ignored ones; a record this long is an unclosed quote, or the file is no
// Autopilot CSV file.
const maxRecordBytes = 64 * MaxCellBytes

// recordError is a record longer than maxRecordBytes.
type recordError struct {
	line   int  // the line the record starts on
	quoted bool // the bound was passed inside a quoted value
}

func (e *recordError) Error() string {
	if e.quoted {
		return "a quoted value is not closed (the file may be cut or malformed); close it with a double quote, and double any quote inside it"
	}
	return "the line is longer than " + byteSize(maxRecordBytes) + ", which no device's line is; check that the file is an Autopilot CSV file"
}

// recordReader passes CSV text with LF line ends through and fails with a
// *recordError once a record is longer than max. encoding/csv holds a
// record whole (several times over, as it grows its buffers) before a
// value's length can be checked, so one unclosed quote would otherwise read
// the rest of the file, up to ReadOptions.MaxBytes, into one value.
//
// It follows quoting as encoding/csv reads it with TrimLeadingSpace: a
// quote opens a quoted value at the start of a field (white space before
// it aside, Unicode's as encoding/csv skips it; a space character cut in
// two by a read leaves such a value unbounded, never refused), "" inside
// one is a quote,
// and a quote anywhere else, or
// a closing quote followed by anything but a comma or a line end, is an
// error for which encoding/csv drops the rest of the line.
type recordReader struct {
	r      io.Reader
	max    int
	n      int  // bytes of the record so far
	line   int  // the line being read, from 1
	start  int  // the line the record starts on
	quoted bool // inside a quoted value
	closed bool // the last byte was a quote ending a quoted value
	skip   bool // a quoting error: the rest of the line is dropped
	last   byte // the last byte outside quotes that is no white space ('\n' at a line's start)
	err    error
}

func newRecordReader(r io.Reader, max int) *recordReader {
	return &recordReader{r: r, max: max, line: 1, last: '\n'}
}

func (q *recordReader) Read(p []byte) (int, error) {
	if q.err != nil {
		return 0, q.err
	}
	n, err := q.r.Read(p)
	for i := 0; i < n; {
		if q.n == 0 {
			if p[i] == '\n' { // a blank line is no record
				q.line++
				i++
				continue
			}
			q.start = q.line
		}
		j, end := i+1, false // p[i:j] is taken in one step
		switch c := p[i]; {
		case q.quoted:
			j = indexFrom(p[:n], i, '"')
			q.line += bytes.Count(p[i:j], []byte{'\n'})
			if j < n {
				q.quoted, q.closed = false, true
				j++
			}
		case q.closed:
			q.closed = false
			switch c {
			case '"':
				q.quoted = true
			case ',':
				q.last = ','
			case '\n':
				end = true
			default:
				q.skip = true
			}
		case q.skip:
			j = indexFrom(p[:n], i, '\n')
			if j < n {
				j++
				end = true
			}
		case c == '"':
			q.quoted = q.last == ',' || q.last == '\n'
			q.skip = !q.quoted
		case c == '\n':
			end = true
		default: // up to the next quote or line end
			j = indexFrom(p[:n], i, '\n')
			if k := bytes.IndexByte(p[i:j], '"'); k >= 0 {
				j = i + k
			}
			// The last character before j that is not white space, as
			// encoding/csv's TrimLeadingSpace sees it (unicode.IsSpace: NBSP
			// and U+3000 too). A character cut by the end of a read counts
			// as not white space: the value is then left unbounded, never
			// refused.
			for k := j; k > i; {
				r, size := utf8.DecodeLastRune(p[i:k])
				if !unicode.IsSpace(r) {
					q.last = p[k-1]
					break
				}
				k -= size
			}
		}
		q.n += j - i
		if q.n > q.max {
			q.err = &recordError{line: q.start, quoted: q.quoted}
			return i, q.err
		}
		if end {
			q.line++
			q.n, q.skip, q.last = 0, false, '\n'
		}
		i = j
	}
	return n, err
}

// indexFrom is the index of the first c in p from i on, or len(p).
func indexFrom(p []byte, i int, c byte) int {
	if k := bytes.IndexByte(p[i:], c); k >= 0 {
		return i + k
	}
	return len(p)
}
