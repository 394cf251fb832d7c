package wrapper

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// firstPage builds the request for a collection's first page, or for the
// page after continuationToken when it is not empty.
type firstPage func(ctx context.Context, continuationToken string) (*http.Request, error)

// pages walks a paged collection one page (one call) at a time. After each
// page it follows links.next when present (relative URI resolved under
// /v1, its headers such as MS-ContinuationToken sent), else the body's
// continuationToken via first. A repeated link or token ends the walk with a
// *PagingError instead of looping. A page is yielded only when it was read
// whole, so a retried page is never seen twice.
func pages[T any](ctx context.Context, c *Client, op string, first firstPage) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		corr, err := c.correlationFor(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		build := func(ctx context.Context) (*http.Request, error) { return first(ctx, "") }
		seen := map[string]bool{}
		for n := 0; ; n++ {
			var p page[T]
			cl := call{op: op, build: build, handle: func(resp *http.Response) error {
				var err error
				p, err = decodePage[T](resp.Body)
				return err
			}}
			if err := c.do(ctx, cl, newCallHeaders(corr)); err != nil {
				yield(nil, err)
				return
			}
			if !yield(p.items, nil) {
				return
			}
			var key string
			switch {
			case p.next != nil:
				next := *p.next
				u, err := c.resolveLink(next)
				if err != nil {
					yield(nil, &PagingError{Pages: n + 1, Reason: err.Error()})
					return
				}
				if m := deref(next.Method); m != "" && !strings.EqualFold(m, http.MethodGet) {
					yield(nil, &PagingError{Pages: n + 1, Reason: fmt.Sprintf("the next link asks for method %q; only GET is followed", m)})
					return
				}
				key = "link " + u.String() + " " + linkHeader(next, "MS-ContinuationToken") + " " + p.token
				build = func(ctx context.Context) (*http.Request, error) { return c.linkRequest(ctx, u, next) }
			case p.token != "":
				key = "token " + p.token
				tok := p.token
				build = func(ctx context.Context) (*http.Request, error) { return first(ctx, tok) }
			default:
				return
			}
			if seen[key] {
				yield(nil, &PagingError{Pages: n + 1, Reason: "the service repeated a continuation token or next link, which would loop forever"})
				return
			}
			seen[key] = true
		}
	}
}

// collect reads every page into one slice. A single page's slice is
// returned as decoded, without a copy.
func collect[T any](seq iter.Seq2[[]T, error]) ([]T, error) {
	var all []T
	first := true
	for items, err := range seq {
		if err != nil {
			return nil, err
		}
		if first {
			all, first = items, false
			continue
		}
		all = append(all, items...)
	}
	if all == nil {
		all = []T{}
	}
	return all, nil
}

// flatten turns a page iterator into an item iterator.
func flatten[T any](seq iter.Seq2[[]T, error]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for items, err := range seq {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
		}
	}
}

func linkHeader(l Link, name string) string {
	if l.Headers == nil {
		return ""
	}
	for _, h := range *l.Headers {
		if strings.EqualFold(h.Key, name) && h.Value != nil {
			return *h.Value
		}
	}
	return ""
}

// resolveLink turns a Link's URI into a URL on the configured service.
// Partner Center's links are relative and usually lack /v1
// ("/customers/{id}/deviceBatches/Test batch/devices", space unescaped), the
// official SDK prepends /v1, and a past link-format change produced
// "/v1//v1/...": so empty and leading "v1" segments are dropped, /v1 is put
// back once, and every segment is escaped. An absolute URI must name the
// configured service: the token goes nowhere else.
func (c *Client) resolveLink(l Link) (*url.URL, error) {
	raw := strings.TrimSpace(l.Uri)
	if raw == "" {
		return nil, fmt.Errorf("the link has no uri")
	}
	path, query, _ := strings.Cut(raw, "?")
	path, _, _ = strings.Cut(path, "#")
	if i := strings.Index(path, "://"); i >= 0 && !strings.Contains(path[:i], "/") {
		abs, err := url.Parse(path[:i] + "://" + strings.SplitN(path[i+3:], "/", 2)[0])
		if err != nil || abs.User != nil || !sameOrigin(abs, c.base) {
			return nil, fmt.Errorf("the link points to %q, not to the configured service %s", redactLink(raw), c.base.Host)
		}
		path = strings.TrimPrefix(path[i+3:], abs.Host)
		path = strings.TrimPrefix(path, c.base.Path)
	}
	var segs []string
	for _, s := range strings.Split(path, "/") {
		if s == "" || (len(segs) == 0 && strings.EqualFold(s, "v1")) {
			continue
		}
		if un, err := url.PathUnescape(s); err == nil {
			s = un
		}
		// Checked after unescaping: "%2e%2e" is a dot segment too, and
		// would climb out of /v1.
		if s == "." || s == ".." {
			return nil, fmt.Errorf("the link %q has a dot segment", redactLink(raw))
		}
		segs = append(segs, s)
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("the link %q has no path", redactLink(raw))
	}
	u := *c.base
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = url.PathEscape(s)
	}
	u.Path = c.base.Path + "/v1/" + strings.Join(segs, "/")
	u.RawPath = c.base.Path + "/v1/" + strings.Join(escaped, "/")
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, fmt.Errorf("the link %q has a malformed query", redactLink(raw))
		}
		u.RawQuery = q.Encode()
	}
	return &u, nil
}

// redactLink shortens a link for an error message.
func redactLink(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// forbiddenLinkHeaders may not be set by a link: the service's own links
// never need them, and a tampered link must not replace the token or the
// call's ids.
var forbiddenLinkHeaders = map[string]bool{
	"Authorization": true, "Host": true, "Cookie": true, "Proxy-Authorization": true,
	"Ms-Requestid": true, "Ms-Correlationid": true, "Content-Length": true, "Transfer-Encoding": true,
}

// linkRequest builds a GET for a resolved link with the link's headers.
func (c *Client) linkRequest(ctx context.Context, u *url.URL, l Link) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if l.Headers != nil {
		for _, h := range *l.Headers {
			k := http.CanonicalHeaderKey(strings.TrimSpace(h.Key))
			if k == "" || forbiddenLinkHeaders[k] || h.Value == nil || strings.ContainsAny(*h.Value, "\r\n") {
				continue
			}
			req.Header.Set(k, *h.Value)
		}
	}
	return req, nil
}
