package wrapper

import (
	"context"
	"iter"
	"net/http"

	"github.com/partnercenter-go/devicebatches/generated"
)

// ListDeviceBatches returns every device batch of a customer, reading all
// pages: GET /v1/customers/{customer-id}/deviceBatches.
//
// customerID is the customer's tenant id (Microsoft ID), a GUID; anything
// else fails with an *InvalidArgumentError before any request. Service
// failures are *ResponseError, unreadable answers *DecodeError (wrapping a
// *PropertyError when a batch has a property DeviceBatch cannot hold, such
// as a devicesCount sent as a string: ListDeviceBatchesJSON yields it as
// sent), more than Limits.MaxListItems batches *TooManyItemsError
// (ListDeviceBatchesIter streams them).
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-the-list-of-device-batches-for-the-specified-customer
func (c *Client) ListDeviceBatches(ctx context.Context, customerID string) ([]DeviceBatch, error) {
	first, err := c.deviceBatchesRequest(customerID)
	return all(ctx, c, "ListDeviceBatches", first, err, "", validDeviceBatch)
}

// ListDeviceBatchesIter returns an iterator over every device batch of a
// customer, GET /v1/customers/{customer-id}/deviceBatches, yielding each
// batch as it is decoded and requesting pages as the loop consumes them.
// On failure it yields one error and stops.
func (c *Client) ListDeviceBatchesIter(ctx context.Context, customerID string) iter.Seq2[DeviceBatch, error] {
	first, err := c.deviceBatchesRequest(customerID)
	return items(ctx, c, "ListDeviceBatches", first, err, "", validDeviceBatch)
}

// ListDeviceBatchesJSON is ListDeviceBatchesIter (GET
// /v1/customers/{customer-id}/deviceBatches) yielding each batch's JSON
// exactly as the service sent it (unknown properties, nulls and zeros
// included), for output that must be faithful. A batch need only be a
// JSON object: one with a property DeviceBatch cannot hold, or without an
// id, is yielded as sent (contract validation, package wrapper/drift,
// reports it). The bytes are valid until the loop continues: copy them to
// keep them.
func (c *Client) ListDeviceBatchesJSON(ctx context.Context, customerID string) iter.Seq2[[]byte, error] {
	first, err := c.deviceBatchesRequest(customerID)
	return rawItems[DeviceBatch](ctx, c, "ListDeviceBatches", first, err, "")
}

func (c *Client) deviceBatchesRequest(customerID string) (pageRequest, error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, token string) (*http.Response, error) {
		return c.gen.ListDeviceBatches(ctx, id, &generated.ListDeviceBatchesParams{MSContinuationToken: ifSet(token)})
	}, nil
}

func validDeviceBatch(b *DeviceBatch) error { return needID(b.Id != "", "a device batch") }
