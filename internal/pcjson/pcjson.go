// Package pcjson decodes Partner Center's JSON answers: collections as a
// stream of items, single documents, and error bodies in every shape the
// service sends. The wrapper's decoding seam (wrapper/decode.go) is its only
// caller, so a faster decoder can replace this package's internals without
// touching the operations.
package pcjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
)

// Page is what a collection page says about the next page.
type Page[L any] struct {
	// Links is the collection's "links" object, nil when absent or null.
	Links *L
	// ContinuationToken is empty when absent or null.
	ContinuationToken string
}

// ErrStop may be returned by an item callback to end decoding early; it is
// returned as is.
var ErrStop = errors.New("pcjson: stopped")

// Collection reads a Partner Center collection ({"items": [...], "links":
// {...}, "continuationToken": ...}) from r as a stream: each item is decoded
// and handed to each as it arrives, so memory holds one item and a read
// buffer, never the page. With wantRaw, each also gets the item's JSON as
// sent (valid until each returns). valid checks what the document requires
// of an item. Keys match case-insensitively, like encoding/json; unknown
// properties are skipped; "items" must be present and an array. lim bounds
// the strings and the items: past one, the error is a *LimitError.
func Collection[T, L any](r io.Reader, lim Limits, wantRaw bool, valid func(*T) error, each func(item *T, raw []byte) error) (Page[L], error) {
	var p Page[L]
	dec := json.NewDecoder(LimitStrings(r, lim.MaxString))
	if err := expectDelim(dec, '{'); err != nil {
		return p, err
	}
	sawItems := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return p, err
		}
		key, _ := t.(string)
		switch {
		case strings.EqualFold(key, "items"):
			if sawItems {
				return p, errors.New(`the collection has "items" twice`)
			}
			sawItems = true
			if err := decodeItems(dec, lim.MaxItems, wantRaw, valid, each); err != nil {
				return p, err
			}
		case strings.EqualFold(key, "links"):
			if err := dec.Decode(&p.Links); err != nil {
				return p, fmt.Errorf("links: %w", err)
			}
		case strings.EqualFold(key, "continuationToken"):
			var s *string
			if err := dec.Decode(&s); err != nil {
				return p, fmt.Errorf("continuationToken: %w", err)
			}
			if s != nil {
				p.ContinuationToken = *s
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return p, err
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return p, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return p, errors.New("unexpected data after the collection")
		}
		return p, err
	}
	if !sawItems {
		return p, errors.New(`the collection has no "items" array, which the contract requires`)
	}
	return p, nil
}

func decodeItems[T any](dec *json.Decoder, maxItems int, wantRaw bool, valid func(*T) error, each func(*T, []byte) error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf(`"items" is %s, not an array`, tokenText(t))
	}
	var raw json.RawMessage
	for i := 0; dec.More(); i++ {
		if maxItems > 0 && i >= maxItems {
			return &LimitError{Limit: "MaxItems", Max: maxItems}
		}
		var item T
		if wantRaw {
			raw = raw[:0]
			if err = dec.Decode(&raw); err == nil {
				err = json.Unmarshal(raw, &item)
			}
		} else {
			err = dec.Decode(&item)
		}
		if err == nil {
			err = valid(&item)
		}
		if err != nil {
			return fmt.Errorf("items[%d]: %w", i, err)
		}
		if err := each(&item, raw); err != nil {
			return err
		}
	}
	_, err = dec.Token() // ']'
	return err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %s", want, tokenText(t))
	}
	return nil
}

func tokenText(t json.Token) string {
	if t == nil {
		return "null"
	}
	if s, ok := t.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(t)
}

// Value reads one JSON document (a non-collection answer) into v; anything
// after it but white space is an error. Strings longer than maxString bytes
// (0: no limit) end it with a *LimitError.
func Value(r io.Reader, maxString int, v any) error {
	dec := json.NewDecoder(LimitStrings(r, maxString))
	if err := dec.Decode(v); err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON document")
	}
	return nil
}

// Error is what a Partner Center error answer says, in any of the three
// shapes the service sends: {code, description, data, source}, the
// gateway's {statusCode, message}, and {code, message, errorName,
// isRetryable, parameters, errorMessageExtended}.
type Error struct {
	// Code as text: a number in real answers, a string in the documentation.
	Code string
	// Description, or Message when there is none, with HTML entities
	// (&#39;) unescaped.
	Description string
	Source      string
	ErrorName   string
	IsRetryable *bool
}

// ErrorBody decodes a failed answer's body. ok is false for a body that is
// not a JSON object (an HTML page from a gateway).
func ErrorBody(body []byte) (e Error, ok bool) {
	t := bytes.TrimLeft(body, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return e, false
	}
	var b struct {
		Code        json.RawMessage `json:"code"`
		Description string          `json:"description"`
		Message     string          `json:"message"`
		Source      string          `json:"source"`
		ErrorName   string          `json:"errorName"`
		IsRetryable *bool           `json:"isRetryable"`
	}
	if json.Unmarshal(t, &b) != nil {
		return e, false
	}
	var s string
	switch {
	case len(b.Code) == 0 || string(b.Code) == "null":
	case json.Unmarshal(b.Code, &s) == nil:
		e.Code = s
	default:
		e.Code = string(b.Code)
	}
	e.Description = b.Description
	if e.Description == "" {
		e.Description = b.Message
	}
	e.Description = html.UnescapeString(e.Description)
	e.Source, e.ErrorName, e.IsRetryable = b.Source, b.ErrorName, b.IsRetryable
	return e, true
}
