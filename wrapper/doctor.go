package wrapper

import (
	"context"

	"github.com/partnercenter-go/devicebatches/generated"
)

// ProbeCustomers asks Partner Center for the first customer only,
// GET /v1/customers?size=1, to check that the credential may read the
// partner's customers (the doctor command's access check). It reads one
// page and follows no link, and returns how many customers that page held
// (0 for a partner without customers). Failures are *ResponseError (a 401
// or 403 names a token or role problem), unreadable answers *DecodeError.
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-a-list-of-customers
func (c *Client) ProbeCustomers(ctx context.Context) (n int, err error) {
	ctx, end, err := c.begin(ctx, "ProbeCustomers")
	if err != nil {
		return 0, err
	}
	defer func() { end(err) }()
	size := int32(1)
	resp, err := c.result(c.gen.ListCustomers(c.withPage(ctx, 1), &generated.ListCustomersParams{Size: &size}))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = decodeCollection(resp.Body, c.limits, false, func(*generated.Customer) error { return nil }, func(*generated.Customer, []byte) error {
		n++
		return nil
	})
	if err != nil {
		return n, c.decodeError(resp, err)
	}
	return n, nil
}
