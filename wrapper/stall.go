package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// DefaultStallTimeout is how long the connection of a call (any REST
// operation) may wait for a byte from the service, when ClientOptions
// sets neither Transport nor Retry.TryTimeout; the try is then cut with a
// *StallError and retried as a connection failure, unless it is a POST
// or PATCH that may have reached the service (ErrMaybeCarriedOut). It
// bounds silence, not length: an answer that keeps arriving, or an
// upload the service keeps taking, however slowly, is never cut.
//
// The clock is the connection's: each read from it and each write to it
// restarts it, and it cuts only a read still waiting when it runs out.
//   - HTTP/1.1 (plain http, or a server without HTTP/2): it runs from the
//     request's last write until the answer's first byte (so a server
//     that takes nothing of an upload for this long cuts it too), then
//     during each read of the body the client waits on. net/http reads
//     the body only when asked, so time a caller spends before asking for
//     the next item is never counted.
//   - HTTP/2 (usually, over https): one connection carries many calls and
//     is read all the time, so any byte on it, another call's answer
//     included, restarts the clock: a call whose answer alone stalls while
//     others flow is not cut. An answer fully received stays readable
//     however slowly the caller reads it; one with more than HTTP/2's
//     window (4 MiB) still to come, left unread this long with nothing
//     else on the connection, is cut.
//
// An idle pooled connection is closed after this long and the next call
// dials again. A GET that got no byte on a reused HTTP/1.1 connection
// net/http itself sends again, once, on a new connection, so that try may
// take twice this long before it is cut.
const DefaultStallTimeout = 60 * time.Second

// StallError is the error of a try cut by DefaultStallTimeout, inside
// the *NetworkError of a call that got no answer, or of a page whose
// answer stopped arriving (any REST operation).
type StallError struct {
	// Timeout is how long the service sent nothing.
	Timeout time.Duration
}

// Error returns one line saying what cut the try and how to choose.
func (e *StallError) Error() string {
	return fmt.Sprintf("the service sent nothing for %s (the client's stall timeout; set ClientOptions.Retry.TryTimeout to bound each try yourself)", e.Timeout)
}

// dialFunc is http.Transport's DialContext.
type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// stallDial makes every connection dial opens a stallConn: the cost of
// the stall timeout is paid once per connection, not per call.
func stallDial(dial dialFunc, d time.Duration) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &stallConn{Conn: c, d: d}, nil
	}
}

// stallConn moves its read deadline to d from now before each Read and
// each Write. A deadline moved while a Read waits applies to that Read,
// so a Write (a new request on a pooled connection, whose reader has
// been waiting since the last answer) restarts the wait for the answer.
// TLS runs above it: its records count as the service's bytes.
type stallConn struct {
	net.Conn
	d time.Duration
	// stalled is set once a Read timed out: the Write that net/http's
	// close then fails is reported as the stall too.
	stalled atomic.Bool
}

func (c *stallConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.d)) // an error here is the next Read's
	n, err := c.Conn.Read(p)
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		c.stalled.Store(true)
		err = &StallError{Timeout: c.d}
	}
	return n, err
}

func (c *stallConn) Write(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.d))
	n, err := c.Conn.Write(p)
	if err != nil && c.stalled.Load() {
		err = &StallError{Timeout: c.d}
	}
	return n, err
}
