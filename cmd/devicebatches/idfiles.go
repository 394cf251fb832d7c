package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/partnercenter-go/devicebatches/internal/guid"
	"github.com/partnercenter-go/devicebatches/internal/idfile"
)

// idFileHelp is what --customers-file and --devices-file take, for --help.
const idFileHelp = "one id per line, or CSV with the id first and an optional header row (as -o csv prints); UTF-8 or UTF-16; '-' for stdin; blank lines and # comments skipped"

// idKind is what an id file holds: the word for messages and the check of
// one id, which returns what is wrong with it or "".
type idKind struct {
	what  string // "customer", "device"
	check func(id string) string
	// skipRepeats: a repeated id is skipped with a warning, not refused.
	// For customers a repeat is harmless (each is fetched once, and
	// `customers -o csv` writes a customer the service listed twice
	// twice); a device repeated would be sent twice in one request.
	skipRepeats bool
	// noneOK: a header row with no ids is zero of them, not an error. A
	// customers export that matched nobody (a header alone) is a listing
	// of zero customers, as `list --all-customers` with that filter is; a
	// profile assigned to no device is a mistake.
	noneOK bool
}

var (
	customerIDs = idKind{"customer", func(id string) string {
		if guid.Valid(id) {
			return ""
		}
		if p := invisible(id); p != "" {
			return "is not a customer tenant id: " + p
		}
		return "is not a customer tenant id (a GUID like 47021739-3426-40bf-9601-61b4b6d7c793)"
	}, true, true}
	deviceIDs = idKind{"device", func(id string) string {
		if p := idProblem(id); p != "" {
			return "is not a device id: " + p
		}
		return ""
	}, false, false}
)

// openInput opens a file flag's value for reading, "-" being stdin, and
// returns the name errors give it. A local file that cannot be opened, or
// a directory, is a usage error naming the flag.
func (a *app) openInput(flag, path string) (r io.Reader, name string, closeFn func(), err error) {
	if path == "-" {
		return a.io.in, "stdin", func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", nil, usagef("%s: %s", flag, oneLine(err.Error()))
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, "", nil, usagef("%s %s is a directory: give a file", flag, oneLine(path))
	}
	return f, path, func() { f.Close() }, nil
}

// readIDFile reads the id file at path ("-": stdin) given to flag.
func (a *app) readIDFile(flag, path string, kind idKind) ([]string, error) {
	r, name, closeFn, err := a.openInput(flag, path)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	ids, note, err := parseIDsNoting(r, name, kind)
	if note != "" {
		fmt.Fprintln(a.io.err, "devicebatches: "+note)
	}
	var ue *usageError
	if err != nil && !errors.As(err, &ue) {
		// The file could not be read: a local problem to fix, like one
		// that cannot be opened.
		return nil, usagef("%s: %s", flag, oneLine(err.Error()))
	}
	return ids, err
}

// parseIDs is parseIDsNoting without the warning.
func parseIDs(r io.Reader, name string, kind idKind) ([]string, error) {
	ids, _, err := parseIDsNoting(r, name, kind)
	return ids, err
}

// parseIDsNoting reads an id file (internal/idfile) and checks every id:
// the first bad or repeated one is a usage error naming name:line, before
// anything is sent, since a bad line would otherwise surface only as one
// failed customer or device among hundreds, or as a request for an id that
// is not one. When kind.skipRepeats, repeats are skipped instead, and note
// is one warning naming the first repeat's name:line and their number.
//
// With kind.noneOK, a header row alone (an export that matched nothing) is
// zero ids, not an error. An empty stdin, or a file holding nothing or
// only comments, stays a usage error: an export prints its header even
// when it matches nobody, so nothing at all means it failed (in a pipeline
// without pipefail) or the file is the wrong one.
func parseIDsNoting(r io.Reader, name string, kind idKind) (ids []string, note string, err error) {
	file, err := idfile.Load(r, name, 0)
	recs := file.Records
	if err != nil {
		var fe *idfile.Error
		if errors.As(err, &fe) {
			return nil, "", usagef("%s", fe.Error())
		}
		return nil, "", fmt.Errorf("reading %s: %w", name, err)
	}
	ids = make([]string, 0, len(recs))
	first := make(map[string]int, len(recs))
	repeats := 0
	for _, rec := range recs {
		if p := kind.check(rec.ID); p != "" {
			return nil, "", usagef("%s:%d: %s %s", name, rec.Line, idfile.QuoteShort(rec.ID), p)
		}
		// Partner Center compares ids without regard to case.
		key := strings.ToLower(rec.ID)
		if prev, ok := first[key]; ok {
			if !kind.skipRepeats {
				return nil, "", usagef("%s:%d: %s %s repeats line %d: give each %s once", name, rec.Line, kind.what, rec.ID, prev, kind.what)
			}
			if repeats == 0 {
				note = fmt.Sprintf("%s:%d: %s %s repeats line %d: skipped", name, rec.Line, kind.what, rec.ID, prev)
			}
			repeats++
			continue
		}
		first[key] = rec.Line
		ids = append(ids, rec.ID)
	}
	if repeats > 1 {
		note += fmt.Sprintf(" (%d repeated lines skipped in all)", repeats)
	}
	if len(ids) == 0 && kind.noneOK && file.Header {
		return ids, note, nil
	}
	if len(ids) == 0 {
		return nil, note, usagef("%s: no %s ids (one id per line, or CSV with the id first; blank lines and # comments are skipped)", name, kind.what)
	}
	return ids, note, nil
}

// maxIDBytes bounds a device or profile id: the service's are GUIDs (36
// bytes); anything far longer is a line of something else.
const maxIDBytes = 256

// idProblem says what is wrong with a device or profile id, or "". The
// document gives them no format (a device id is "a GUID the service gave
// it" in words only, a profile id a string), so no GUID is required; what
// is refused is what no id holds and a misread file does: control
// characters (the NULs of UTF-16 read as UTF-8), U+FFFD (text lost in a
// conversion), invisible format characters (a zero-width space copied from
// a web page or a document; a byte order mark), spaces, separators and
// quotes of another file format.
func idProblem(id string) string {
	switch {
	case id == "":
		return "it is empty"
	case len(id) > maxIDBytes:
		return fmt.Sprintf("it is %d bytes long, and ids are at most %d", len(id), maxIDBytes)
	case !utf8.ValidString(id):
		return "it is not UTF-8 text: save the file as UTF-8 or UTF-16"
	}
	for _, r := range id {
		switch {
		case r == utf8.RuneError:
			return "it holds U+FFFD, a character lost when the file was converted: save the file again as UTF-8 or UTF-16"
		case unicode.IsSpace(r):
			return "it holds a space or tab: give one id per line, or CSV with the id first"
		case unicode.IsControl(r):
			return fmt.Sprintf("it holds the control character %U: save the file as UTF-8 or UTF-16 text", r)
		case unicode.Is(unicode.Cf, r):
			return invisible(id)
		case r == ';':
			return "it holds ';': save a semicolon-separated file with commas"
		case strings.ContainsRune(`",{}#`, r):
			return fmt.Sprintf("it holds %q: give the id alone, as 'devicebatches devices' and 'profiles' list it", r)
		}
	}
	return ""
}

// invisible says where id holds an invisible format character (Unicode
// category Cf: a zero-width space, a joiner, a byte order mark), or "". It
// looks like the id without it, yet the service takes it for another one.
func invisible(id string) string {
	pos := 0
	for _, r := range id {
		pos++
		if unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("it holds the invisible character %U at position %d: remove it", r, pos)
		}
	}
	return ""
}
