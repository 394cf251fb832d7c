package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

type listFlags struct {
	customer      string
	output        string
	customersFile string
	concurrency   int
	rate          float64
}

func (a *app) listCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list (--customer ID | --customers-file FILE)",
		Short: "List a customer's device batches (GET /v1/customers/{customer-id}/deviceBatches)",
		Example: `  devicebatches list --customer 47021739-3426-40bf-9601-61b4b6d7c793
  devicebatches list --customer 47021739-3426-40bf-9601-61b4b6d7c793 -o json
  devicebatches list --sandbox --customer 47021739-3426-40bf-9601-61b4b6d7c793
  devicebatches list --customers-file customers.txt --concurrency 8 --rate 5 -o jsonl`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkRate(f.rate, cmd.Flags().Changed("rate")); err != nil {
				return err
			}
			if f.customersFile != "" {
				return a.runListCustomers(cmd.Context(), f)
			}
			return a.runList(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl (one compact JSON object per line) or csv")
	cmd.Flags().StringVar(&f.customersFile, "customers-file", "", "file of customer tenant ids, one per line ('-' for stdin; blank lines and # comments skipped)")
	cmd.Flags().IntVar(&f.concurrency, "concurrency", wrapper.DefaultConcurrency, "customers fetched at once with --customers-file")
	cmd.Flags().Float64Var(&f.rate, "rate", 0, "with --customers-file, at most this many customer requests per second (a positive number; default: no limit)")
	return cmd
}

func (a *app) runList(ctx context.Context, f listFlags) error {
	if f.customer == "" {
		return usagef("--customer or --customers-file is required: the customer's tenant id, a GUID, or a file of them")
	}
	if err := wrapper.CheckCustomerID(f.customer); err != nil {
		return err
	}
	if err := checkFormat(f.output, "table", "json", "jsonl", "csv"); err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		switch f.output {
		case "csv":
			return writeCSV(a.io.out, batchCSVHeader, client.ListDeviceBatchesIter(ctx, f.customer), batchRecord)
		case "json":
			return writeJSONArray(a.io.out, client.ListDeviceBatchesJSON(ctx, f.customer))
		case "jsonl":
			return writeJSONLines(a.io.out, client.ListDeviceBatchesJSON(ctx, f.customer))
		}
		return writeTable(a.io.out, batchHeader, client.ListDeviceBatchesIter(ctx, f.customer), batchRow)
	})
}
