package wrapper

// errNotSetUp is returned by every operation of a Client that NewClient did
// not make (a nil *Client, or a zero Client{}), instead of a nil-pointer
// panic.
var errNotSetUp = &InvalidArgumentError{Argument: "client", Problem: "is not set up: create it with wrapper.NewClient"}

// setUp reports a Client that NewClient did not make.
func (c *Client) setUp() error {
	if c == nil || c.gen == nil || c.az == nil || c.base == nil || c.secrets == nil {
		return errNotSetUp
	}
	return nil
}
