package wrapper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// DefaultStallTimeout is how long a try may go without a byte from the
// service, when ClientOptions sets neither Transport nor Retry.TryTimeout:
// no answer headers, or no byte of a body being read, for this long cuts
// the try, which is then retried as a connection failure. It bounds
// silence, not length, so a large page on a slow link is never cut while
// it keeps arriving, and a caller slow to consume a listing is not
// counted: only a read the client is waiting on.
const DefaultStallTimeout = 60 * time.Second

// StallError is the error of a try cut by DefaultStallTimeout, inside
// the *NetworkError of a call that got no answer, or of a page whose
// answer stopped arriving.
type StallError struct {
	// Timeout is how long the service sent nothing.
	Timeout time.Duration
}

// Error returns one line saying what cut the try and how to choose.
func (e *StallError) Error() string {
	return fmt.Sprintf("the service sent nothing for %s (the client's stall timeout; set ClientOptions.Retry.TryTimeout to bound each try yourself)", e.Timeout)
}

// stallWatch cuts one try after d with no byte from the service: it
// cancels the context the request was sent with, which ends both a wait
// for headers and a blocked body read, whatever the protocol.
type stallWatch struct {
	d      time.Duration
	timer  *time.Timer
	cancel context.CancelCauseFunc
	fired  atomic.Bool
}

// watch sends req under a context the watch cancels, its clock running
// until the answer's headers arrive.
func watch(req *http.Request, d time.Duration) (*stallWatch, *http.Request) {
	ctx, cancel := context.WithCancelCause(req.Context())
	w := &stallWatch{d: d, cancel: cancel}
	w.timer = time.AfterFunc(d, w.fire)
	return w, req.WithContext(ctx)
}

func (w *stallWatch) fire() {
	w.fired.Store(true)
	w.cancel(w.err())
}

func (w *stallWatch) err() error { return &StallError{Timeout: w.d} }

// failed ends the watch of a try that got no answer; a cut it made is
// reported as such, not as the cancelled context it used.
func (w *stallWatch) failed(err error) error {
	w.timer.Stop()
	w.cancel(nil)
	if w.fired.Load() {
		return w.err()
	}
	return err
}

// answered stops the clock once the headers are in and hands the body
// to the watch: the clock runs again during each read.
func (w *stallWatch) answered(body io.ReadCloser) io.ReadCloser {
	w.timer.Stop()
	return &watchedBody{rc: body, w: w}
}

type watchedBody struct {
	rc io.ReadCloser
	w  *stallWatch
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.w.timer.Reset(b.w.d)
	n, err := b.rc.Read(p)
	b.w.timer.Stop()
	if err != nil && err != io.EOF && b.w.fired.Load() {
		err = b.w.err()
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.w.timer.Stop()
	err := b.rc.Close()
	b.w.cancel(nil)
	return err
}
