package main

import (
	"bufio"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/partnercenter-go/devicebatches/internal/jsonout"
	"github.com/partnercenter-go/devicebatches/internal/safetext"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// checkFormat refuses an output format the command does not write.
func checkFormat(format string, allowed ...string) error {
	for _, f := range allowed {
		if format == f {
			return nil
		}
	}
	return usagef("unknown output format %q: use -o %s", format, strings.Join(allowed, ", -o "))
}

// writeJSONArray prints items, each the service's own JSON for one item, as
// one indented JSON array: nothing the service sent is dropped or changed
// (nulls, zeros, empty arrays, dates as text). Items are printed as they
// arrive. A listing that fails before its first item prints nothing; one
// that fails part way leaves the array unclosed, so that no parser takes
// the partial output for a complete answer.
func writeJSONArray(w io.Writer, items iter.Seq2[[]byte, error]) error {
	defer streamingGC()()
	arr := jsonArray{bw: bufio.NewWriterSize(w, 64<<10)}
	var err error
	for raw, ierr := range items {
		if err = ierr; err != nil {
			break
		}
		if err = arr.add(raw); err != nil {
			break
		}
	}
	switch {
	case err != nil && arr.n == 0:
		return err
	case err != nil:
		arr.bw.WriteString("\n")
	default:
		arr.end()
	}
	if ferr := arr.bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

// jsonArray prints a JSON array item by item, as json.Indent of the whole
// array with two-space indentation prints it.
type jsonArray struct {
	bw *bufio.Writer
	n  int
}

// add prints one item, the service's own JSON, indented straight into the
// writer's free space: one copy per item.
func (a *jsonArray) add(raw []byte) error {
	b := a.bw.AvailableBuffer()
	if a.n == 0 {
		b = append(b, "[\n  "...)
	} else {
		b = append(b, ",\n  "...)
	}
	b, err := jsonout.AppendIndent(b, raw, "  ", "  ")
	if err != nil {
		return err
	}
	a.bw.Write(b)
	a.n++
	return nil
}

// end closes the array ("[]" when it has no item) and its line.
func (a *jsonArray) end() {
	if a.n == 0 {
		a.bw.WriteString("[]\n")
	} else {
		a.bw.WriteString("\n]\n")
	}
}

// writeTable prints a header and one row per item, aligned as
// text/tabwriter aligns them (table.go), through a buffered writer (one
// write system call per 64 KiB, not per cell). The columns are aligned
// over every row, so nothing is printed before the listing has ended, and
// nothing at all when it failed or passed the table's bounds (tooLarge).
func writeTable[T any](w io.Writer, header string, items iter.Seq2[T, error], row func(T) string) error {
	rows := newTableRows()
	rows.add(header)
	for it, err := range items {
		if err != nil {
			return err
		}
		rows.add(row(it))
		if err := rows.tooLarge(); err != nil {
			return err
		}
	}
	return writeRows(w, rows)
}

const batchHeader = "ID\tSTATUS\tCREATED\tDEVICES"

// batchRow is a batch's ID, STATUS, CREATED and DEVICES cells, tab-separated.
func batchRow(b wrapper.DeviceBatch) string {
	return cell(b.Id) + "\t" + cell(b.Status) + "\t" + cell(b.CreationDate.Raw) + "\t" + cell(strconv.Itoa(int(b.DevicesCount)))
}

// cell makes a service-provided value safe for a terminal table: control
// characters (tabs, newlines, escape sequences) would break the columns or
// drive the terminal, and Unicode bidi controls would reorder what is
// read, so they are shown escaped (safetext.Cell).
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return safetext.Cell(s)
}

// listFormats are the -o values of every listing command.
var listFormats = []string{"table", "json", "jsonl", "csv"}

// listing is what a listing command prints, in any of listFormats: the
// service's items as sent for json and jsonl, decoded items for the table
// and csv. Building the iterators does no I/O; only the one printed runs.
type listing[T any] struct {
	json      iter.Seq2[[]byte, error]
	items     iter.Seq2[T, error]
	header    string // the table's header, tab-separated
	row       func(T) string
	csvHeader []string
	record    func(T) []string
}

// write prints the listing in format; csvSafe is --csv-safe.
func (l listing[T]) write(w io.Writer, format string, csvSafe bool) error {
	switch format {
	case "json":
		return writeJSONArray(w, l.json)
	case "jsonl":
		return writeJSONLines(w, l.json)
	case "csv":
		record := l.record
		if csvSafe {
			record = func(it T) []string { return defuseFormulas(l.record(it)) }
		}
		return writeCSV(w, l.csvHeader, l.items, record)
	}
	return writeTable(w, l.header, l.items, l.row)
}
