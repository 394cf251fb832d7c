package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// call describes one Partner Center call: how to build its request (again
// for every try) and how to read a 2xx answer.
type call struct {
	op     string
	build  func(ctx context.Context) (*http.Request, error)
	handle func(resp *http.Response) error
}

type idempotentKey struct{}

// WithIdempotent marks the calls made with ctx as safe to retry even when
// their method is POST or PATCH. Use it only when sending the same request
// twice cannot do harm (Partner Center deduplicates by MS-RequestId, which
// every try of one call shares).
func WithIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

func idempotent(ctx context.Context, method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	marked, _ := ctx.Value(idempotentKey{}).(bool)
	return marked
}

// do runs a call with the retry policy: every try carries the same
// MS-RequestId, waits honour the service's Retry-After and the caller's
// context, and a 429 holds back every call of this client (the gate).
func (c *Client) do(ctx context.Context, cl call, h callHeaders) error {
	p := &c.retry
	for n := 0; ; n++ {
		if err := c.gate.wait(ctx, p); err != nil {
			return err
		}
		start := p.now()
		method, url, status, err := c.try(ctx, cl, h)
		d := p.decide(ctx, n, idempotent(ctx, method), err)
		if d.retry {
			if dl, ok := ctx.Deadline(); ok && p.now().Add(d.wait).After(dl) {
				d = decision{explain: true, reason: fmt.Sprintf("waiting %s would pass the call's deadline", d.wait.Round(time.Millisecond))}
			}
		}
		c.trace(ctx, cl.op, method, url, n, status, p.now().Sub(start), h, d, err)
		if !d.retry {
			switch {
			case err == nil:
				return nil
			case n > 0:
				return fmt.Errorf("%w (gave up after %d tries: %s)", err, n+1, d.reason)
			case d.explain:
				return fmt.Errorf("%w (not retried: %s)", err, d.reason)
			}
			return err
		}
		if isThrottle(err) {
			c.gate.pause(p.now().Add(d.wait))
		}
		if serr := p.sleep(ctx, d.wait); serr != nil {
			return fmt.Errorf("%w while waiting %s to retry; the last try failed: %w", serr, d.wait.Round(time.Millisecond), err)
		}
	}
}

func isThrottle(err error) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.Throttled()
}

// try sends one request and reads its answer. It returns the method, URL
// and status for the trace.
func (c *Client) try(ctx context.Context, cl call, h callHeaders) (method, url string, status int, err error) {
	tctx := ctx
	if c.retry.tryTimeout > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeoutCause(ctx, c.retry.tryTimeout, errTryTimeout)
		defer cancel()
	}
	req, err := cl.build(tctx)
	if err != nil {
		return "", "", 0, err
	}
	method, url = req.Method, redactedURL(req)
	c.setHeaders(req, h)
	if err := c.authorize(tctx, req); err != nil {
		return method, url, 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if context.Cause(tctx) == errTryTimeout && ctx.Err() == nil {
			return method, url, 0, fmt.Errorf("%s %s: %w after %s", method, url, errTryTimeout, c.retry.tryTimeout)
		}
		return method, url, 0, err
	}
	status = resp.StatusCode
	if status < 200 || status > 299 {
		return method, url, status, newResponseError(resp, h.requestID, h.correlationID, c.retry.now())
	}
	defer drainAndClose(resp.Body)
	body := &readTracker{r: resp.Body}
	resp.Body = body
	if err := cl.handle(resp); err != nil {
		transport := body.err != nil
		if transport {
			// Report why reading stopped (reset, cut, timeout), not the
			// decoder's view of the half body.
			err = fmt.Errorf("reading the body: %w", body.err)
		}
		if context.Cause(tctx) == errTryTimeout && ctx.Err() == nil {
			err = fmt.Errorf("%w after %s: %w", errTryTimeout, c.retry.tryTimeout, err)
		}
		return method, url, status, &DecodeError{
			Method: method, URL: url, StatusCode: status,
			ContentType:   resp.Header.Get("Content-Type"),
			RequestID:     firstNonEmpty(resp.Header.Get("MS-RequestId"), h.requestID),
			CorrelationID: firstNonEmpty(resp.Header.Get("MS-CorrelationId"), h.correlationID),
			Err:           err,
			transport:     transport,
		}
	}
	return method, url, status, nil
}

// readTracker remembers the first failure to read a body, other than its
// end, to tell a broken connection from a complete but malformed body.
type readTracker struct {
	r   io.ReadCloser
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

func (t *readTracker) Close() error { return t.r.Close() }

// trace logs one try at debug level. Headers are never logged, so neither
// the Authorization header nor a continuation token can leak.
func (c *Client) trace(ctx context.Context, op, method, url string, n, status int, took time.Duration, h callHeaders, d decision, err error) {
	if c.log == nil || !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("op", op),
		slog.String("method", method),
		slog.String("url", url),
		slog.Int("try", n+1),
		slog.Int("status", status),
		slog.Duration("duration", took),
		slog.String("request_id", h.requestID),
		slog.String("correlation_id", h.correlationID),
	}
	if d.retry {
		attrs = append(attrs, slog.String("decision", "retry"), slog.Duration("wait", d.wait), slog.String("reason", d.reason))
	} else {
		attrs = append(attrs, slog.String("decision", "done"), slog.String("reason", d.reason))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "partner center request", attrs...)
}
