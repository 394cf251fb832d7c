package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// parseCustomers reads a customers file (see parseIDs): customer tenant
// ids, alone on a line or first in a CSV record such as `customers -o csv`
// prints (`id,companyName` header, `GUID,Contoso Ltd` lines).
func parseCustomers(r io.Reader, name string) ([]string, error) {
	return parseIDs(r, name, customerIDs)
}

// readCustomers reads --customers-file ("-" is stdin).
func (a *app) readCustomers(path string) ([]string, error) {
	return a.readIDFile("--customers-file", path, customerIDs)
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
	if err := checkFanOutFlags(f); err != nil {
		return err
	}
	ids, err := a.readCustomers(f.customersFile)
	if err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		lim, err := wrapper.NewRateLimiter(&wrapper.RateLimiterOptions{Ceiling: f.rate})
		if err != nil {
			return err
		}
		src := customerSource{ids: slices.Values(ids), total: func() (int, bool) { return len(ids), true }}
		return a.fanOut(ctx, client, f, lim, src)
	})
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
		return fmt.Sprintf("customer %s: HTTP %d, unreadable answer, correlation id %s: %s", r.CustomerID, de.StatusCode, orDash(de.CorrelationID), oneLine(cliHints(de.Err).Error()))
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

// progressBar draws, on stderr, customers done/total (the total is
// unknown while customers are still being listed), batches found, the
// current rate and throttled count of the rate limiter, and an ETA. It
// exists only when stderr is a terminal: redirected output and tests see
// nothing.
type progressBar struct {
	w     io.Writer
	total func() (int, bool)
	stats func() wrapper.RateStats
	count int
	found int
	start time.Time
	last  time.Time
}

func (a *app) progress(total func() (int, bool), stats func() wrapper.RateStats) *progressBar {
	f, ok := a.io.err.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: f, total: total, stats: stats, start: time.Now()}
}

func (p *progressBar) step(batches int) {
	if p == nil {
		return
	}
	p.count++
	p.found += batches
	now := time.Now()
	total, known := p.total()
	// Redraw at most ten times a second, and always at the end.
	if (!known || p.count < total) && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	fmt.Fprint(p.w, "\r"+p.line(now, total, known)+"\x1b[K")
}

// line is the bar's text at now.
func (p *progressBar) line(now time.Time, total int, known bool) string {
	st := p.stats()
	tail := fmt.Sprintf("%d batches  %.1f req/s  %d throttled", p.found, st.Rate, st.Throttled)
	if !known {
		return fmt.Sprintf("%d customers done (total unknown: still listing customers)  %s", p.count, tail)
	}
	elapsed := now.Sub(p.start).Seconds()
	perSec := float64(p.count) / max(elapsed, 1e-3)
	eta := time.Duration(float64(max(total-p.count, 0)) / max(perSec, 1e-3) * float64(time.Second)).Round(time.Second)
	width := 30
	filled := width * min(p.count, total) / max(total, 1)
	return fmt.Sprintf("[%s%s] %d/%d customers  %s  ETA %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.count, total, tail, eta)
}

func (p *progressBar) done() {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
}
