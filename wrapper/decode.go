package wrapper

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
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
func decodePage[T any](r io.Reader) (page[T], error) {
	var p page[T]
	br := bufio.NewReaderSize(r, 32<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	dec := json.NewDecoder(br)
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
