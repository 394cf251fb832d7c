package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"iter"

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
id,companyName lines (with a header) that list --customers-file reads as is.`,
		Example: `  devicebatches customers
  devicebatches customers --name-prefix Contoso -o csv > customers.csv
  devicebatches list --customers-file customers.csv -o jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCustomers(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table, json, jsonl or csv (id,companyName)")
	fl.StringVar(&f.namePrefix, "name-prefix", "", "only customers whose company name starts with this (case-insensitive)")
	fl.StringVar(&f.domainPrefix, "domain-prefix", "", "only customers whose default domain starts with this (case-insensitive)")
	return cmd
}

const customerHeader = "ID\tCOMPANY\tDOMAIN\tRELATIONSHIP"

func customerRow(c wrapper.Customer) string {
	return c.Id.String() + "\t" + cell(c.CompanyProfile.CompanyName) + "\t" + cell(c.CompanyProfile.Domain) + "\t" + cell(c.RelationshipToPartner)
}

func (a *app) runCustomers(ctx context.Context, f customersFlags) error {
	if err := checkFormat(f.output, "table", "json", "jsonl", "csv"); err != nil {
		return err
	}
	if f.namePrefix != "" && f.domainPrefix != "" {
		return usagef("--name-prefix and --domain-prefix cannot be used together: Partner Center takes one filter")
	}
	opts := &wrapper.ListCustomersOptions{NamePrefix: f.namePrefix, DomainPrefix: f.domainPrefix}
	return a.withService(ctx, func(ctx context.Context, client *wrapper.Client) error {
		switch f.output {
		case "json":
			return writeJSONArray(a.io.out, client.ListCustomersJSON(ctx, opts))
		case "jsonl":
			return writeJSONLines(a.io, client.ListCustomersJSON(ctx, opts))
		case "csv":
			return writeCustomersCSV(a.io, client.ListCustomersIter(ctx, opts))
		}
		return writeTable(a.io.out, customerHeader, client.ListCustomersIter(ctx, opts), customerRow)
	})
}

// writeJSONLines prints each item's JSON, as sent, on its own line.
func writeJSONLines(s streams, items iter.Seq2[[]byte, error]) error {
	bw := bufio.NewWriterSize(s.out, 64<<10)
	for raw, err := range items {
		if err != nil {
			bw.Flush()
			return err
		}
		bw.Write(compactJSON(raw))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// writeCustomersCSV prints an id,companyName header and one line per
// customer (RFC 4180 quoting), the input list --customers-file takes.
func writeCustomersCSV(s streams, items iter.Seq2[wrapper.Customer, error]) error {
	bw := bufio.NewWriterSize(s.out, 64<<10)
	w := csv.NewWriter(bw)
	_ = w.Write([]string{"id", "companyName"})
	for c, err := range items {
		if err != nil {
			w.Flush()
			bw.Flush()
			return err
		}
		_ = w.Write([]string{c.Id.String(), c.CompanyProfile.CompanyName})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// compactJSON puts an item's JSON on one line; values are untouched.
func compactJSON(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}
