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
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// parseCustomers reads a customers file (see parseIDs): customer tenant
// ids, alone on a line or first in a CSV record such as `customers -o csv`
// prints (`id,companyName,...` header, `GUID,Contoso Ltd,...` lines).
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
	return a.withFanOutService(ctx, func(ctx context.Context, client *wrapper.Client) error {
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
// format is the fan-out's -o (cliHints).
func failureLine(r wrapper.CustomerResult, format string) string {
	var re *wrapper.ResponseError
	if errors.As(r.Err, &re) {
		return fmt.Sprintf("customer %s: HTTP %d, code %s, correlation id %s: %s", r.CustomerID, re.StatusCode, orDash(re.Code), orDash(re.CorrelationID), oneLine(re.Description))
	}
	var de *wrapper.DecodeError
	if errors.As(r.Err, &de) {
		return fmt.Sprintf("customer %s: HTTP %d, unreadable answer, correlation id %s: %s", r.CustomerID, de.StatusCode, orDash(de.CorrelationID), oneLine(cliHints(de.Err, format).Error()))
	}
	return fmt.Sprintf("customer %s: %s", r.CustomerID, oneLine(errText(r.Err)))
}

// errText is err's text, but a panic on a fan-out worker, which in the CLI
// runs only this program's code, is named for what it is: our bug.
func errText(err error) string {
	var pe *wrapper.PanicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("internal error (a bug; please report it): %v", pe.Value)
	}
	return err.Error()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// withCustomer puts customerId first in a batch's JSON object, followed by
// the service's own properties exactly as sent. A batch that carries a
// customerId of its own (checkOwnCustomerID has made sure that every
// customerId key, in any case, names this customer) is printed as sent: a
// second key would leave a reader to pick one (jq takes the last).
func withCustomer(customerID string, raw []byte) []byte {
	body := bytes.TrimSpace(raw)
	if _, exact := topLevelCustomerIDs(body); exact {
		return body
	}
	id, _ := json.Marshal(customerID)
	out := make([]byte, 0, len(body)+len(id)+16)
	out = append(out, `{"customerId":`...)
	out = append(out, id...)
	if len(bytes.TrimSpace(body[1:len(body)-1])) > 0 { // not "{}"
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}

// checkOwnCustomerID fails a customer whose batches carry a top-level
// customerId naming another customer (or not a string): the fan-out's
// JSON output names each batch's customer, and every customerId key of an
// object (repeated, in another case, escaped) must name that customer,
// whichever one a reader keeps.
func checkOwnCustomerID(r wrapper.CustomerResult) wrapper.CustomerResult {
	if r.Err != nil {
		return r
	}
	for i, b := range r.BatchesJSON {
		vals, _ := topLevelCustomerIDs(bytes.TrimSpace(b))
		for _, v := range vals {
			var s string
			if json.Unmarshal(v, &s) == nil && strings.EqualFold(s, r.CustomerID) {
				continue
			}
			r.Err = fmt.Errorf("the service's batch %d of %d carries customerId %s, which is not this customer: its batches are not printed, since each output object's customerId must name one customer",
				i+1, len(r.BatchesJSON), oneLine(string(bytes.TrimSpace(v))))
			r.BatchesJSON = nil
			return r
		}
	}
	return r
}

// topLevelCustomerIDs returns the value of every top-level member of obj
// whose key reads customerId (topLevel), and whether one is spelled
// exactly so. Most batches have none, and say so without a parse: no such
// key can hide without a backslash, an ASCII spelling or 'ſ', the one
// non-ASCII letter that folds to one of its letters.
func topLevelCustomerIDs(obj []byte) (vals []json.RawMessage, exact bool) {
	const name = "customerId"
	if bytes.IndexByte(obj, '\\') < 0 && !bytes.Contains(obj, []byte("ſ")) && !containsFold(obj, `"`+name+`"`) {
		return nil, false
	}
	return topLevel(obj, name)
}

// topLevel returns the value of every top-level member of the JSON
// object obj whose key, escapes undone, is name in any case (a reader that
// matches keys so, as encoding/json does, may keep any of them), in
// order, and whether one is spelled exactly name.
func topLevel(obj []byte, name string) (vals []json.RawMessage, exact bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return vals, exact
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return vals, exact
		}
		if strings.EqualFold(key, name) {
			vals = append(vals, v)
			exact = exact || key == name
		}
	}
	return vals, exact
}

// containsFold reports whether s holds sub in any ASCII case. sub starts
// with a byte that has no case (a quote), so only the places holding that
// byte are compared: this runs on every batch of a fan-out's JSON output.
func containsFold(s []byte, sub string) bool {
	for len(s) >= len(sub) {
		i := bytes.IndexByte(s, sub[0])
		if i < 0 || len(s)-i < len(sub) {
			return false
		}
		if strings.EqualFold(string(s[i:i+len(sub)]), sub) {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// progressBar draws, on stderr, customers done/total (the total is
// unknown while customers are still being listed), batches found, the
// request rate measured over the last few seconds and the rate limiter's
// allowance, the throttled count, and an ETA, cut to the terminal's width
// (statusLine). It exists only when stderr is a terminal: redirected
// output and tests see nothing.
type progressBar struct {
	line  *statusLine
	total func() (int, bool)
	stats func() wrapper.RateStats
	count int
	found int
	start time.Time
	last  time.Time
	// samples are recent (time, requests sent) pairs, for the measured
	// rate.
	samples []rateSample
}

type rateSample struct {
	at   time.Time
	sent int64
}

// rateWindow is how far back the measured rate looks: long enough to be
// steady at a few requests a second, short enough to follow a cut.
const rateWindow = 5 * time.Second

func (a *app) progress(total func() (int, bool), stats func() wrapper.RateStats) *progressBar {
	sl := a.statusLine()
	if sl == nil {
		return nil
	}
	return &progressBar{line: sl, total: total, stats: stats, start: time.Now()}
}

func (p *progressBar) step(batches int) {
	if p == nil {
		return
	}
	p.stepAt(time.Now(), batches)
}

func (p *progressBar) stepAt(now time.Time, batches int) {
	p.count++
	p.found += batches
	total, known := p.total()
	// Redraw at most ten times a second, and always at the end.
	if (!known || p.count < total) && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.line.draw(p.text(now, total, known, p.line.width()))
}

// rate is the requests sent a second over the last rateWindow (since the
// start, before that much has passed), as text: "-" in the first second,
// when a few requests would read as hundreds a second.
func (p *progressBar) rate(now time.Time, sent int64) string {
	p.samples = append(p.samples, rateSample{now, sent})
	i := 0
	for i < len(p.samples)-1 && now.Sub(p.samples[i+1].at) >= rateWindow {
		i++
	}
	p.samples = p.samples[i:]
	from := rateSample{p.start, 0}
	if now.Sub(p.start) > rateWindow {
		from = p.samples[0]
	}
	secs := now.Sub(from.at).Seconds()
	if secs < 1 {
		return "-"
	}
	return strconv.FormatFloat(float64(sent-from.sent)/secs, 'f', 1, 64)
}

// text is the bar's text at now. The bar itself is left out when the
// numbers need the room of a width-column terminal (statusLine.draw cuts
// what is still too long).
func (p *progressBar) text(now time.Time, total int, known bool, width int) string {
	st := p.stats()
	tail := fmt.Sprintf("%d batches  %s req/s (allowed %.1f)  %d throttled", p.found, p.rate(now, st.Sent), st.Rate, st.Throttled)
	var line string
	if !known {
		line = fmt.Sprintf("%d/? customers (still listing customers)  %s", p.count, tail)
	} else {
		elapsed := now.Sub(p.start).Seconds()
		perSec := float64(p.count) / max(elapsed, 1e-3)
		eta := time.Duration(float64(max(total-p.count, 0)) / max(perSec, 1e-3) * float64(time.Second)).Round(time.Second)
		line = fmt.Sprintf("%d/%d customers  %s  ETA %s", p.count, total, tail, eta)
		if room := width - 1 - len(line) - 3; room >= 10 {
			n := min(room, 30)
			filled := n * min(p.count, total) / max(total, 1)
			line = "[" + strings.Repeat("#", filled) + strings.Repeat(".", n-filled) + "] " + line
		}
	}
	return line
}

func (p *progressBar) done() {
	if p == nil {
		return
	}
	p.line.clear()
}

// statusLine is one line of progress on a terminal, redrawn in place: cut
// to the terminal's width, so a redraw never wraps onto a new line, and
// without escape sequences when TERM is dumb (Emacs shells, some CI
// logs), which show them as text: a shorter redraw is padded with spaces
// instead of erased with ESC[K.
type statusLine struct {
	w     io.Writer
	width func() int
	dumb  bool
	drawn int // columns of the line on screen
}

// defaultWidth is the width assumed when the terminal does not say.
const defaultWidth = 80

// statusLine returns stderr's status line, or nil when stderr is not a
// terminal.
func (a *app) statusLine() *statusLine {
	if !a.isTerminal(a.io.err) {
		return nil
	}
	width := func() int {
		if a.termWidth != nil {
			return a.termWidth(a.io.err)
		}
		if f, ok := a.io.err.(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				return w
			}
		}
		return defaultWidth
	}
	return &statusLine{w: a.io.err, width: width, dumb: a.getenv("TERM") == "dumb"}
}

// draw replaces the line with text, cut to the terminal's width.
func (l *statusLine) draw(text string) {
	text = cutTo(text, l.width()-1)
	n := runewidth.StringWidth(text)
	if l.dumb {
		fmt.Fprint(l.w, "\r"+text+strings.Repeat(" ", max(l.drawn-n, 0)))
	} else {
		fmt.Fprint(l.w, "\r"+text+"\x1b[K")
	}
	l.drawn = n
}

// clear erases the line, leaving the cursor at its start.
func (l *statusLine) clear() {
	if l.dumb {
		fmt.Fprint(l.w, "\r"+strings.Repeat(" ", l.drawn)+"\r")
	} else {
		fmt.Fprint(l.w, "\r\x1b[K")
	}
	l.drawn = 0
}

// cutTo cuts text to at most n terminal columns.
func cutTo(s string, n int) string {
	if n < 1 {
		return ""
	}
	return runewidth.Truncate(s, n, "")
}
