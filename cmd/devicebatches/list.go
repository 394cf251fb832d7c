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
	// list --all-customers (fanout.go)
	allCustomers bool
	namePrefix   string
	domainPrefix string
	includeEmpty bool
}

func (a *app) listCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list (--customer ID | --customers-file FILE | --all-customers)",
		Short: "List a customer's device batches (GET /v1/customers/{customer-id}/deviceBatches)",
		Example: `  devicebatches list --customer 47021739-3426-40bf-9601-61b4b6d7c793
  devicebatches list --customer 47021739-3426-40bf-9601-61b4b6d7c793 -o json
  devicebatches list --sandbox --customer 47021739-3426-40bf-9601-61b4b6d7c793
  devicebatches list --customers-file customers.txt -o jsonl
  devicebatches list --all-customers --name-prefix Contoso -o jsonl --include-empty`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkRate(f.rate, cmd.Flags().Changed("rate")); err != nil {
				return err
			}
			if f.allCustomers {
				return a.runAllCustomers(cmd.Context(), f)
			}
			if f.namePrefix != "" || f.domainPrefix != "" {
				return usagef("--name-prefix and --domain-prefix filter --all-customers; add it")
			}
			if f.customersFile == "" {
				// One customer: the fan-out's tuning would be silently ignored.
				for _, name := range []string{"concurrency", "rate", "include-empty"} {
					if cmd.Flags().Changed(name) {
						return usagef("--%s applies to --customers-file and --all-customers, not to a single --customer", name)
					}
				}
			}
			if f.customersFile != "" {
				return a.runListCustomers(cmd.Context(), f)
			}
			return a.runList(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl (one compact JSON object per line) or csv "+csvOutputHelp)
	a.addCSVSafeFlag(cmd, &f.output)
	cmd.Flags().StringVar(&f.customersFile, "customers-file", "", "file of customer tenant ids (GUIDs): "+idFileHelp)
	cmd.Flags().IntVar(&f.concurrency, "concurrency", wrapper.DefaultConcurrency, "customers fetched at once with --customers-file or --all-customers")
	cmd.Flags().Float64Var(&f.rate, "rate", 0, "hard ceiling in requests per second for --customers-file or --all-customers (default 0: learn the service's limit from its 429s)")
	cmd.Flags().BoolVar(&f.allCustomers, "all-customers", false, "list the batches of every customer of the partner (GET /v1/customers, then each customer's batches)")
	cmd.Flags().StringVar(&f.namePrefix, "name-prefix", "", "with --all-customers, only customers whose company name starts with this")
	cmd.Flags().StringVar(&f.domainPrefix, "domain-prefix", "", "with --all-customers, only customers whose domain starts with this")
	cmd.Flags().BoolVar(&f.includeEmpty, "include-empty", false, `with -o json/jsonl, also a {"customerId": ..., "batches": 0} record for each customer without batches`)
	return cmd
}

func (a *app) runList(ctx context.Context, f listFlags) error {
	if f.customer == "" {
		return usagef("--customer, --customers-file or --all-customers is required: the customer's tenant id (a GUID), a file of them, or every customer")
	}
	if err := wrapper.CheckCustomerID(f.customer); err != nil {
		return err
	}
	if err := checkFormat(f.output, listFormats...); err != nil {
		return err
	}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		return listing[wrapper.DeviceBatch]{
			json: client.ListDeviceBatchesJSON(ctx, f.customer), items: client.ListDeviceBatchesIter(ctx, f.customer),
			header: batchHeader, row: batchRow, csvHeader: batchCSVHeader, record: batchRecord,
		}.write(a.io.out, f.output, a.csvSafe)
	})
}
