package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
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
	return a.waitAndReportAccepted(ctx, client, customer, tracking, output, cols, nil, nil)
}

// waitAndReportAccepted is waitAndReport for a request just accepted;
// accepted is what writeAccepted adds to the tracking id. When the wait
// ends before the status is final (--timeout, a signal, a failed read),
// stdout still gets the last status read, as status prints it, or else
// (for a request just accepted, not for status --wait) what the command
// prints without --wait: a script keeping only stdout has the tracking id
// to look later. The exit code stays non-zero. sent is what the request
// carried: a device the final status does not list is not registered.
func (a *app) waitAndReportAccepted(ctx context.Context, client *wrapper.Client, customer, tracking, output string, cols outcomeColumns, accepted map[string]string, sent []sentDevice) error {
	var opts wrapper.WaitOptions
	if line := a.statusLine(); line != nil {
		start := time.Now()
		opts.Progress = func(d wrapper.BatchUploadDetails) {
			devs := wrapper.UploadDevices(d)
			done := 0
			for _, dev := range devs {
				if wrapper.DeviceDone(dev) {
					done++
				}
			}
			line.draw(fmt.Sprintf("%s: %d/%d devices done, %s elapsed", cell(d.Status), done, len(devs), time.Since(start).Round(time.Second)))
		}
		defer line.clear()
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
		a.seeLater(customer, tracking)
		return err
	}
	if err := a.report(d, raw, output, cols, sent); err != nil {
		for _, dev := range wrapper.UploadDevices(d) {
			if !wrapper.DeviceDone(dev) {
				a.seeLater(customer, tracking)
				break
			}
		}
		return err
	}
	return nil
}

// report prints a status (printStatus) and fails when the upload is done
// (wrapper.UploadDone) and a device is not registered: a device that
// failed, one a final status still lists as not done, or one of sent (the
// devices the request carried; nil when unknown, as for status) that the
// final status does not list at all; the last two are named on stderr. A
// status not done yet (status without --wait) only says so.
func (a *app) report(d wrapper.BatchUploadDetails, raw []byte, output string, cols outcomeColumns, sent []sentDevice) error {
	if err := a.printStatus(d, raw, output, cols); err != nil {
		return err
	}
	devs := wrapper.UploadDevices(d)
	failed := 0
	var notDone []string
	for i, dev := range devs {
		switch {
		case wrapper.DeviceRegistered(dev):
		case wrapper.DeviceDone(dev):
			failed++
		default:
			notDone = append(notDone, deviceName(i, dev))
		}
	}
	status := oneLine(d.Status)
	if !wrapper.UploadDone(d) {
		fmt.Fprintf(a.io.err, "devicebatches: the status is %s, not final yet (%d of %d devices done): add --wait to wait for it\n", status, len(devs)-len(notDone), len(devs))
		return nil
	}
	missing := unlisted(sent, devs)
	total := len(devs) + len(missing)
	if len(notDone) > 0 {
		fmt.Fprintf(a.io.err, "devicebatches: status %s, but %d of %d devices are not done, so not registered: %s\n", status, len(notDone), total, listShort(notDone))
	}
	if len(missing) > 0 {
		fmt.Fprintf(a.io.err, "devicebatches: status %s, but %d of the %d devices sent are not in it, so not registered: %s\n", status, len(missing), len(sent), listShort(missing))
	}
	var parts []string
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed (see ERROR and HINT)", failed))
	}
	if len(notDone) > 0 {
		parts = append(parts, fmt.Sprintf("%d not done", len(notDone)))
	}
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%d not in the status", len(missing)))
	}
	switch {
	case len(parts) > 1:
		return fmt.Errorf("%d of %d devices not registered (status %s): %s", failed+len(notDone)+len(missing), total, status, strings.Join(parts, ", "))
	case failed > 0:
		return fmt.Errorf("%d of %d devices failed (status %s): see ERROR and HINT", failed, total, status)
	case len(notDone) > 0:
		return fmt.Errorf("%d of %d devices not done (status %s): not registered yet; read the status again later", len(notDone), total, status)
	case len(missing) > 0:
		return fmt.Errorf("%d of %d devices not registered (status %s): the final status does not list them; look for them in the batch's devices", len(missing), total, status)
	}
	return nil
}

