package wrapper

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"strings"

	"github.com/partnercenter-go/devicebatches/generated"
)

// CustomerPageSize is the page size ListCustomers asks for: 500, the most
// Partner Center serves in one page, so that a partner with thousands of
// customers costs a handful of requests.
const CustomerPageSize = 500

// Customer is one of the partner's customers, an item of GET /v1/customers.
//
// Fields: Id (the customer's tenant id, the customer id every device-batch
// operation takes; Id.String() is its text), CompanyProfile (TenantId,
// Domain, CompanyName), RelationshipToPartner (such as "reseller"; an open
// set), AllowDelegatedAccess, Links and Attributes.
type Customer = generated.Customer

// CustomerCompanyProfile is a Customer's company name and default domain.
type CustomerCompanyProfile = generated.CustomerCompanyProfile

// ListCustomersOptions filters GET /v1/customers. A nil
// *ListCustomersOptions (or the zero value) lists every customer. At most
// one of NamePrefix and DomainPrefix may be set: the service takes one
// filter.
type ListCustomersOptions struct {
	// NamePrefix keeps the customers whose company name starts with it
	// (case-insensitive), the service's CompanyName starts_with filter.
	NamePrefix string
	// DomainPrefix keeps the customers whose default domain starts with it
	// (case-insensitive), the service's Domain starts_with filter.
	DomainPrefix string
}

// ListCustomers returns every customer of the partner, reading all pages of
// GET /v1/customers?size=500 (the next page is links.next, whose
// MS-ContinuationToken header is sent exactly as the service gave it).
// opts may be nil; conflicting filters fail with an *InvalidArgumentError
// before any request. More than Limits.MaxListItems customers fail with a
// *TooManyItemsError: ListCustomersIter streams them.
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-a-list-of-customers
func (c *Client) ListCustomers(ctx context.Context, opts *ListCustomersOptions) ([]Customer, error) {
	first, err := c.customersRequest(opts)
	return all(ctx, c, "ListCustomers", first, err, "", validCustomer)
}

// ListCustomersIter returns an iterator over the partner's customers, GET
// /v1/customers?size=500, yielding each customer as it is decoded and
// requesting pages as the loop consumes them. On failure it yields one
// error and stops.
func (c *Client) ListCustomersIter(ctx context.Context, opts *ListCustomersOptions) iter.Seq2[Customer, error] {
	first, err := c.customersRequest(opts)
	return items(ctx, c, "ListCustomers", first, err, "", validCustomer)
}

// ListCustomersJSON is ListCustomersIter yielding each customer's JSON
// exactly as the service sent it (GET /v1/customers), for output that must
// be faithful. The bytes are valid until the loop continues: copy them to
// keep them.
func (c *Client) ListCustomersJSON(ctx context.Context, opts *ListCustomersOptions) iter.Seq2[[]byte, error] {
	first, err := c.customersRequest(opts)
	return rawItems[Customer](ctx, c, "ListCustomers", first, err, "")
}

// customersFilter is the filter parameter: a JSON object the generated
// client URL-encodes into the query.
func customersFilter(opts *ListCustomersOptions) (string, error) {
	if opts == nil {
		return "", nil
	}
	field, value := "", ""
	switch {
	case opts.NamePrefix != "" && opts.DomainPrefix != "":
		return "", &InvalidArgumentError{Argument: "customer filter", Problem: "sets both a name prefix and a domain prefix: Partner Center takes one filter, choose one"}
	case opts.NamePrefix != "":
		field, value = "CompanyName", opts.NamePrefix
	case opts.DomainPrefix != "":
		field, value = "Domain", opts.DomainPrefix
	default:
		return "", nil
	}
	if strings.TrimSpace(value) == "" || strings.ContainsAny(value, "\r\n\x00") {
		return "", &InvalidArgumentError{Argument: "customer filter", Value: value, Problem: "must be text without line breaks and not only spaces"}
	}
	b, err := json.Marshal(struct {
		Field    string `json:"Field"`
		Value    string `json:"Value"`
		Operator string `json:"Operator"`
	}{field, value, "starts_with"})
	if err != nil {
		return "", &InvalidArgumentError{Argument: "customer filter", Value: value, Problem: "cannot be encoded: " + err.Error()}
	}
	return string(b), nil
}

func (c *Client) customersRequest(opts *ListCustomersOptions) (pageRequest, error) {
	filter, err := customersFilter(opts)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, token string) (*http.Response, error) {
		size := int32(CustomerPageSize)
		params := generated.ListCustomersParams{Size: &size, Filter: ifSet(filter), MSContinuationToken: ifSet(token)}
		if token != "" {
			// A page answered with continuationToken but no links.next:
			// ask for the next page the way the next link would.
			params.SeekOperation = ifSet("Next")
		}
		return c.gen.ListCustomers(ctx, &params)
	}, nil
}

func validCustomer(cu *Customer) error { return needID(cu.Id != [16]byte{}, "a customer") }
