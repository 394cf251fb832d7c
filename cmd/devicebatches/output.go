package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

type batchWriter func(w io.Writer, batches []wrapper.DeviceBatch) error

func newBatchWriter(format string) (batchWriter, error) {
	switch format {
	case "table", "":
		return writeBatchTable, nil
	case "json":
		return writeJSON[wrapper.DeviceBatch], nil
	}
	return nil, usagef("unknown output format %q: use -o table or -o json", format)
}

// writeJSON writes the items as a JSON array with the service's own field
// names and values (creationDate exactly as sent).
func writeJSON[T any](w io.Writer, items []T) error {
	if items == nil {
		items = []T{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(items)
}

func writeBatchTable(w io.Writer, batches []wrapper.DeviceBatch) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tCREATED\tDEVICES")
	for _, b := range batches {
		fmt.Fprintln(tw, batchRow(b))
	}
	return tw.Flush()
}

// batchRow is a batch's ID, STATUS, CREATED and DEVICES cells, tab-separated.
func batchRow(b wrapper.DeviceBatch) string {
	created := ""
	if b.CreationDate != nil {
		created = b.CreationDate.String()
	}
	devices := ""
	if b.DevicesCount != nil {
		devices = strconv.Itoa(int(*b.DevicesCount))
	}
	return cell(b.Id) + "\t" + cell(deref(b.Status)) + "\t" + cell(created) + "\t" + cell(devices)
}

// cell makes a service-provided value safe for a terminal table: control
// characters (tabs, newlines, escape sequences) would break the columns or
// drive the terminal, so they are shown escaped.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
