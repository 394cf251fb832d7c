package wrapper

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
)

// Bounds on what a server may make the client read.
const (
	// maxErrorBody bounds a failed answer's body: an HTML error page or a
	// runaway gateway must not exhaust memory.
	maxErrorBody = 1 << 20
	// downloadLimit: successful bodies up to this size are read whole inside
	// the retry loop, so a body cut short is retried like any failed try;
	// larger ones are streamed to the decoder.
	downloadLimit = 1 << 20
)

// transport is the pipeline's last step before the network: it refuses
// redirects to another origin and bounds and cleans every response body.
type transport struct {
	next policy.Transporter
	base *url.URL
	// maxBody bounds a successful answer's body (Limits.MaxBodyBytes).
	maxBody int64
}

func newTransport(t policy.Transporter, base *url.URL, maxBody int64) policy.Transporter {
	switch hc := t.(type) {
	case nil:
		t = guardRedirects(nil, base)
	case *http.Client:
		t = guardRedirects(hc, base)
	}
	return transport{next: t, base: base, maxBody: maxBody}
}

// Do implements policy.Transporter.
func (t transport) Do(req *http.Request) (*http.Response, error) {
	resp, err := t.next.Do(req)
	if err != nil {
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
		limit = maxErrorBody
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
	resp.Body = namedLimit{pchttp.Bound(body, limit, resp.StatusCode >= 300), limit}
	return resp, nil
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
		err = fmt.Errorf("%w: more than %d bytes (raise ClientOptions.Limits.MaxBodyBytes to read more): %w", ErrBodyTooLarge, n.limit, ErrLimit)
	}
	return c, err
}

// ErrBodyTooLarge is wrapped by the *DecodeError of an answer larger than
// the client reads (Limits.MaxBodyBytes, 512 MiB by default).
var ErrBodyTooLarge = pchttp.ErrBodyTooLarge

// bodyPolicy downloads small successful bodies (a known length up to
// downloadLimit) inside the retry loop: a body cut short by the connection
// is then a failed try that azcore retries (for GET and DELETE), never a
// half-decoded page. Larger or unsized bodies are streamed.
type bodyPolicy struct{}

// Do implements policy.Policy.
func (bodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if err != nil || resp.StatusCode >= 300 || resp.ContentLength < 0 || resp.ContentLength > downloadLimit {
		return resp, err
	}
	body, err := readSized(resp.Body, resp.ContentLength)
	resp.Body.Close()
	if err != nil {
		if m := req.Raw().Method; m != http.MethodGet && m != http.MethodDelete {
			err = nonRetriable{err}
		}
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// readSized reads r to its end into one buffer sized for the n bytes the
// answer announced (io.ReadAll would grow from 512 bytes); r may yield
// fewer (the transport drops a byte order mark).
func readSized(r io.Reader, n int64) ([]byte, error) {
	b := make([]byte, 0, n+1) // +1: EOF is seen without growing
	for {
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
