package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

type customersFlags struct {
	output       string
	namePrefix   string
	domainPrefix string
}

// customersCommand is `customers`: GET /v1/customers, every page.
func (a *app) customersCommand() *cobra.Command {
	var f customersFlags
	cmd := &cobra.Command{
		Use:   "customers [--name-prefix P | --domain-prefix P]",
		Short: "List the partner's customers (GET /v1/customers)",
		Long: `customers lists the partner's customers, 500 a page. -o csv prints
id,companyName,domain,relationshipToPartner lines (with a header), the
table's columns, that list --customers-file reads as is (the id first).`,
		Example: `  devicebatches customers
  devicebatches customers --name-prefix Contoso -o csv > customers.csv
  devicebatches list --customers-file customers.csv -o jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCustomers(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl or csv (id,companyName,domain,relationshipToPartner) "+csvOutputHelp)
	a.addCSVSafeFlag(cmd, &f.output)
	fl.StringVar(&f.namePrefix, "name-prefix", "", "only customers whose company name starts with this (case-insensitive)")
	fl.StringVar(&f.domainPrefix, "domain-prefix", "", "only customers whose default domain starts with this (case-insensitive)")
	return cmd
}

const customerHeader = "ID\tCOMPANY\tDOMAIN\tRELATIONSHIP"

func customerRow(c wrapper.Customer) string {
	return c.Id.String() + "\t" + cell(c.CompanyProfile.CompanyName) + "\t" + cell(c.CompanyProfile.Domain) + "\t" + cell(c.RelationshipToPartner)
}

func (a *app) runCustomers(ctx context.Context, f customersFlags) error {
	if err := checkFormat(f.output, listFormats...); err != nil {
		return err
	}
	if f.namePrefix != "" && f.domainPrefix != "" {
		return usagef("--name-prefix and --domain-prefix cannot be used together: Partner Center takes one filter")
	}
	opts := &wrapper.ListCustomersOptions{NamePrefix: f.namePrefix, DomainPrefix: f.domainPrefix}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		return listing[wrapper.Customer]{
			json: client.ListCustomersJSON(ctx, opts), items: client.ListCustomersIter(ctx, opts),
			header: customerHeader, row: customerRow,
			// The table's columns, the id first: the lines list
			// --customers-file takes.
			csvHeader: []string{"id", "companyName", "domain", "relationshipToPartner"},
			record: func(c wrapper.Customer) []string {
				return []string{c.Id.String(), c.CompanyProfile.CompanyName, c.CompanyProfile.Domain, c.RelationshipToPartner}
			},
		}.write(a.io.out, f.output, a.csvSafe)
	})
}
