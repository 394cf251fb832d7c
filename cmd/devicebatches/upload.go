package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/partnercenter-go/devicebatches/internal/safetext"
	"github.com/partnercenter-go/devicebatches/wrapper"
	"github.com/partnercenter-go/devicebatches/wrapper/autopilot"
)

// waitTimeout replaces the --timeout default when --wait is given and
// --timeout is not: Partner Center can take many minutes to process an
// upload, far beyond the 2-minute default of a listing.
const waitTimeout = 30 * time.Minute

// withTerminal decides which streams count as terminals (tests).
func withTerminal(isTerminal func(stream any) bool) appOption {
	return func(a *app) { a.terminal = isTerminal }
}

// withTerminalWidth sets the columns of the terminal a status line is
// drawn on (tests).
func withTerminalWidth(width func(stream any) int) appOption {
	return func(a *app) { a.termWidth = width }
}

// isTerminal reports whether stream (a.io.in or a.io.err) is a terminal.
func (a *app) isTerminal(stream any) bool {
	if a.terminal != nil {
		return a.terminal(stream)
	}
	f, ok := stream.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// waitFlags are the flags of every command that can wait for an upload.
type waitFlags struct {
	wait   bool
	output string
}

func (f *waitFlags) add(cmd *cobra.Command, what string) {
	cmd.Flags().BoolVar(&f.wait, "wait", false, "wait until the "+what+" is final and print one row per device (raises the --timeout default to 30m)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json or jsonl")
}

// waitDefaults raises --timeout for --wait unless the user set it.
func (a *app) waitDefaults(cmd *cobra.Command, f waitFlags) {
	if fl := cmd.Flag("timeout"); f.wait && fl != nil && !fl.Changed {
		a.flags.timeout = waitTimeout
	}
}

type uploadFlags struct {
	waitFlags
	customer string
	batch    string
	csv      string
	dryRun   bool
}

func (a *app) uploadCommand() *cobra.Command {
	var f uploadFlags
	cmd := &cobra.Command{
		Use:   "upload --customer ID --batch NAME --csv FILE [--wait] [--dry-run]",
		Short: "Register the devices of an Autopilot CSV file in a batch (POST /v1/customers/{customer-id}/deviceBatches)",
		Long: `upload registers the devices of an Autopilot CSV file (Get-WindowsAutopilotInfo's
output, with or without -Partner, or the dashboard's template; UTF-8 or
UTF-16) for zero-touch deployment.

The whole file is checked first: every bad row is listed and nothing is
sent (exit 2). If the customer has a batch of that name (compared
case-insensitively, as Partner Center does), the devices are added to it
(POST .../deviceBatches/{batch-id}/devices); otherwise the batch is created
(POST .../deviceBatches), which needs App+User sign-in (--auth device-code,
browser or cli). The tracking id is printed; with --wait, the command waits
until Partner Center has processed the upload and prints one row per device.

--dry-run prints the request body that would be sent (on one line with
-o jsonl) and sends nothing; it needs no credentials.

Exit codes with --wait: 0 when every device is registered (806, already
registered to this customer, counts), 1 when any device failed or the
final status does not list it (matched by serial number or product key;
stderr names it), 2 for a bad file or command line.

When the wait ends before the upload is final (--timeout, Ctrl-C, a
failed status read), stdout still gets, in the -o format, the last status
read (as the status command prints it; its batchTrackingId is the tracking
id), or what upload prints without --wait when no status was read; stderr
names the status command to look later, and the exit code is 1 (130 or
143 for Ctrl-C or SIGTERM).`,
		Example: `  devicebatches upload --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch "Contoso laptops" --csv devices.csv --wait
  devicebatches upload --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch "Contoso laptops" --csv devices.csv --dry-run
  devicebatches upload --sandbox --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch Demo --csv wrapper/autopilot/testdata/sample-devices.csv --wait`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.waitDefaults(cmd, f.waitFlags)
			return a.runUpload(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVar(&f.batch, "batch", "", "batch name: created if the customer has no batch of that name, else added to")
	cmd.Flags().StringVar(&f.csv, "csv", "", "Autopilot CSV file of the devices ('-' for stdin)")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the request body that would be sent, send nothing")
	f.waitFlags.add(cmd, "upload")
	return cmd
}

func (a *app) runUpload(ctx context.Context, f uploadFlags) error {
	if err := checkCustomerFlag(f.customer); err != nil {
		return err
	}
	if f.batch == "" {
		return usagef("--batch is required: the name of the batch to create or add to")
	}
	if err := wrapper.CheckBatchID(f.batch); err != nil {
		return err
	}
	if f.csv == "" {
		return usagef("--csv is required: the Autopilot CSV file of the devices")
	}
	if err := checkFormat(f.output, "table", "json", "jsonl"); err != nil {
		return err
	}
	devices, err := a.readDevices(f.csv)
	if err != nil {
		return err
	}
	if f.dryRun {
		req := wrapper.DeviceBatchCreationRequest{BatchId: f.batch, Devices: devices}
		var body []byte
		if f.output == "jsonl" {
			body, err = json.Marshal(req) // one compact line, as every -o jsonl
		} else {
			body, err = json.MarshalIndent(req, "", "  ")
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(a.io.err, "devicebatches: dry run, nothing sent: POST /v1/customers/%s/deviceBatches would carry this body (if the batch exists, its \"devices\" array alone goes to POST .../deviceBatches/{batch-id}/devices)\n", f.customer)
		_, err = fmt.Fprintf(a.io.out, "%s\n", body)
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		existing, err := findBatch(ctx, client, f.customer, f.batch)
		if err != nil {
			return err
		}
		var tid string
		if existing != "" {
			fmt.Fprintf(a.io.err, "devicebatches: adding %s to the existing batch %q\n", plural(len(devices), "device"), existing)
			tid, err = client.AddDevices(ctx, f.customer, existing, devices)
		} else {
			fmt.Fprintf(a.io.err, "devicebatches: creating the batch %q with %s\n", f.batch, plural(len(devices), "device"))
			tid, err = client.CreateDeviceBatch(ctx, f.customer, f.batch, devices)
		}
		batch := existing
		if batch == "" {
			batch = f.batch
		}
		if err != nil {
			return acceptedHint(err, f.customer, batch)
		}
		if !f.wait {
			return a.writeAccepted(f.output, tid, map[string]string{"batchId": batch})
		}
		fmt.Fprintf(a.io.err, "devicebatches: tracking id %s\n", safetext.Cell(tid))
		return a.waitAndReportAccepted(ctx, client, f.customer, tid, f.output, outcomeBySerial, map[string]string{"batchId": batch}, uploadSent(devices))
	})
}

// readDevices reads and checks the whole CSV file before anything is sent:
// every problem is listed on stderr and the command exits 2.
func (a *app) readDevices(path string) ([]wrapper.DeviceUpload, error) {
	r, name, closeFn, err := a.openInput("--csv", path)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	file, err := autopilot.Read(r, &autopilot.ReadOptions{Name: filepath.Base(name)})
	var ve *autopilot.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, w := range ve.Warnings {
			fmt.Fprintln(a.io.err, "devicebatches: warning: "+oneLine(w))
		}
		fmt.Fprintln(a.io.err, ve.Details())
		return nil, &wrapper.InvalidArgumentError{Argument: "--csv", Value: path, Problem: fmt.Sprintf("has %s (listed above): fix the file; nothing was sent", plural(ve.Count(), "problem"))}
	case err != nil:
		return nil, usagef("--csv %s: %s", path, oneLine(err.Error()))
	}
	for _, w := range file.Warnings {
		fmt.Fprintln(a.io.err, "devicebatches: warning: "+oneLine(w))
	}
	return wrapper.DeviceUploadsFromAutopilot(file.Devices), nil
}

// findBatch returns the id of the customer's batch named name, compared
// case-insensitively as Partner Center does, or "" when there is none.
func findBatch(ctx context.Context, client *wrapper.Client, customer, name string) (string, error) {
	for b, err := range client.ListDeviceBatchesIter(ctx, customer) {
		if err != nil {
			return "", err
		}
		if strings.EqualFold(b.Id, name) {
			return b.Id, nil
		}
	}
	return "", nil
}

// writeAccepted prints the tracking id of an accepted upload or assignment:
// alone on a line for a table (for scripts), else as a JSON object (the
// service's answer has no body to print).
func (a *app) writeAccepted(output, trackingID string, extra map[string]string) error {
	if output == "table" {
		_, err := fmt.Fprintln(a.io.out, safetext.Cell(trackingID))
		return err
	}
	v := map[string]string{"batchTrackingId": trackingID}
	for k, x := range extra {
		v[k] = x
	}
	var b []byte
	if output == "json" {
		b, _ = json.MarshalIndent(v, "", "  ")
	} else {
		b, _ = json.Marshal(v)
	}
	_, err := fmt.Fprintf(a.io.out, "%s\n", b)
	return err
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

type statusFlags struct {
	waitFlags
	customer string
	tracking string
}

func (a *app) statusCommand() *cobra.Command {
	var f statusFlags
	cmd := &cobra.Command{
		Use:   "status --customer ID --tracking ID [--wait]",
		Short: "Show the status of an upload or profile assignment (GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id})",
		Long: `status shows the status of an upload or profile assignment and one row per
device. With --wait it polls (at once, then after 2 s doubling to 30 s)
until the status is final.

Exit codes: 0 when the status was read and no device failed (806, already
registered to this customer, counts as success), 1 when the status is final
and a device failed, or the service could not be reached; 2 for a bad
command line. When --wait ends before the status is final (--timeout,
Ctrl-C), the last status read is still printed and the exit code is 1 (130
or 143 for Ctrl-C or SIGTERM).`,
		Example: `  devicebatches status --customer 47021739-3426-40bf-9601-61b4b6d7c793 --tracking 7b3f1c2a-0d4e-4f6a-9b8c-1d2e3f4a5b6c --wait`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.waitDefaults(cmd, f.waitFlags)
			return a.runStatus(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVar(&f.tracking, "tracking", "", "tracking id printed by upload or assign-profile")
	f.waitFlags.add(cmd, "upload")
	return cmd
}

func (a *app) runStatus(ctx context.Context, f statusFlags) error {
	if err := checkCustomerFlag(f.customer); err != nil {
		return err
	}
	if strings.TrimSpace(f.tracking) == "" {
		return usagef("--tracking is required: the tracking id printed by upload or assign-profile")
	}
	if err := checkFormat(f.output, "table", "json", "jsonl"); err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		if f.wait {
			return a.waitAndReport(ctx, client, f.customer, f.tracking, f.output, outcomeAuto)
		}
		raw, d, err := client.GetBatchUploadStatusJSON(ctx, f.customer, f.tracking)
		if err != nil {
			return err
		}
		return a.report(d, raw, f.output, outcomeAuto, nil)
	})
}
