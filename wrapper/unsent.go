package wrapper

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"syscall"
)

// ErrMaybeCarriedOut is wrapped by the *NetworkError of a call that
// changes something (CreateDeviceBatch: POST
// /v1/customers/{customer-id}/deviceBatches; AddDevices: POST
// .../deviceBatches/{batch-id}/devices; AssignProfile: PATCH
// /v1/customers/{customer-id}/DevicePolicyUpdates) whose try got no
// answer after its request may have reached Partner Center: a try's
// timeout (Retry.TryTimeout), the stall timeout, a connection reset or
// closed after the request was written. Partner Center may have carried
// it out, as after a 500, so the default Retry.ShouldRetry does not send
// it again, and neither should the caller without looking first: list the
// batch's devices (for an upload) or read the devices' profiles (for a
// profile assignment). A try that certainly never reached the service
// (the connection could not be made: DNS, refused, the TLS handshake) is
// retried as before.
var ErrMaybeCarriedOut = errors.New("the request may have been carried out")

// maybeCarriedOut is the error of a POST or PATCH try that failed without
// an answer once it may have reached the service; hint says what to check.
type maybeCarriedOut struct {
	err  error
	hint string
}

func (e *maybeCarriedOut) Error() string {
	return e.err.Error() + ": no answer came after the request was sent, so Partner Center may have carried it out: " + e.hint
}

func (e *maybeCarriedOut) Unwrap() []error { return []error{ErrMaybeCarriedOut, e.err} }

// carriedOutHint says what to check, in the service's words, before a
// request that may have been carried out is sent again.
func carriedOutHint(method string) string {
	if method == http.MethodPatch {
		// The only PATCH is the profile assignment (DevicePolicyUpdates).
		return "list the batch's devices (ListDevices) and check their profiles before assigning the profile again, not blindly"
	}
	// Every POST is an upload (a new batch, or devices added to one).
	return "list the batch's devices (ListDevices) to see whether the upload was taken before uploading again, not blindly"
}

// sendTrace watches, through net/http's client trace, whether a try got a
// connection to write its request on. Only net/http calls it: a caller's
// Transporter that does not gives no evidence, and its tries count as sent.
type sendTrace struct {
	// waiting: net/http asked for a connection (GetConn) and has not got
	// one since (GotConn). GotConn comes before any byte of the request is
	// written, on HTTP/1.1 and HTTP/2 alike; net/http itself sends a POST
	// again on another connection only when nothing of it was written.
	waiting atomic.Bool
}

// traceSend returns req carrying a client trace that st records.
func traceSend(req *http.Request) (*http.Request, *sendTrace) {
	st := &sendTrace{}
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GetConn: func(string) { st.waiting.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { st.waiting.Store(false) },
	})
	return req.WithContext(ctx), st
}

// unsent reports whether a try that failed with err certainly never
// reached the service: its connection could not be made (DNS, a refused
// connection, a failed dial, a proxy's CONNECT, the TLS handshake, a
// timeout during any of them), so sending it again cannot do anything
// twice. Anything else (a timeout, reset or EOF once a connection was
// had) may have reached it.
func (st *sendTrace) unsent(err error) bool {
	if st.waiting.Load() {
		return true // net/http never had a connection to write it on
	}
	var oe *net.OpError
	if errors.As(err, &oe) && (oe.Op == "dial" || oe.Op == "proxyconnect") {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) || errors.Is(err, syscall.ECONNREFUSED)
}
