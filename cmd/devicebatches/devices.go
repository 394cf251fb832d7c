package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

type devicesFlags struct {
	customer string
	batch    string
	output   string
}

func (a *app) devicesCommand() *cobra.Command {
	var f devicesFlags
	cmd := &cobra.Command{
		Use:   "devices --customer ID --batch BATCH-ID",
		Short: "List every device of a batch (GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices)",
		Long: `devices lists every device of a device batch, following the service's
pages (100 devices each) to the end.`,
		Example: `  devicebatches devices --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch "Test batch"
  devicebatches devices --customer 47021739-3426-40bf-9601-61b4b6d7c793 --batch "Test batch" -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDevices(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVar(&f.batch, "batch", "", "device batch id, as listed by 'devicebatches list' (quote names with spaces)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

// runDevices mirrors runList: input checked first (exit 2, no request),
// then credential, client and one wrapper call.
func (a *app) runDevices(ctx context.Context, f devicesFlags) error {
	if f.customer == "" {
		return usagef("--customer is required: the customer's tenant id, a GUID")
	}
	if err := wrapper.CheckCustomerID(f.customer); err != nil {
		return err
	}
	if f.batch == "" {
		return usagef("--batch is required: the batch id as listed by 'devicebatches list'")
	}
	out, err := newDeviceWriter(f.output)
	if err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		devices, err := client.ListDevices(ctx, f.customer, f.batch)
		if err != nil {
			return err
		}
		return out(a.io.out, devices)
	})
}

type deviceWriter func(w io.Writer, devices []wrapper.Device) error

func newDeviceWriter(format string) (deviceWriter, error) {
	switch format {
	case "table", "":
		return writeDeviceTable, nil
	case "json":
		return writeJSON[wrapper.Device], nil
	}
	return nil, usagef("unknown output format %q: use -o table or -o json", format)
}

// writeDeviceTable shows uploadedDate exactly as sent: its offset and
// seven fractional digits are what the service said.
func writeDeviceTable(w io.Writer, devices []wrapper.Device) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSERIAL\tMODEL\tMANUFACTURER\tUPLOADED")
	for _, d := range devices {
		uploaded := ""
		if d.UploadedDate != nil {
			uploaded = d.UploadedDate.Raw
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(d.Id), cell(deref(d.SerialNumber)), cell(deref(d.ModelName)),
			cell(deref(d.OemManufacturerName)), cell(uploaded))
	}
	return tw.Flush()
}
