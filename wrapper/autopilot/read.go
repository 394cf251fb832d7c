package autopilot

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnercenter-go/devicebatches/internal/textenc"
)

// Device is one device of the file, to be sent to Partner Center in the body
// of POST /v1/customers/{customer-id}/deviceBatches or
// POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices.
// An empty string means the file gave no value: leave the field out of the
// request rather than sending "".
type Device struct {
	// Row is the line of the file the device is on (the header is row 1).
	Row int
	// SerialNumber is the Device Serial Number column (serialNumber).
	SerialNumber string
	// ProductKey is the Windows Product ID column (productKey).
	ProductKey string
	// HardwareHash is the Hardware Hash column, base64 (hardwareHash).
	HardwareHash string
	// ManufacturerName is the Manufacturer name column (oemManufacturerName).
	ManufacturerName string
	// ModelName is the Device model column (modelName).
	ModelName string
}

// File is a valid Autopilot CSV file.
type File struct {
	// Devices are the file's devices in file order; never empty.
	Devices []Device
	// Warnings are things that did not stop the file from being read, such
	// as ignored columns, one sentence each.
	Warnings []string
	// Layout is the set of columns recognised in the header.
	Layout Layout
}

// ReadOptions tunes Read. A nil *ReadOptions, and every zero field, means the
// default.
type ReadOptions struct {
	// MaxRows is the most device rows accepted (default 1,000,000; negative:
	// no limit).
	MaxRows int
	// MaxBytes is the largest input accepted, counted in bytes as stored
	// (default 1 GiB, about 250,000 rows of 4,000-character hardware
	// hashes; negative: no limit).
	MaxBytes int64
	// MaxProblems is the most problems listed in a *ValidationError
	// (default 100; negative: no cap). Problems beyond it are only counted.
	MaxProblems int
	// Name names the input in error messages, usually the file name.
	Name string
}

// Defaults of ReadOptions. DefaultMaxBytes holds about 250,000 rows with
// 4K hardware hashes in UTF-8 (half that in UTF-16); memory use is about
// 1.2 times the file.
const (
	DefaultMaxRows     = 1_000_000
	DefaultMaxBytes    = 1 << 30
	DefaultMaxProblems = 100
)

// MaxCellBytes is the longest value a cell may hold.
const MaxCellBytes = 16 << 10

