package main

import (
	"bufio"
	"encoding/csv"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// csvOutputHelp ends every -o help that offers csv. Its words must not
// name another format: completion offers the formats the help names.
const csvOutputHelp = "(the service's values as sent: a spreadsheet runs a cell starting with = + - or @ as a formula; see --csv-safe)"

// addCSVSafeFlag adds --csv-safe to a command whose -o (output) offers csv.
// With any other format it is a usage error: it would change nothing.
func (a *app) addCSVSafeFlag(cmd *cobra.Command, output *string) {
	cmd.Flags().BoolVar(&a.csvSafe, "csv-safe", false, "with -o csv, put ' before every cell starting with = + - @, a tab or a carriage return, so Excel and other spreadsheets show it instead of running it as a formula")
	cmd.PreRunE = func(*cobra.Command, []string) error {
		if a.csvSafe && *output != "csv" {
			return usagef("--csv-safe applies to -o csv, not -o %s", *output)
		}
		return nil
	}
}

// defuseFormulas puts a single quote before every cell a spreadsheet
// would read as a formula (OWASP's advice for CSV injection): company
// names and batch ids come from customers' tenants, and MSPs open these
// files in Excel. The cells are changed in place.
func defuseFormulas(rec []string) []string {
	for i, c := range rec {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			rec[i] = "'" + c
		}
	}
	return rec
}

// writeCSV prints a header and one record per item, quoted as RFC 4180
// says (fields with commas, quotes or line breaks quoted) but with LF line
// ends, as encoding/csv writes by default, through one 64 KiB buffer.
// Values are the service's, not the table's display forms: an absent text
// value is an empty field, not "-". An absent number (devicesCount,
// devicesAssigned) prints 0, as in the table: the decoded models hold
// numbers as plain values, with no mark of absence; -o json is exact.
// Nothing is printed when the listing fails before its first item.
func writeCSV[T any](w io.Writer, header []string, items iter.Seq2[T, error], record func(T) []string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	n := 0
	for it, err := range items {
		if err != nil {
			if n > 0 {
				cw.Flush()
				bw.Flush()
			}
			return err
		}
		if n == 0 {
			cw.Write(header)
		}
		cw.Write(record(it))
		n++
	}
	if n == 0 {
		cw.Write(header)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

var batchCSVHeader = []string{"id", "status", "creationDate", "devicesCount", "createdBy"}

func batchRecord(b wrapper.DeviceBatch) []string {
	return []string{b.Id, b.Status, b.CreationDate.Raw, strconv.Itoa(int(b.DevicesCount)), b.CreatedBy}
}

var deviceCSVHeader = []string{"id", "serialNumber", "productKey", "modelName", "oemManufacturerName", "uploadedDate"}

func deviceRecord(d wrapper.Device) []string {
	return []string{d.Id, d.SerialNumber, d.ProductKey, d.ModelName, d.OemManufacturerName, d.UploadedDate.Raw}
}

var profileCSVHeader = []string{"id", "name", "devicesAssigned", "lastModifiedDate"}

func profileRecord(p wrapper.ConfigurationPolicy) []string {
	return []string{p.Id, p.Name, strconv.Itoa(int(p.DevicesAssigned)), p.LastModifiedDate.Raw}
}
