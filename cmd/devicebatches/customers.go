package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/partnercenter-go/devicebatches/internal/guid"
	"github.com/partnercenter-go/devicebatches/internal/jsonout"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// maxCustomerLine bounds one line of a customers file: a GUID and a comment
// fit easily; anything longer is not a customers file.
const maxCustomerLine = 4096

// parseCustomers reads one customer tenant id per line. Blank lines and
// comments (from '#' to the end of the line) are skipped; a UTF-8 byte order
// mark and CRLF line ends are tolerated. A line that is not a GUID, or repeats
// an earlier customer, is a usage error naming name:line, since a typo would
// otherwise surface only as one failed customer among hundreds.
func parseCustomers(r io.Reader, name string) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxCustomerLine)
	var ids []string
	first := map[string]int{}
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !guid.Valid(line) {
			return nil, usagef("%s:%d: %s is not a customer tenant id (a GUID like 47021739-3426-40bf-9601-61b4b6d7c793)", name, n, quoteShort(line))
		}
		key := strings.ToLower(line)
		if prev, ok := first[key]; ok {
			return nil, usagef("%s:%d: customer %s repeats line %d", name, n, line, prev)
		}
		first[key] = n
		ids = append(ids, line)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, usagef("%s:%d: line longer than %d bytes: not a customers file", name, n+1, maxCustomerLine)
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(ids) == 0 {
		return nil, usagef("%s: no customer ids (one GUID per line; blank lines and # comments are skipped)", name)
	}
	return ids, nil
}

// quoteShort quotes a user's line for an error message, cut so a binary file
// cannot flood the terminal.
func quoteShort(s string) string {
	const limit = 60
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return strconv.Quote(s)
}

// readCustomers opens --customers-file ("-" is stdin).
func (a *app) readCustomers(path string) ([]string, error) {
	if path == "-" {
		return parseCustomers(a.io.in, "stdin")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--customers-file: %v", err)
	}
	defer f.Close()
	return parseCustomers(f, path)
}

// runListCustomers is `list --customers-file`: every customer's batches,
// fetched concurrently; successes are printed even when others fail.
func (a *app) runListCustomers(ctx context.Context, f listFlags) error {
	if f.customer != "" {
		return usagef("--customer and --customers-file are mutually exclusive")
	}
	if f.concurrency < 1 {
		return usagef("--concurrency must be 1 or more, not %d", f.concurrency)
	}
	if f.rate < 0 || f.rate != f.rate {
		return usagef("--rate must be 0 (unlimited) or a positive number of requests per second")
	}
	switch f.output {
	case "table", "", "json", "jsonl":
	default:
		return usagef("unknown output format %q: use -o table, json or jsonl", f.output)
	}
	ids, err := a.readCustomers(f.customersFile)
	if err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		return a.listCustomers(ctx, client, f, ids)
	})
}

// listCustomers fans out over ids and prints as results arrive (jsonl) or
// at the end (json, table), then summarises failures on stderr.
func (a *app) listCustomers(ctx context.Context, client *wrapper.Client, f listFlags, ids []string) error {

	bar := a.progress(len(ids))
	results := make([]wrapper.CustomerResult, len(ids))
	var failures []wrapper.CustomerResult
	for r := range client.ListDeviceBatchesForCustomers(ctx, ids, &wrapper.FanOutOptions{Concurrency: f.concurrency, RatePerSecond: f.rate, JSON: f.output != "table" && f.output != ""}) {
		bar.step()
		if r.Err != nil {
			failures = append(failures, r)
			continue
		}
		if f.output == "jsonl" {
			for _, b := range r.BatchesJSON {
				// Compacted: an item the service sent indented must still be one line.
				line, err := jsonout.AppendCompact(nil, withCustomer(r.CustomerID, b))
				if err != nil {
					return err
				}
				if _, err := a.io.out.Write(append(line, '\n')); err != nil {
					return err
				}
			}
			flush(a.io.out) // each customer's lines as its answer arrives
			continue
		}
		results[r.Index] = r
	}
	bar.done()

	var werr error
	switch f.output {
	case "json":
		werr = writeCustomersJSON(a.io.out, results)
	case "table", "":
		werr = writeCustomersTable(a.io.out, results)
	}
	if werr != nil {
		return werr
	}
	if len(failures) == 0 {
		return nil
	}
	slices.SortFunc(failures, func(x, y wrapper.CustomerResult) int { return x.Index - y.Index })
	for _, r := range failures {
		fmt.Fprintln(a.io.err, "devicebatches: "+failureLine(r))
	}
	err := fmt.Errorf("%d of %d customers failed; the others were listed", len(failures), len(ids))
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (gave up after --timeout %s)", err, a.flags.timeout)
	}
	return err
}