// sentDevice is a device an upload or assignment carried, by the
// identities an upload status names its devices with (DeviceUploadDetails):
// serialNumber and productKey for an upload, deviceId for an assignment.
type sentDevice struct {
	serial, productKey, deviceID string
}

// uploadSent lists the identities of the devices of an upload.
func uploadSent(devices []wrapper.DeviceUpload) []sentDevice {
	out := make([]sentDevice, len(devices))
	for i, d := range devices {
		out[i] = sentDevice{serial: d.SerialNumber, productKey: d.ProductKey}
	}
	return out
}

// assignmentSent lists the devices of a profile assignment.
func assignmentSent(ids []string) []sentDevice {
	out := make([]sentDevice, len(ids))
	for i, id := range ids {
		out[i] = sentDevice{deviceID: id}
	}
	return out
}

// unlisted names the devices of sent that no device of a status matches
// by serial number, product key or device id (compared ignoring case and
// surrounding spaces, as the service may echo them otherwise).
func unlisted(sent []sentDevice, devs []wrapper.DeviceUploadDetails) []string {
	if len(sent) == 0 {
		return nil
	}
	key := func(kind, v string) string { return kind + "\x00" + strings.ToLower(strings.TrimSpace(v)) }
	listed := make(map[string]int, 3*len(devs)) // key -> index in devs
	for i, dev := range devs {
		for _, id := range []struct {
			kind string
			v    interface{ Get() (string, error) }
		}{{"s", dev.SerialNumber}, {"k", dev.ProductKey}, {"d", dev.DeviceId}} {
			if s, _ := id.v.Get(); strings.TrimSpace(s) != "" {
				listed[key(id.kind, s)] = i
			}
		}
	}
	claimed := make(map[int]bool, len(devs))
	var names []string
	var anonymous []int // sent with a hardware hash only: nothing to match by
	for i, s := range sent {
		identified, found := false, false
		for _, id := range []struct{ kind, v string }{{"s", s.serial}, {"k", s.productKey}, {"d", s.deviceID}} {
			if strings.TrimSpace(id.v) == "" {
				continue
			}
			identified = true
			if j, ok := listed[key(id.kind, id.v)]; ok {
				found, claimed[j] = true, true
				break
			}
		}
		switch {
		case !identified:
			anonymous = append(anonymous, i)
		case !found:
			names = append(names, s.name(i))
		}
	}
	// A device sent by its hash alone is taken as listed while the status
	// lists devices no identified one claims: by count, the best the
	// status allows.
	for n, i := range anonymous {
		if n >= len(devs)-len(claimed) {
			names = append(names, sent[i].name(i))
		}
	}
	return names
}

// name names a device sent for a message, as deviceName does.
func (s sentDevice) name(i int) string {
	return nameByIdentity(i, s.serial, s.productKey, s.deviceID)
}

// deviceName names a device of a status for a message: its serial number,
// else product key, else id, else its place in devicesStatus.
func deviceName(i int, dev wrapper.DeviceUploadDetails) string {
	serial, _ := dev.SerialNumber.Get()
	key, _ := dev.ProductKey.Get()
	id, _ := dev.DeviceId.Get()
	return nameByIdentity(i, serial, key, id)
}

// nameByIdentity is the first of a device's identities (serial number,
// product key, id) that is set, else its place (i) in its list.
func nameByIdentity(i int, identities ...string) string {
	for _, v := range identities {
		if strings.TrimSpace(v) != "" {
			return oneLine(v)
		}
	}
	return fmt.Sprintf("device #%d", i+1)
}

// seeLater names, on stderr, the command that reads the status later.
func (a *app) seeLater(customer, tracking string) {
	fmt.Fprintf(a.io.err, "devicebatches: see it later with: devicebatches status --customer %s --tracking %s\n", customer, safetext.Cell(tracking))
}

// listShort joins names for one line: the first few, then how many more.
func listShort(names []string) string {
	const limit = 10
	if len(names) <= limit {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:limit], ", "), len(names)-limit)
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
