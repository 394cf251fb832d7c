package wrapper

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

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
// link's headers, such as MS-ContinuationToken, or else the page's
// continuationToken as MS-ContinuationToken; known is the batch id being
// listed, so that a link naming it is resolved byte for byte), else the
// page's continuationToken through first. A repeated link or token, or more
// pages than Limits.MaxPages, ends the walk with a *PagingError instead of
// looping. Each link and token is remembered as a 64-bit hash, not as
// sent: a server could otherwise make a listing keep MaxPages tokens of up
// to MaxStringBytes each (10 GiB at the defaults), where the hashes take
// 8 bytes a page.
//
// A page whose body is streamed (unsized, or larger than transport
// downloads) and is cut short by the connection is read again, up to the
// retry policy's MaxRetries, with the page's MS-RequestId (a retry of the
// same call), but only while none of its items has reached yield: the
// caller never sees an item twice. Once one has, the cut is a
// *DecodeError.
func walk[T any](ctx context.Context, c *Client, op string, first pageRequest, known string, rawOnly bool, valid func(*T) error, yield func(*T, []byte) bool) (err error) {
	ctx, end, err := c.begin(ctx, op)
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	send := func(ctx context.Context) (*http.Response, error) { return first(ctx, "") }
	seen := pageKeys{seed: maphash.MakeSeed()}
	var last *http.Response // the page read last, whose ids a *PagingError names
	for n := 1; ; n++ {
		if n > c.limits.MaxPages {
			return c.pagingError(last, n-1, tooManyPages(c.limits.MaxPages))
		}
		var page pageInfo
		// One MS-RequestId for the page: a read again after a cut body is
		// a retry of the same call, not a new one.
		pageCtx := withRequestID(c.withPage(ctx, n), newRequestID())
		for try := 0; ; try++ {
			resp, err := c.result(send(pageCtx))
			if err != nil {
				return err
			}
			body := &readErrors{r: resp.Body}
			yielded := false
			page, err = decodeCollection(body, c.limits, rawOnly, valid, func(item *T, raw []byte) error {
				yielded = true
				if !yield(item, raw) {
					return errStopped
				}
				return nil
			})
			resp.Body.Close()
			if errors.Is(err, errStopped) {
				return errStopped
			}
			if err == nil {
				last = resp
				break
			}
			if body.err == nil || yielded || try >= c.maxRetries || ctx.Err() != nil || errors.Is(body.err, ErrLimit) {
				return c.readError(ctx, resp, body.err, c.propertyError(err))
			}
			// The connection failed mid-body before any item was handed
			// out: this GET is safe to send again.
		}
		var key uint64
		switch {
		case page.next != nil:
			next := *page.next
			if m := next.Method; m != "" && !strings.EqualFold(m, http.MethodGet) {
				return c.pagingError(last, n, c.secrets.oneLine(fmt.Sprintf("the next link asks for method %q; only GET is followed", m)))
			}
			u, err := c.resolveLink(next, known)
			if err != nil {
				return c.pagingError(last, n, c.secrets.oneLine(err.Error()))
			}
			// The link's own MS-ContinuationToken is what the service says to
			// send with it, so it wins over a different continuationToken in
			// the body; the body's is sent when the link carries none.
			sent, tok := linkToken(next), ""
			if sent == "" {
				sent, tok = page.token, page.token
			}
			key = seen.key("link", u.String(), sent)
			send = func(ctx context.Context) (*http.Response, error) { return c.followLink(ctx, u, next, tok) }
		case page.token != "":
			key = seen.key("token", page.token, "")
			tok := page.token
			send = func(ctx context.Context) (*http.Response, error) { return first(ctx, tok) }
		default:
			return nil
		}
		if !seen.add(key) {
			return c.pagingError(last, n, "the service repeated a continuation token or next link, which would loop forever")
		}
	}
}

// pageKeys remembers the links and tokens a listing has followed, each as
// a hash under a seed of the listing's own. Two different ones sharing a
// hash (odds about n²/2⁶⁵ for n pages: below 10⁻¹¹ at MaxPages' default)
// would end the listing early with a *PagingError, never loop it or skip a
// page silently.
type pageKeys struct {
	seed maphash.Seed
	seen map[uint64]struct{}
}

// key hashes what identifies the next request: its kind, the URL or
// token, and the token sent with a link. Each part is followed by its
// length, so no two different triples hash the same input.
func (k *pageKeys) key(kind, a, b string) uint64 {
	var h maphash.Hash
	h.SetSeed(k.seed)
	for _, s := range [...]string{kind, a, b} {
		h.WriteString(s)
		var n [8]byte
		for i := range n {
			n[i] = byte(len(s) >> (8 * i))
		}
		h.Write(n[:])
	}
	return h.Sum64()
}

// add records key, reporting false when it was already there.
func (k *pageKeys) add(key uint64) bool {
	if _, ok := k.seen[key]; ok {
		return false
	}
	if k.seen == nil {
		k.seen = map[uint64]struct{}{}
	}
	k.seen[key] = struct{}{}
	return true
}

// readErrors remembers the first error of the body's own reads (not EOF):
// a connection cut short, as opposed to JSON that does not parse.
type readErrors struct {
	r   io.Reader
	err error
}