// failureLine summarises one customer's failure: customer, HTTP status,
// Partner Center code and the correlation id to quote to Microsoft support.
func failureLine(r wrapper.CustomerResult) string {
	var re *wrapper.ResponseError
	if errors.As(r.Err, &re) {
		return fmt.Sprintf("customer %s: HTTP %d, code %s, correlation id %s: %s", r.CustomerID, re.StatusCode, orDash(re.Code), orDash(re.CorrelationID), oneLine(re.Description))
	}
	var de *wrapper.DecodeError
	if errors.As(r.Err, &de) {
		return fmt.Sprintf("customer %s: HTTP %d, unreadable answer, correlation id %s: %s", r.CustomerID, de.StatusCode, orDash(de.CorrelationID), oneLine(de.Err.Error()))
	}
	return fmt.Sprintf("customer %s: %s", r.CustomerID, oneLine(r.Err.Error()))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// withCustomer puts customerId first in a batch's JSON object, followed by
// the service's own properties exactly as sent.
func withCustomer(customerID string, raw []byte) []byte {
	body := bytes.TrimSpace(raw)
	id, _ := json.Marshal(customerID)
	out := make([]byte, 0, len(body)+len(id)+16)
	out = append(out, `{"customerId":`...)
	out = append(out, id...)
	if len(bytes.TrimSpace(body[1:len(body)-1])) > 0 { // not "{}"
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}

// writeCustomersJSON writes one JSON array of every batch, in the order of
// the customers file, each object led by its customerId.
func writeCustomersJSON(w io.Writer, results []wrapper.CustomerResult) error {
	var buf bytes.Buffer
	buf.WriteByte('[')
	n := 0
	for _, r := range results {
		for _, b := range r.BatchesJSON {
			obj := withCustomer(r.CustomerID, b)
			if n > 0 {
				buf.WriteByte(',')
			}
			buf.Write(obj)
			n++
		}
	}
	buf.WriteByte(']')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// writeCustomersTable is the table of `list --customer` with a CUSTOMER
// column, in the order of the customers file.
func writeCustomersTable(w io.Writer, results []wrapper.CustomerResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CUSTOMER\tID\tSTATUS\tCREATED\tDEVICES")
	for _, r := range results {
		for _, b := range r.Batches {
			fmt.Fprintln(tw, r.CustomerID+"\t"+batchRow(b))
		}
	}
	return tw.Flush()
}

// progressBar draws done/total, rate and ETA on stderr. It exists only when
// stderr is a terminal: redirected output and tests see nothing.
type progressBar struct {
	w     io.Writer
	total int
	count int
	start time.Time
	last  time.Time
}

func (a *app) progress(total int) *progressBar {
	f, ok := a.io.err.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: f, total: total, start: time.Now()}
}

func (p *progressBar) step() {
	if p == nil {
		return
	}
	p.count++
	now := time.Now()
	// Redraw at most ten times a second, and always at the end.
	if p.count < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(p.count) / max(elapsed, 1e-3)
	eta := time.Duration(float64(p.total-p.count) / rate * float64(time.Second)).Round(time.Second)
	width := 30
	filled := width * p.count / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d customers  %.1f/s  ETA %s\x1b[K",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.count, p.total, rate, eta)
}

func (p *progressBar) done() {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
}
