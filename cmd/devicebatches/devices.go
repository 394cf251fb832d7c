package main

import (
	"context"

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
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runDevices(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVar(&f.batch, "batch", "", "device batch id, as listed by 'devicebatches list' (quote names with spaces)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl (one compact JSON object per line) or csv "+csvOutputHelp)
	a.addCSVSafeFlag(cmd, &f.output)
	return cmd
}

// runDevices mirrors runList: input checked first (exit 2, no request),
// then credential, client and one wrapper call.
func (a *app) runDevices(ctx context.Context, f devicesFlags) error {
	if err := checkCustomerFlag(f.customer); err != nil {
		return err
	}
	if f.batch == "" {
		return usagef("--batch is required: the batch id as listed by 'devicebatches list'")
	}
	if err := checkFormat(f.output, listFormats...); err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		return listing[wrapper.Device]{
			json: client.ListDevicesJSON(ctx, f.customer, f.batch), items: client.ListDevicesIter(ctx, f.customer, f.batch),
			header: "ID\tSERIAL\tMODEL\tMANUFACTURER\tUPLOADED", row: deviceRow, csvHeader: deviceCSVHeader, record: deviceRecord,
		}.write(a.io.out, f.output, a.csvSafe)
	})
}

// deviceRow shows uploadedDate exactly as sent: its offset and seven
// fractional digits are what the service said.
func deviceRow(d wrapper.Device) string {
	return cell(d.Id) + "\t" + cell(d.SerialNumber) + "\t" + cell(d.ModelName) + "\t" + cell(d.OemManufacturerName) + "\t" + cell(d.UploadedDate.Raw)
}
