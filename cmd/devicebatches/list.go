package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

type listFlags struct {
	customer string
	output   string
}

func (a *app) listCommand() *cobra.Command {
	var f listFlags
	cmd := &cobra.Command{
		Use:   "list --customer ID",
		Short: "List a customer's device batches (GET /v1/customers/{customer-id}/deviceBatches)",
		Example: `  devicebatches list --customer 47021739-3426-40bf-9601-61b4b6d7c793
  devicebatches list --customer 47021739-3426-40bf-9601-61b4b6d7c793 -o json
  devicebatches list --sandbox --customer 47021739-3426-40bf-9601-61b4b6d7c793`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runList(cmd.Context(), f)
		},
	}
	cmd.Flags().StringVar(&f.customer, "customer", "", "customer tenant id (GUID)")
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func (a *app) runList(ctx context.Context, f listFlags) error {
	if f.customer == "" {
		return usagef("--customer is required: the customer's tenant id, a GUID")
	}
	if err := wrapper.CheckCustomerID(f.customer); err != nil {
		return err
	}
	out, err := newBatchWriter(f.output)
	if err != nil {
		return err
	}
	client, stop, err := a.serviceClient(ctx)
	defer stop()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, a.flags.timeout)
	defer cancel()
	batches, err := client.ListDeviceBatches(ctx, f.customer)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return fmt.Errorf("gave up after --timeout %s: %w", a.flags.timeout, err)
		}
		return err
	}
	return out(a.io.out, batches)
}
