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
// "Test batch", escaped as one path segment) must not be empty; otherwise
// the call fails with an *InvalidArgumentError before any request. Service
// failures are *ResponseError, unreadable answers *DecodeError (wrapping a
// *PropertyError when a device has a property Device cannot hold:
// ListDevicesJSON yields it as sent), a paging loop *PagingError, more
// than Limits.MaxListItems devices *TooManyItemsError (ListDevicesIter
// streams them).
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-a-list-of-devices-for-the-specified-batch-and-customer
func (c *Client) ListDevices(ctx context.Context, customerID, batchID string) ([]Device, error) {
	first, err := c.devicesRequest(customerID, batchID)
	return all(ctx, c, "ListDevices", first, err, batchID, validDevice)
}

// ListDevicesIter returns an iterator over every device of a device batch,
// GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices,
// yielding each device as it is decoded and requesting pages as the loop
// consumes them. On failure it yields one error and stops.
func (c *Client) ListDevicesIter(ctx context.Context, customerID, batchID string) iter.Seq2[Device, error] {
	first, err := c.devicesRequest(customerID, batchID)
	return items(ctx, c, "ListDevices", first, err, batchID, validDevice)
}

// ListDevicesJSON is ListDevicesIter (GET
// /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices) yielding
// each device's JSON exactly as the service sent it. A device need only be
// a JSON object: one with a property Device cannot hold, or without an id,
// is yielded as sent. The bytes are valid until the loop continues.
func (c *Client) ListDevicesJSON(ctx context.Context, customerID, batchID string) iter.Seq2[[]byte, error] {
	first, err := c.devicesRequest(customerID, batchID)
	return rawItems[Device](ctx, c, "ListDevices", first, err, batchID)
}

// FollowDevicesLink returns every device of batch by following its
// devicesLink (GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices
// as the service linked it), reading all pages. The link's headers are
// sent; it must be a GET on the configured service. A batch without a
// devicesLink, or with one that cannot be followed, fails with an
// *InvalidArgumentError before any request.
func (c *Client) FollowDevicesLink(ctx context.Context, batch DeviceBatch) ([]Device, error) {
	first, err := c.linkRequest(batch.DevicesLink, batch.Id)
	return all(ctx, c, "ListDevices", first, err, batch.Id, validDevice)
}

// FollowDevicesLinkIter is FollowDevicesLink (GET
// /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices as the
// service linked it) as an iterator, requesting pages as the loop consumes
// them. On failure it yields one error and stops.
func (c *Client) FollowDevicesLinkIter(ctx context.Context, batch DeviceBatch) iter.Seq2[Device, error] {
	first, err := c.linkRequest(batch.DevicesLink, batch.Id)
	return items(ctx, c, "ListDevices", first, err, batch.Id, validDevice)
}

func (c *Client) devicesRequest(customerID, batchID string) (pageRequest, error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return nil, err
	}
	if err := CheckBatchID(batchID); err != nil {
		return nil, err
	}
	return func(ctx context.Context, token string) (*http.Response, error) {
		return c.gen.ListDevices(ctx, id, batchID, &generated.ListDevicesParams{MSContinuationToken: ifSet(token)})
	}, nil
}

// linkRequest makes a resource's link the start of a paged walk: the first
// page is the link itself, and a page reached by continuationToken alone is
// the link again with MS-ContinuationToken. The link is checked here, so a
// bad one fails before any request.
func (c *Client) linkRequest(l Link, known string) (pageRequest, error) {
	if err := c.setUp(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(l.Uri) == "" {
		return nil, &InvalidArgumentError{Argument: "devicesLink", Problem: "is missing: the batch has no link to its devices; use ListDevices with the customer and batch ids"}
	}
	if m := l.Method; m != "" && !strings.EqualFold(m, http.MethodGet) {
		return nil, &InvalidArgumentError{Argument: "devicesLink method", Value: m, Problem: "is not GET: only GET links are followed"}
	}
	u, err := c.resolveLink(l, known)
	if err != nil {
		return nil, &InvalidArgumentError{Argument: "devicesLink", Problem: "cannot be followed: " + c.secrets.oneLine(err.Error())}
	}
	return func(ctx context.Context, token string) (*http.Response, error) {
		return c.followLink(ctx, u, l, token)
	}, nil
}

func validDevice(d *Device) error { return needID(d.Id != "", "a device") }
