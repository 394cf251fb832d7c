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
// failures are *ResponseError, unreadable answers *DecodeError.
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-the-list-of-device-batches-for-the-specified-customer
func (c *Client) ListDeviceBatches(ctx context.Context, customerID string) ([]DeviceBatch, error) {
	return collect(c.deviceBatchPages(ctx, customerID))
}

// ListDeviceBatchesIter returns an iterator over every device batch of a
// customer, requesting pages as the loop consumes them:
// GET /v1/customers/{customer-id}/deviceBatches. On failure it yields one
// error and stops.
func (c *Client) ListDeviceBatchesIter(ctx context.Context, customerID string) iter.Seq2[DeviceBatch, error] {
	return flatten(c.deviceBatchPages(ctx, customerID))
}

func (c *Client) deviceBatchPages(ctx context.Context, customerID string) iter.Seq2[[]DeviceBatch, error] {
	id, err := parseGUID("customer id", customerID)
	if err != nil {
		return func(yield func([]DeviceBatch, error) bool) { yield(nil, err) }
	}
	return pages[DeviceBatch](ctx, c, "listDeviceBatches", func(ctx context.Context, token string) (*http.Request, error) {
		var params generated.ListDeviceBatchesParams
		if token != "" {
			params.MSContinuationToken = &token
		}
		req, err := generated.NewListDeviceBatchesRequest(c.gen.Server, id, &params)
		if err != nil {
			return nil, err
		}
		return req.WithContext(ctx), nil
	})
}
