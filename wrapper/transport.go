package wrapper

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
)

// Bounds on what a server may make the client read.
const (
	// maxErrorBody bounds a failed answer's body: an HTML error page or a
	// runaway gateway must not exhaust memory.
	maxErrorBody = 1 << 20
	// errorBodyMargin: a failed answer is read this far past maxErrorBody
	// and cut to it only once its secrets are redacted, so the cut cannot
	// leave a prefix of a token the server echoed at the bound.
	errorBodyMargin = 64 << 10
	// downloadLimit: successful bodies up to this size are read whole inside
	// the retry loop, so a body cut short is retried like any failed try;
	// larger ones are streamed to the decoder.
	downloadLimit = 1 << 20
)

// transport is the pipeline's last step, run for every request sent
// (azcore's retries and token-challenge re-sends included): it refuses
// requests to and answers from another origin, gives the request its own
// copy of its body, marks a POST or PATCH that failed after it may have
// reached the service (ErrMaybeCarriedOut), reads small successful bodies
// whole, and bounds and cleans every body.
// Doing this here rather than in policies spares every call azcore's
// per-policy cost, and nothing after it can undo the body copy.
type transport struct {
	next policy.Transporter
	base *url.URL
	// maxBody bounds a successful answer's body (Limits.MaxBodyBytes).
	maxBody int64
}

// newTransport wraps t, the caller's Transport or, when nil, this
// package's own, whose connections also get the stall timeout unless
// tryTimeout (the caller's Retry.TryTimeout) bounds each try already:
// with neither, a server that never answers would hold a call forever.
func newTransport(t policy.Transporter, base *url.URL, maxBody int64, tryTimeout time.Duration) policy.Transporter {
	switch hc := t.(type) {
	case nil:
		var stall time.Duration
		if tryTimeout == 0 {
			stall = DefaultStallTimeout
		}
		t = guardRedirects(&http.Client{Transport: defaultRoundTripper(stall)}, base)
	case *http.Client:
		t = guardRedirects(hc, base)
	}
	return transport{next: t, base: base, maxBody: maxBody}
}

