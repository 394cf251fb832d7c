package wrapper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
)

// utf8BOM: some Microsoft services prefix JSON with a byte order mark,
// which encoding/json rejects.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }

// page is one decoded page of a Partner Center collection.
type page[T any] struct {
	items []T
	next  *Link
	token string
}

// maxPresize bounds the capacity taken from totalCount, which the service
// (or anything posing as it) could set to anything.
const maxPresize = 1 << 20

// decodePage decodes a collection from r as a stream: items are decoded one
// by one as they arrive, so memory holds the decoded items and a small
// read buffer, never the whole body. Unknown properties are skipped.
//
// A body that fits in smallPage bytes (the usual case: one customer's few
// batches) is decoded in one json.Unmarshal instead: the token-by-token
// decoder costs about 45 allocations more per page (BENCHMARKS.md), which
// only pays off when it saves holding a large body.
func decodePage[T any](r io.Reader) (page[T], error) {
	buf := headPool.Get().(*[]byte)
	// Unmarshal copies every string, and the stream is done with head when
	// decodeStream returns, so the buffer can serve the next page.
	defer headPool.Put(buf)
	n, err := io.ReadFull(r, *buf)
	head := stripBOM((*buf)[:n])
	switch err {
	case io.EOF, io.ErrUnexpectedEOF:
		return decodeSmallPage[T](head)
	case nil:
		return decodeStream[T](io.MultiReader(bytes.NewReader(head), r))
	default:
		return page[T]{}, err
	}
}

// smallPage is the largest body decodeSmallPage handles.
const smallPage = 16 << 10

var headPool = sync.Pool{New: func() any { b := make([]byte, smallPage); return &b }}

// pageBody is a collection's properties the walk needs.
type pageBody[T any] struct {
	Items             []T            `json:"items"`
	Links             *ResourceLinks `json:"links"`
	ContinuationToken *string        `json:"continuationToken"`
}

func decodeSmallPage[T any](b []byte) (page[T], error) {
	var p page[T]
	// Unmarshal accepts null where the streaming path demands an object.
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		if len(t) == 0 {
			return p, io.ErrUnexpectedEOF
		}
		return p, fmt.Errorf("want '{', got %q", t[0])
	}
	var body pageBody[T]
	if err := json.Unmarshal(b, &body); err != nil {
		return p, err
	}
	p.items = body.Items
	if l := body.Links; l != nil && l.Next != nil && l.Next.Uri != "" {
		p.next = l.Next
	}
	if body.ContinuationToken != nil {
		p.token = *body.ContinuationToken
	}
	return p, nil
}

// decodeStream is decodePage for large bodies: items are decoded one by one
// as they arrive.
func decodeStream[T any](r io.Reader) (page[T], error) {
	var p page[T]
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return p, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return p, err
		}
		key, _ := t.(string)
		// encoding/json matches keys case-insensitively; so does this, so
		// that both read the same body the same way.
		switch {
		case strings.EqualFold(key, "items"):
			if err := decodeItems(dec, &p.items); err != nil {
				return p, err
			}
		case strings.EqualFold(key, "totalCount"):
			var n *int64
			if err := dec.Decode(&n); err != nil {
				return p, fmt.Errorf("totalCount: %w", err)
			}
			// totalCount counts this page's items; when it comes first (as it
			// does), size the slice once instead of growing it.
			if n != nil && *n > 0 && p.items == nil {
				p.items = make([]T, 0, min(*n, maxPresize))
			}
		case strings.EqualFold(key, "links"):
			var l *ResourceLinks
			if err := dec.Decode(&l); err != nil {
				return p, fmt.Errorf("links: %w", err)
			}
			if l != nil && l.Next != nil && l.Next.Uri != "" {
				p.next = l.Next
			}
		case strings.EqualFold(key, "continuationToken"):
			var s *string
			if err := dec.Decode(&s); err != nil {
				return p, fmt.Errorf("continuationToken: %w", err)
			}
			if s != nil {
				p.token = *s
			}
		default:
			if err := skipValue(dec); err != nil {
				return p, err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return p, err
	}
	// Anything but white space after the object means the body is not the
	// one JSON document the contract promises.
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return p, fmt.Errorf("unexpected data after the collection")
		}
		return p, err
	}
	return p, nil
}

func decodeItems[T any](dec *json.Decoder, items *[]T) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil { // "items": null
		*items = nil
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("items: want an array, got %v", t)
	}
	// A repeated "items" replaces the earlier one, as in encoding/json.
	*items = (*items)[:0]
	for i := 0; dec.More(); i++ {
		*items = append(*items, *new(T))
		if err := dec.Decode(&(*items)[len(*items)-1]); err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
	}
	_, err = dec.Token() // ']'
	return err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, t)
	}
	return nil
}

// skipValue consumes one JSON value token by token, so an unknown large
// property is never held in memory whole.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