func (b *readErrors) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// PropertyError is the Err of a listing's *DecodeError (ListDeviceBatches,
// GET /v1/customers/{customer-id}/deviceBatches, and every other listing)
// when an item has a property the model cannot hold: Partner Center sent
// it as another JSON type ("devicesCount":"5") or as a value its type does
// not read (a creationDate that is not a date). The typed forms (the
// slice and …Iter) stop there; the listing's …JSON form yields the item
// as sent.
//
// Its fields: Item, the item's index in the "items" of the page that
// failed; Property, the property's name as sent, such as "devicesCount";
// Sent, its JSON value as sent, compact, cleaned of the client's token and
// anything JWT-shaped, then cut to at most 80 bytes (then "…"), such as
// `"5"`; Err, the decoder's reason.
type PropertyError pcjson.PropertyError

// Error returns one line: the item, the property, its value as sent and
// why the model cannot read it.
func (e *PropertyError) Error() string { return (*pcjson.PropertyError)(e).Error() }

// Unwrap returns the decoder's reason.
func (e *PropertyError) Unwrap() error { return e.Err }

// maxSent bounds PropertyError.Sent: enough to recognise a value, never a
// whole nested object.
const maxSent = 80

// propertyError turns the decoder's account of an item the model cannot
// hold into a *PropertyError, its texts cleaned of the client's secrets
// (a service may echo a token anywhere, escaped too, as in a body) before
// the value is cut, so no prefix of a token is left to show; other errors
// pass unchanged.
func (c *Client) propertyError(err error) error {
	var pe *pcjson.PropertyError
	if !errors.As(err, &pe) {
		return err
	}
	sent := string(c.secrets.redactBody([]byte(pe.Sent)))
	if len(sent) > maxSent {
		n := maxSent
		for n > 0 && !utf8.RuneStart(sent[n]) {
			n-- // not inside a character
		}
		sent = sent[:n] + "…"
	}
	// The reason may quote the value with its escapes as sent.
	reason, msg := pe.Err, pe.Err.Error()
	if clean := string(c.secrets.redactBody([]byte(msg))); clean != msg {
		reason = &redactedError{msg: clean, err: pe.Err}
	}
	return &PropertyError{Item: pe.Item, Property: c.secrets.redact(pe.Property), Sent: sent, Err: reason}
}

// items adapts walk to an iterator of decoded items; err, from checking
// the call's input, is yielded alone instead.
func items[T any](ctx context.Context, c *Client, op string, first pageRequest, err error, known string, valid func(*T) error) iter.Seq2[T, error] {
	if err != nil {
		return failed[T](err)
	}
	return func(yield func(T, error) bool) {
		err := walk(ctx, c, op, first, known, false, valid, func(it *T, _ []byte) bool { return yield(*it, nil) })
		if err != nil && err != errStopped {
			var zero T
			yield(zero, err)
		}
	}
}

// rawItems adapts walk to an iterator of each item's JSON as sent. Each
// item need only be a well-formed JSON object within the limits: no
// validity check runs, and a property the model cannot hold is passed through
// (contract validation, wrapper/drift, reports it), so that one changed
// property does not stop faithful output.
func rawItems[T any](ctx context.Context, c *Client, op string, first pageRequest, err error, known string) iter.Seq2[[]byte, error] {
	if err != nil {
		return failed[[]byte](err)
	}
	return func(yield func([]byte, error) bool) {
		err := walk(ctx, c, op, first, known, true, nil, func(_ *T, raw []byte) bool { return yield(raw, nil) })
		if err != nil && err != errStopped {
			yield(nil, err)
		}
	}
}

// all reads every item into one slice (never nil on success), at most
// Limits.MaxListItems of them: the iterators stream, a slice holds
// everything; err, from checking the call's input, is returned instead.
func all[T any](ctx context.Context, c *Client, op string, first pageRequest, err error, known string, valid func(*T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	items := []T{}
	full := false
	err = walk(ctx, c, op, first, known, false, valid, func(it *T, _ []byte) bool {
		if full = len(items) >= c.limits.MaxListItems; full {
			return false
		}
		items = append(items, *it)
		return true
	})
	if full {
		return nil, &TooManyItemsError{Operation: op, Limit: c.limits.MaxListItems}
	}
	if err != nil {
		return nil, err
	}
	return items, nil
}

// failed is an iterator that yields err alone: invalid input ends a
// listing before any request.
func failed[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// ifSet is s as an optional parameter of a generated request: nil, so not
// sent, when empty.
func ifSet(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// needID is a listing's check of each item: the contract requires its id.
func needID(has bool, what string) error {
	if has {
		return nil
	}
	return fmt.Errorf(`%s has no "id", which the contract requires`, what)
}

// linkToken is the MS-ContinuationToken that following l sends from l's
// own headers ("" if none), read the way followLink sets them.
func linkToken(l Link) string {
	h := http.Header{}
	setLinkHeaders(h, l)
	return h.Get("MS-ContinuationToken")
}

// setLinkHeaders sets the headers l asks for, less those a link may not set.
func setLinkHeaders(h http.Header, l Link) {
	for _, kv := range l.Headers {
		if v, err := kv.Value.Get(); err == nil {
			pchttp.SetLinkHeader(h, kv.Key, v)
		}
	}
}

// resolveLink turns a Link's URI into a URL on the configured service;
// known is a batch id the link may name (see pchttp.ResolveLink).
func (c *Client) resolveLink(l Link, known ...string) (*url.URL, error) {
	return pchttp.ResolveLink(c.base, l.Uri, known...)
}

// followLink sends a GET for a resolved link with the link's headers, and
// MS-ContinuationToken (over the link's own) when token is not empty.
func (c *Client) followLink(ctx context.Context, u *url.URL, l Link, token string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	setLinkHeaders(req.Header, l)
	if token != "" {
		req.Header.Set("MS-ContinuationToken", token)
	}
	return c.gen.Client.Do(req)
}