// Do implements policy.Transporter.
func (t transport) Do(req *http.Request) (*http.Response, error) {
	// Again after every policy: a caller's per-retry policies run after
	// the bearer token's, and may have changed the URL.
	if err := checkOrigin(req.URL, t.base); err != nil {
		return nil, err
	}
	if err := ownBody(req); err != nil {
		return nil, err
	}
	var sent *sendTrace
	if m := req.Method; m == http.MethodPost || m == http.MethodPatch {
		req, sent = traceSend(req)
	}
	resp, err := t.next.Do(req)
	if err != nil {
		var se *StallError
		if errors.As(err, &se) {
			// The stall itself, not net/http's account of the connection
			// it broke.
			err = se
		}
		// A refused redirect came with an answer (a 3xx), and is never
		// retried anyway: it is no "no answer came" case.
		if sent != nil && !sent.unsent(err) && !errors.Is(err, ErrRedirectRefused) {
			// An upload or a profile assignment may have been carried
			// out: shouldRetry does not send it again, and the error says
			// what to check.
			err = &maybeCarriedOut{err: err, hint: carriedOutHint(req.Method)}
		}
		return nil, err
	}
	// A caller's own Transporter may follow redirects: the answer must
	// still come from the service.
	if resp.Request != nil && !pchttp.SameOrigin(resp.Request.URL, t.base) {
		resp.Body.Close()
		return nil, nonRetriable{fmt.Errorf("%w: the answer came from %s://%s, not %s", ErrRedirectRefused, resp.Request.URL.Scheme, resp.Request.URL.Host, t.base.Host)}
	}
	limit := t.maxBody
	if resp.StatusCode >= 300 {
		limit = maxErrorBody + errorBodyMargin
	}
	body := resp.Body
	if gzipped(resp) {
		// Go's transport undoes gzip only when it asked for it itself; a
		// caller's transport (or a server that ignores Accept-Encoding) can
		// hand us the compressed stream, and the limit must hold on what
		// it inflates to, not on what travelled.
		body = pchttp.Gunzip(body)
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	if resp.StatusCode < 300 && resp.ContentLength >= 0 && resp.ContentLength <= downloadLimit {
		return download(req, resp, limit)
	}
	resp.Body = namedLimit{pchttp.Bound(body, limit, resp.StatusCode >= 300), limit}
	return resp, nil
}

// ownBody gives a request with a body (uploads, profile assignments) its
// own copy of it. net/http may still be writing one try's body after the
// answer came (a server that answers 503 before reading the request),
// while azcore's retry policy rewinds the one body all tries share for the
// next try: a data race, and a retry that could send a garbled upload.
// Copied here, just before sending, net/http never reads the shared body.
func ownBody(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nonRetriable{fmt.Errorf("reading the request body: %w", err)}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.ContentLength = int64(len(body))
	return nil
}

func gzipped(resp *http.Response) bool {
	return !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip")
}

// namedLimit says, when the body is too large, which limit it passed and
// how to raise it.
type namedLimit struct {
	io.ReadCloser
	limit int64
}

func (n namedLimit) Read(p []byte) (int, error) {
	c, err := n.ReadCloser.Read(p)
	if err == pchttp.ErrBodyTooLarge {
		err = tooLarge(n.limit)
	}
	return c, err
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: more than %d bytes (raise ClientOptions.Limits.MaxBodyBytes to read more): %w", ErrBodyTooLarge, limit, ErrLimit)
}

// ErrBodyTooLarge is wrapped by the *DecodeError of an answer larger than
// the client reads (Limits.MaxBodyBytes, 512 MiB by default; for an upload
// status, Limits.MaxUploadStatusBytes, 64 MiB).
var ErrBodyTooLarge = pchttp.ErrBodyTooLarge

// download reads a small successful body (a known length up to
// downloadLimit) whole, inside azcore's retry loop: a body cut short by the
// connection is then a failed try that azcore retries (for GET and
// DELETE), never a half-decoded page. Larger or unsized bodies are
// streamed. A leading byte order mark is dropped, as pchttp.Bound does.
func download(req *http.Request, resp *http.Response, limit int64) (*http.Response, error) {
	pb := bodyBuffers.Get().(*pooledBody)
	buf := &pb.Buffer
	buf.Grow(int(resp.ContentLength) + bytes.MinRead) // so ReadFrom never grows it
	// Read at most one byte past the limit (and a byte order mark): a
	// caller's own Transport need not stop at the Content-Length it sent.
	pb.lim = io.LimitedReader{R: resp.Body, N: limit + int64(len(utf8BOM)) + 1}
	_, err := buf.ReadFrom(&pb.lim)
	pb.lim.R = nil
	resp.Body.Close()
	if bytes.HasPrefix(buf.Bytes(), utf8BOM) {
		buf.Next(len(utf8BOM))
	}
	body := &memBody{pb}
	if err == nil && int64(buf.Len()) > limit {
		// The same answer again would be as large: not worth a retry.
		err = nonRetriable{tooLarge(limit)}
	}
	if err != nil {
		body.Close()
		if m := req.Method; m != http.MethodGet && m != http.MethodDelete {
			err = nonRetriable{err}
		}
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	resp.Body = body
	return resp, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// bodyBuffers holds the buffers of downloaded bodies: a one-page call then
// allocates no body buffer at all.
var bodyBuffers = sync.Pool{New: func() any { return new(pooledBody) }}

// pooledBody is a downloaded body's buffer, with the reader that bounds
// its read kept beside it so that bounding costs no allocation.
type pooledBody struct {
	bytes.Buffer
	lim io.LimitedReader
}

// memBody is a downloaded body; Close hands its buffer back to the pool,
// after which it reads as empty.
type memBody struct{ buf *pooledBody }

func (b *memBody) Read(p []byte) (int, error) {
	if b.buf == nil {
		return 0, io.EOF
	}
	return b.buf.Read(p)
}

// Close implements io.Closer.
func (b *memBody) Close() error {
	if b.buf != nil && b.buf.Cap() <= 2*downloadLimit {
		b.buf.Reset()
		bodyBuffers.Put(b.buf)
	}
	b.buf = nil
	return nil
}
