package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/partnercenter-go/devicebatches/internal/safetext"
	"github.com/partnercenter-go/devicebatches/wrapper"
)

// outcomeColumns chooses the columns of a device outcome table.
type outcomeColumns int

const (
	// outcomeBySerial: SERIAL, PRODUCT KEY (uploads).
	outcomeBySerial outcomeColumns = iota
	// outcomeByDevice: DEVICE ID (profile assignments).
	outcomeByDevice
	// outcomeAuto: by serial when any device has a serial or product key.
	outcomeAuto
)

// waitAndReport waits for an upload or assignment to be final, drawing
// progress on stderr when it is a terminal, and prints the outcome.
func (a *app) waitAndReport(ctx context.Context, client *wrapper.Client, customer, tracking, output string, cols outcomeColumns) error {
	return a.waitAndReportAccepted(ctx, client, customer, tracking, output, cols, nil)
}

// waitAndReportAccepted is waitAndReport for a request just accepted;
// accepted is what writeAccepted adds to the tracking id. When the wait
// ends before the status is final (--timeout, a signal, a failed read),
// stdout still gets the last status read, as status prints it, or else
// (for a request just accepted, not for status --wait) what the command
// prints without --wait: a script keeping only stdout has the tracking id
// to look later. The exit code stays non-zero.
func (a *app) waitAndReportAccepted(ctx context.Context, client *wrapper.Client, customer, tracking, output string, cols outcomeColumns, accepted map[string]string) error {
	var opts wrapper.WaitOptions
	if a.isTerminal(a.io.err) {
		start := time.Now()
		opts.Progress = func(d wrapper.BatchUploadDetails) {
			devs := wrapper.UploadDevices(d)
			done := 0
			for _, dev := range devs {
				if wrapper.DeviceDone(dev) {
					done++
				}
			}
			fmt.Fprintf(a.io.err, "\r%s: %d/%d devices done, %s elapsed\x1b[K", safetext.Cell(d.Status), done, len(devs), time.Since(start).Round(time.Second))
		}
		defer fmt.Fprint(a.io.err, "\r\x1b[K")
	}
	raw, d, err := client.WaitForBatchUploadJSON(ctx, customer, tracking, &opts)
	if err != nil {
		switch {
		case raw != nil:
			_ = a.printStatus(d, raw, output, cols) // the wait's error says more
		case accepted != nil:
			_ = a.writeAccepted(output, tracking, accepted)
		default:
			// status --wait read nothing: no status to print, and the
			// tracking id may be the problem (a 404).
			return err
		}
		// On stderr now, not in the error: an interrupt's message takes
		// the error's place.
		fmt.Fprintf(a.io.err, "devicebatches: see it later with: devicebatches status --customer %s --tracking %s\n", customer, safetext.Cell(tracking))
		return err
	}
	return a.report(d, raw, output, cols)
}

// report prints a status (printStatus) and fails when the status is final
// and a device was not registered.
func (a *app) report(d wrapper.BatchUploadDetails, raw []byte, output string, cols outcomeColumns) error {
	if err := a.printStatus(d, raw, output, cols); err != nil {
		return err
	}
	devs := wrapper.UploadDevices(d)
	failed := 0
	for _, dev := range devs {
		if !wrapper.DeviceRegistered(dev) && wrapper.DeviceDone(dev) {
			failed++
		}
	}
	final := wrapper.UploadFinal(d.Status)
	switch {
	case final && failed > 0:
		return fmt.Errorf("%d of %d devices failed (status %s): see ERROR and HINT", failed, len(devs), d.Status)
	case !final:
		fmt.Fprintf(a.io.err, "devicebatches: the status is %s, not final yet: add --wait to wait for it\n", safetext.Cell(d.Status))
	}
	return nil
}

// printStatus prints a status: the service's JSON as sent for json and
// jsonl, one row per device for a table.
func (a *app) printStatus(d wrapper.BatchUploadDetails, raw []byte, output string, cols outcomeColumns) error {
	var err error
	switch output {
	case "json":
		var buf bytes.Buffer
		if err = json.Indent(&buf, raw, "", "  "); err == nil {
			buf.WriteByte('\n')
			_, err = a.io.out.Write(buf.Bytes())
		}
	case "jsonl":
		var buf bytes.Buffer
		if err = json.Compact(&buf, raw); err == nil {
			buf.WriteByte('\n')
			_, err = a.io.out.Write(buf.Bytes())
		}
	default:
		err = writeOutcomeTable(a.io.out, d, cols)
	}
	return err
}

// writeOutcomeTable prints one row per device: SERIAL, PRODUCT KEY (or
// DEVICE ID), STATUS, ERROR and a plain-language HINT, aligned in terminal
// columns as every table is (table.go).
func writeOutcomeTable(w io.Writer, d wrapper.BatchUploadDetails, cols outcomeColumns) error {
	devs := wrapper.UploadDevices(d)
	if cols == outcomeAuto {
		cols = outcomeByDevice
		for _, dev := range devs {
			s, _ := dev.SerialNumber.Get()
			k, _ := dev.ProductKey.Get()
			if s != "" || k != "" {
				cols = outcomeBySerial
				break
			}
		}
	}
	rows := newTableRows()
	if cols == outcomeBySerial {
		rows.add("SERIAL\tPRODUCT KEY\tSTATUS\tERROR\tHINT")
	} else {
		rows.add("DEVICE ID\tSTATUS\tERROR\tHINT")
	}
	for _, dev := range devs {
		code, _ := dev.ErrorCode.Get()
		desc, _ := dev.ErrorDescription.Get()
		errText := code
		switch {
		case desc != "" && desc != code && code != "":
			errText = code + " " + desc
		case desc != "":
			errText = desc
		}
		hint := wrapper.UploadErrorHint(code, desc)
		if hint == "" && errText != "" && !wrapper.DeviceRegistered(dev) {
			hint = "see Partner Center's error text"
		}
		if cols == outcomeBySerial {
			s, _ := dev.SerialNumber.Get()
			k, _ := dev.ProductKey.Get()
			rows.add(cell(s) + "\t" + cell(k) + "\t" + cell(dev.Status) + "\t" + cell(errText) + "\t" + cell(hint))
		} else {
			id, _ := dev.DeviceId.Get()
			rows.add(cell(id) + "\t" + cell(dev.Status) + "\t" + cell(errText) + "\t" + cell(hint))
		}
	}
	return writeRows(w, rows)
}
