package wrapper

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/partnercenter-go/devicebatches/internal/pchttp"
	"github.com/partnercenter-go/devicebatches/internal/pcjson"
)

// pageRequest sends the request for a collection's first page, or for the
// page after continuationToken when it is not empty.
type pageRequest func(ctx context.Context, continuationToken string) (*http.Response, error)

// errStopped: the caller's loop ended early; not an error for anyone.
var errStopped = pcjson.ErrStop

// walk reads a paged collection page by page (one call each, so each page
// gets its own MS-RequestId) and hands every item to yield as it is
// decoded. After a page it follows links.next (resolved under /v1, with the
// link's headers, such as MS-ContinuationToken), else the page's
// continuationToken through first. A repeated link or token ends the walk
// with a *PagingError instead of looping.
func walk[T any](ctx context.Context, c *Client, op string, first pageRequest, wantRaw bool, valid func(*T) error, yield func(*T, []byte) bool) (err error) {
	if err := checkContext(ctx); err != nil {
		return err
	}
	ctx, end := c.startSpan(ctx, op)
	defer func() { end(err) }()
	send := func(ctx context.Context) (*http.Response, error) { return first(ctx, "") }
	seen := map[string]bool{}
	for n := 1; ; n++ {
		resp, err := c.result(send(context.WithValue(ctx, pageKey{}, n)))
		if err != nil {
			return err
		}
		page, err := decodeCollection(resp.Body, wantRaw, valid, func(item *T, raw []byte) error {
			if !yield(item, raw) {
				return errStopped
			}
			return nil
		})
		resp.Body.Close()
		switch {
		case errors.Is(err, errStopped):
			return errStopped
		case err != nil:
			return newDecodeError(resp, err)
		}
		var key string
		switch {
		case page.next != nil:
			next := *page.next
			if m := next.Method; m != "" && !strings.EqualFold(m, http.MethodGet) {
				return &PagingError{Pages: n, Reason: fmt.Sprintf("the next link asks for method %q; only GET is followed", m)}
			}
			u, err := c.resolveLink(next)
			if err != nil {
				return &PagingError{Pages: n, Reason: err.Error()}
			}
			key = "link " + u.String() + " " + linkHeader(next, "MS-ContinuationToken") + " " + page.token
			send = func(ctx context.Context) (*http.Response, error) { return c.followLink(ctx, u, next, "") }
		case page.token != "":
			key = "token " + page.token
			tok := page.token
			send = func(ctx context.Context) (*http.Response, error) { return first(ctx, tok) }
		default:
			return nil
		}
		if seen[key] {
			return &PagingError{Pages: n, Reason: "the service repeated a continuation token or next link, which would loop forever"}
		}
		seen[key] = true
	}
}

// items adapts walk to an iterator of decoded items.
func items[T any](ctx context.Context, c *Client, op string, first pageRequest, valid func(*T) error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := walk(ctx, c, op, first, false, valid, func(it *T, _ []byte) bool { return yield(*it, nil) })
		if err != nil && err != errStopped {
			var zero T
			yield(zero, err)
		}
	}
}

// rawItems adapts walk to an iterator of each item's JSON as sent.
func rawItems[T any](ctx context.Context, c *Client, op string, first pageRequest, valid func(*T) error) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		err := walk(ctx, c, op, first, true, valid, func(_ *T, raw []byte) bool { return yield(raw, nil) })
		if err != nil && err != errStopped {
			yield(nil, err)
		}
	}
}

// collect reads every item into one slice (never nil on success).
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	all := []T{}
	for it, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, it)
	}
	return all, nil
}

// failed is an iterator that yields err alone: invalid input ends a
// listing before any request.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

func linkHeader(l Link, name string) string {
	for _, h := range l.Headers {
		if strings.EqualFold(h.Key, name) {
			v, _ := h.Value.Get()
			return v
		}
	}
	return ""
}

// resolveLink turns a Link's URI into a URL on the configured service.
func (c *Client) resolveLink(l Link) (*url.URL, error) { return pchttp.ResolveLink(c.base, l.Uri) }

// followLink sends a GET for a resolved link with the link's headers, and
// MS-ContinuationToken when token is not empty.
func (c *Client) followLink(ctx context.Context, u *url.URL, l Link, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	for _, h := range l.Headers {
		if v, err := h.Value.Get(); err == nil {
			pchttp.SetLinkHeader(req.Header, h.Key, v)
		}
	}
	if token != "" {
		req.Header.Set("MS-ContinuationToken", token)
	}
	return c.gen.Client.Do(req)
}
