package wrapper

import (
	"context"
	"iter"
	"net/http"
	"strings"

	"github.com/partnercenter-go/devicebatches/generated"
)

// ListDevices returns every device of a device batch, reading all pages:
// GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices.
//
// The service pages devices by 100; unlike the .NET SDK and the PowerShell
// module, which stop after the first page, this follows every
// continuation. customerID must be a GUID and batchID (a name such as
// "Test batch", escaped as a path segment) must not be empty; otherwise
// the call fails with an *InvalidArgumentError before any request. Service
// failures are *ResponseError, unreadable answers *DecodeError, a paging
// loop *PagingError.
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-a-list-of-devices-for-the-specified-batch-and-customer
func (c *Client) ListDevices(ctx context.Context, customerID, batchID string) ([]Device, error) {
	return collect(c.devicePages(ctx, customerID, batchID))
}

// ListDevicesIter returns an iterator over every device of a device batch,
// requesting pages as the loop consumes them:
// GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices. On
// failure it yields one error and stops.
func (c *Client) ListDevicesIter(ctx context.Context, customerID, batchID string) iter.Seq2[Device, error] {
	return flatten(c.devicePages(ctx, customerID, batchID))
}

// FollowDevicesLink returns every device of batch by following its
// devicesLink (GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices
// as the service linked it), reading all pages. The link's headers are
// sent; it must be a GET on the configured service. A batch without a
// devicesLink, or with one that cannot be followed, fails with an
// *InvalidArgumentError before any request.
func (c *Client) FollowDevicesLink(ctx context.Context, batch DeviceBatch) ([]Device, error) {
	return collect(c.devicesLinkPages(ctx, batch))
}

// FollowDevicesLinkIter is FollowDevicesLink as an iterator, requesting
// pages as the loop consumes them. On failure it yields one error and stops.
func (c *Client) FollowDevicesLinkIter(ctx context.Context, batch DeviceBatch) iter.Seq2[Device, error] {
	return flatten(c.devicesLinkPages(ctx, batch))
}

func (c *Client) devicePages(ctx context.Context, customerID, batchID string) iter.Seq2[[]Device, error] {
	id, err := parseGUID("customer id", customerID)
	if err == nil {
		err = checkBatchID(batchID)
	}
	if err != nil {
		return failed[Device](err)
	}
	return pages[Device](ctx, c, "listDevices", func(ctx context.Context, token string) (*http.Request, error) {
		var params generated.ListDevicesParams
		if token != "" {
			params.MSContinuationToken = &token
		}
		req, err := generated.NewListDevicesRequest(c.gen.Server, id, batchID, &params)
		if err != nil {
			return nil, err
		}
		return req.WithContext(ctx), nil
	})
}

func (c *Client) devicesLinkPages(ctx context.Context, batch DeviceBatch) iter.Seq2[[]Device, error] {
	first, err := c.linkFirstPage(batch.DevicesLink)
	if err != nil {
		return failed[Device](err)
	}
	return pages[Device](ctx, c, "listDevices", first)
}

// linkFirstPage makes a resource's link the start of a paged walk: the
// first page is the link itself, and a page reached by continuationToken
// alone is the link again with MS-ContinuationToken. The link is checked
// here, so a bad one fails before any request.
func (c *Client) linkFirstPage(l *Link) (firstPage, error) {
	if l == nil || strings.TrimSpace(l.Uri) == "" {
		return nil, &InvalidArgumentError{Argument: "devicesLink", Problem: "is missing: the batch has no link to its devices; use ListDevices with the customer and batch ids"}
	}
	link := *l
	if m := deref(link.Method); m != "" && !strings.EqualFold(m, http.MethodGet) {
		return nil, &InvalidArgumentError{Argument: "devicesLink method", Value: m, Problem: "is not GET: only GET links are followed"}
	}
	u, err := c.resolveLink(link)
	if err != nil {
		return nil, &InvalidArgumentError{Argument: "devicesLink", Problem: "cannot be followed: " + err.Error()}
	}
	return func(ctx context.Context, token string) (*http.Request, error) {
		req, err := c.linkRequest(ctx, u, link)
		if err != nil {
			return nil, err
		}
		if token != "" {
			req.Header.Set("MS-ContinuationToken", token)
		}
		return req, nil
	}, nil
}

// checkBatchID refuses batch ids that cannot name a batch. "." and ".."
// are refused because URL resolution would turn them into other paths.
func checkBatchID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return &InvalidArgumentError{Argument: "batch id", Value: id, Problem: "is empty: give the batch's id as listed by ListDeviceBatches, like \"Test batch\""}
	case id == "." || id == "..":
		return &InvalidArgumentError{Argument: "batch id", Value: id, Problem: "is a dot segment, which no batch can be named"}
	}
	return nil
}

// failed is a page iterator that yields err alone: invalid input ends the
// walk before any request.
func failed[T any](err error) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) { yield(nil, err) }
}