// ReadFile reads and checks the Autopilot CSV file at path, as Read does.
// When opts.Name is empty, the file's base name is used in messages.
func ReadFile(path string, opts *ReadOptions) (*File, error) {
	o := withDefaults(opts)
	if o.Name == "" {
		o.Name = filepath.Base(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return read(f, o)
}

// Read reads and checks an Autopilot CSV file from r. It returns the devices
// only when the whole file is valid; otherwise the error is a
// *ValidationError listing every problem (inspect it with errors.As), an
// error wrapping ErrLimit, or the error reading r.
func Read(r io.Reader, opts *ReadOptions) (*File, error) {
	return read(r, withDefaults(opts))
}

func withDefaults(opts *ReadOptions) ReadOptions {
	var o ReadOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxRows == 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxProblems == 0 {
		o.MaxProblems = DefaultMaxProblems
	}
	return o
}

func (o *ReadOptions) name() string {
	if o.Name == "" {
		return "Autopilot CSV"
	}
	return o.Name
}

// reader holds the state of one Read.
type reader struct {
	opts     ReadOptions
	problems []Problem
	more     int
	warnings []string
	header   header

	hashes map[string]int // hardware hash -> first row
	keys   map[string]int // upper-cased product key -> first row
	tuples map[tuple]int  // serial + manufacturer + model -> first row
}

type tuple struct{ serial, manufacturer, model string }

func (rd *reader) add(row int, column, format string, args ...any) {
	if rd.opts.MaxProblems >= 0 && len(rd.problems) >= rd.opts.MaxProblems {
		rd.more++
		return
	}
	rd.problems = append(rd.problems, Problem{Row: row, Column: column, Message: fmt.Sprintf(format, args...)})
}

func (rd *reader) failed() bool { return len(rd.problems) > 0 || rd.more > 0 }

func (rd *reader) failure() error {
	return &ValidationError{Name: rd.opts.Name, Problems: rd.problems, More: rd.more, Warnings: rd.warnings}
}

func read(r io.Reader, o ReadOptions) (*File, error) {
	rd := &reader{opts: o, hashes: map[string]int{}, keys: map[string]int{}, tuples: map[tuple]int{}}
	var lr *limitReader
	if o.MaxBytes > 0 {
		lr = &limitReader{r: r, remaining: o.MaxBytes}
		r = lr
	}
	// Old Mac line ends (a lone CR) and two files joined read as lines
	// (textenc.NewLineReader); a record is bounded (recordReader).
	text := textenc.NewLineReader(textenc.NewReader(bufio.NewReaderSize(r, 64<<10)))
	cr := csv.NewReader(newRecordReader(text, maxRecordBytes))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	var devices []Device
	rows := 0
	haveHeader := false
	for {
		rec, err := cr.Read()
		if lr != nil && lr.exceeded {
			return nil, fmt.Errorf("%s: the input is larger than %s (ReadOptions.MaxBytes): %w", o.name(), byteSize(o.MaxBytes), ErrLimit)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			var ee *textenc.Error
			var re *recordError
			switch {
			case errors.As(err, &re):
				rd.add(re.line, "", "%s", re)
				return nil, rd.failure()
			case errors.As(err, &pe):
				rd.syntax(pe)
				if !haveHeader {
					return nil, rd.failure()
				}
				continue
			case errors.As(err, &ee):
				rd.add(0, "", "%s", ee)
				return nil, rd.failure()
			default:
				return nil, fmt.Errorf("%s: reading: %w", o.name(), err)
			}
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if !haveHeader {
			if strings.HasPrefix(strings.TrimSpace(rec[0]), "#TYPE ") {
				continue // Export-Csv without -NoTypeInformation
			}
			haveHeader = true
			if !rd.readHeader(line, rec) {
				return nil, rd.failure()
			}
			continue
		}
		rows++
		if o.MaxRows > 0 && rows > o.MaxRows {
			return nil, fmt.Errorf("%s: more than %d device rows (ReadOptions.MaxRows): %w", o.name(), o.MaxRows, ErrLimit)
		}
		d, ok := rd.row(line, rec)
		switch {
		case rd.failed():
			devices = nil // no use for them: free the memory while checking goes on
		case ok:
			devices = append(devices, d)
		}
	}
	switch {
	case !haveHeader:
		rd.add(0, "", "the file is empty; it needs a header line such as %q and one line per device", "Device Serial Number,Windows Product ID,Hardware Hash")
	case len(devices) == 0 && !rd.failed():
		rd.add(0, "", "the file has a header but no devices; add one line per device below the header")
	}
	if rd.failed() {
		return nil, rd.failure()
	}
	return &File{Devices: devices, Warnings: rd.warnings, Layout: rd.header.layout}, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// syntax records a CSV syntax error.
func (rd *reader) syntax(pe *csv.ParseError) {
	row := pe.StartLine
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		rd.add(row, "", "a double quote (\") appears inside a value that is not quoted; put the whole value in double quotes and double the quote inside it, or remove it")
	case errors.Is(pe.Err, csv.ErrQuote):
		if pe.Line != pe.StartLine {
			rd.add(row, "", "a quoted value starting on this line is not closed properly (reading gave up on line %d); close it with a double quote, and double any quote inside it", pe.Line)
		} else {
			rd.add(row, "", "a quoted value has text after its closing double quote, or no closing quote; quote the whole value and double any quote inside it")
		}
	default:
		rd.add(row, "", "the line is not valid CSV (%v); correct it", pe.Err)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
