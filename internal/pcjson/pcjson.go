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

	"github.com/go-faster/jx"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
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
// and handed to each as it arrives, so memory holds one item and a bounded
// read window (an item larger than the window grows it to that item's
// size), never the page. valid checks what the document requires of a
// typed item. Keys match case-insensitively, like encoding/json; unknown
// properties are skipped; "items" must be present and an array; a UTF-8
// byte order mark before the document is skipped. lim bounds the strings
// and the items: past one, the error is a *LimitError.
//
// Typed (rawOnly false), each gets the decoded item, checked by valid,
// and a nil raw; an item with a property the model cannot hold (a JSON
// string where it has a number, a date that is not one) ends the page
// with a *PropertyError naming it. Raw only, each gets a nil item and the
// item's JSON as sent, checked only for what printing it needs: one
// well-formed JSON object within lim (valid is not called, and a property
// of another type is passed through as sent, for the caller's contract
// check to report). item and raw are valid until each returns (copy what
// you keep).
//
// Each item is read in place in the read window by a scanner generated
// from the model types (decode.gen.go: one pass, which also finds where
// the item ends; no allocation in raw-only mode). An item the scanner is
// not sure of (escapes, keys that are not plain ASCII, anything unusual or
// invalid, an item running past the window) is cut from the stream by its
// structure and decided by the generated decoders on
// github.com/go-faster/jx, which follow encoding/json's rules; any other
// T falls back to encoding/json.
func Collection[T, L any](r io.Reader, lim Limits, rawOnly bool, valid func(*T) error, each func(item *T, raw []byte) error) (Page[L], error) {
	var p Page[L]
	st := getStream(&bomReader{r: r, first: true}, lim.MaxString)
	defer putStream(st)
	c, err := st.next()
	if err != nil {
		return p, noEOF(err)
	}
	if c != '{' {
		return p, fmt.Errorf("want a collection object, got a JSON %s", jsonType(c))
	}
	st.pos++
	// One jx decoder for the keys and the members other than items.
	jd := jx.DecodeBytes(nil)
	sawItems := false
	for member := 0; ; member++ {
		c, err := st.next()
		if err != nil {
			return p, noEOF(err)
		}
		if c == '}' {
			st.pos++
			break
		}
		if member > 0 {
			if c != ',' {
				return p, fmt.Errorf("the collection object: want ',' or '}', got %q", c)
			}
			st.pos++
			if c, err = st.next(); err != nil {
				return p, noEOF(err)
			}
		}
		if c != '"' {
			return p, fmt.Errorf("the collection object: want a key, got %q", c)
		}
		rawKey, err := st.cut(1)
		if err != nil {
			return p, noEOF(err)
		}
		// jx checks the literal (unquote relies on it), as it did when
		// it read the keys itself.
		if err := oneValue(jd, rawKey); err != nil {
			return p, fmt.Errorf("the collection object's key %.40q: %w", rawKey, noEOF(err))
		}
		key, err := unquote(rawKey)
		if err != nil {
			return p, fmt.Errorf("the collection object's key %.40q: %w", rawKey, err)
		}
		field := collectionField([]byte(key))
		if c, err = st.next(); err != nil {
			return p, noEOF(err)
		} else if c != ':' {
			return p, fmt.Errorf("the collection object: want ':', got %q", c)
		}
		st.pos++
		if c, err = st.next(); err != nil {
			return p, noEOF(err)
		}
		if field == fieldItems {
			if sawItems {
				return p, errors.New(`the collection has "items" twice`)
			}
			sawItems = true
			if c != '[' {
				return p, fmt.Errorf(`"items" is %s, not an array`, jsonType(c))
			}
			if err := decodeItems(st, lim.MaxItems, rawOnly, valid, each); err != nil {
				return p, err
			}
			continue
		}
		raw, err := st.cut(1)
		if err != nil {
			return p, noEOF(err)
		}
		if err := collectionMember(jd, raw, field, &p); err != nil {
			return p, err
		}
	}
	_, err = st.next()
	switch {
	case err == io.EOF:
	case err != nil:
		return p, err // the body's own read failed (cut short, too large)
	default:
		return p, errors.New("unexpected data after the collection")
	}
	if !sawItems {
		return p, errors.New(`the collection has no "items" array, which the contract requires`)
	}
	return p, nil
}

// collectionMember decodes a member of the collection other than its
// items, cut whole from the stream, with the jx decoder d.
func collectionMember[L any](d *jx.Decoder, raw []byte, field int, p *Page[L]) error {
	d.ResetBytes(raw)
	var err error
	switch field {
	case fieldLinks:
		if d.Next() == jx.Null {
			p.Links = nil
			err = d.Null()
			break
		}
		if p.Links == nil {
			p.Links = new(L)
		}
		if err = decodeOne(d, p.Links); err != nil {
			err = fmt.Errorf("links: %w", noEOF(err))
		}
	case fieldToken:
		var s string
		if d.Next() != jx.Null && d.Next() != jx.String {
			return fmt.Errorf("continuationToken: %w", typeError(d, "a string"))
		}
		if err = readString(d, &s); err != nil {
			err = fmt.Errorf("continuationToken: %w", noEOF(err))
		}
		p.ContinuationToken = s
	default:
		err = noEOF(d.Skip())
	}
	if err == nil && !atEnd(d) {
		err = fmt.Errorf("invalid JSON after %.40q", raw)
	}
	return err
}

// jsonType names the JSON type a value starting with c has, as jx does.
func jsonType(c byte) jx.Type {
	return jx.DecodeBytes([]byte{c}).Next()
}

const (
	fieldItems = iota
	fieldLinks
	fieldToken
)

// collectionField matches a collection's own keys as encoding/json would.
func collectionField(key []byte) int {
	var buf [32]byte
	switch string(foldName(buf[:0], key)) {
	case "ITEMS":
		return fieldItems
	case "LINKS":
		return fieldLinks
	case "CONTINUATIONTOKEN":
		return fieldToken
	}
	return -1
}

// itemDepth is the nesting of an item's container in the document (in
// the collection object and its items array), for jx's depth limit.
const itemDepth = 2

func decodeItems[T any](st *stream, maxItems int, rawOnly bool, valid func(*T) error, each func(*T, []byte) error) error {
	st.pos++ // '['
	// One item value for the page, zeroed before each item: each gets it
	// only until it returns (the iterators copy it), so the page costs one
	// allocation here instead of one per item.
	item := new(T)
	var zero T
	var items *jx.Decoder
	// One scanner for the page too: it escapes (the generated scanners
	// take it by pointer), so one per item would be an allocation each.
	s := new(scanner)
	for i := 0; ; i++ {
		c, err := st.next()
		if err != nil {
			return noEOF(err)
		}
		if c == ']' {
			st.pos++
			return nil
		}
		if i > 0 {
			if c != ',' {
				return fmt.Errorf(`"items": want ',' or ']' after items[%d], got %q`, i-1, c)
			}
			st.pos++
			if _, err := st.next(); err != nil {
				return noEOF(err)
			}
		}
		if maxItems > 0 && i >= maxItems {
			return &LimitError{Limit: "MaxItems", Max: maxItems}
		}
		// Most items are read straight from the window, the scanner
		// finding where they end. One that runs past the window's end, or
		// that the scanner is not sure of, is cut from the stream (which
		// refills the window) and read again from its bytes.
		*item = zero
		var raw []byte
		*s = scanner{b: st.buf[st.pos:st.end], borrow: rawOnly, maxString: st.maxString}
		if known, ok := scanFast(s, item); known && ok {
			raw = st.take(st.pos, st.pos+s.i)
		} else if raw, err = st.cut(itemDepth); err == nil {
			*item = zero
			*s = scanner{b: raw, borrow: rawOnly}
			if known, ok := scanFast(s, item); !known || !ok || s.i != len(raw) {
				// Not sure: the jx decoder decides, as it always did.
				*item = zero
				if items == nil {
					items = jx.DecodeBytes(nil)
				}
				if rawOnly {
					// Well formed is all raw-only output needs: a
					// property of another type is yielded as sent.
					err = oneValue(items, raw)
				} else if err = decodeItem(items, raw, item); err != nil {
					if pe := propertyError[T](raw, i, err); pe != err {
						return pe
					}
				}
			}
		}
		switch {
		case err != nil:
		case rawOnly:
			err = rawObject(raw)
		default:
			err = valid(item)
		}
		if err != nil {
			return fmt.Errorf("items[%d]: %w", i, noEOF(err))
		}
		if rawOnly {
			err = each(nil, raw)
		} else {
			err = each(item, nil)
		}
		if err != nil {
			return err
		}
	}
}

// decodeItem decodes an item cut from the stream with the jx decoders: the
// bytes must be exactly one JSON value.
func decodeItem[T any](d *jx.Decoder, raw []byte, item *T) error {
	if err := oneValue(d, raw); err != nil {
		return err
	}
	d.ResetBytes(raw)
	return decodeOne(d, item)
}

// oneValue checks with jx that raw is exactly one JSON value, as jx's
// stream decoder checked each value it skipped.
func oneValue(d *jx.Decoder, raw []byte) error {
	d.ResetBytes(raw)
	if err := d.Skip(); err != nil {
		return err
	}
	if !atEnd(d) {
		return fmt.Errorf("invalid JSON after %.40q", raw)
	}
	return nil
}

// decodeOne decodes one value from d into v, which must then be complete.
func decodeOne(d *jx.Decoder, v any) error {
	ok, err := decodeFast(d, v)
	if !ok {
		err = decodeStd(d, v)
	}
	return err
}

// atEnd reports whether only white space is left in d.
func atEnd(d *jx.Decoder) bool {
	return d.Skip() == io.EOF
}

// noEOF reports a body that ended inside the document as such.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// bomReader drops a UTF-8 byte order mark at the start of r (the transport
// already strips it; the decoder stays tolerant).
type bomReader struct {
	r       io.Reader
	first   bool
	eof     bool
	head    [3]byte
	pending []byte
}

func (b *bomReader) Read(p []byte) (int, error) {
	if b.first {
		b.first = false
		n, err := pchttp.ReadFull(b.r, b.head[:])
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			b.eof = true
		default:
			return 0, err
		}
		b.pending = b.head[:n]
		if n == 3 && b.head == [3]byte{0xEF, 0xBB, 0xBF} {
			b.pending = nil
		}
	}
	if len(b.pending) > 0 {
		n := copy(p, b.pending)
		b.pending = b.pending[n:]
		return n, nil
	}
	if b.eof {
		return 0, io.EOF
	}
	return b.r.Read(p)
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
// not a JSON object (an HTML page from a gateway), or not one of the error
// shapes (a property of the wrong type).
func ErrorBody(body []byte) (e Error, ok bool) {
	t := bytes.TrimLeft(body, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return e, false
	}
	var description, message string
	d := jx.DecodeBytes(t)
	it, err := d.ObjIter()
	if err != nil {
		return e, false
	}
	for it.Next() {
		var err error
		var buf [32]byte
		switch string(foldName(buf[:0], it.Key())) {
		case "CODE":
			err = readCode(d, &e.Code)
		case "DESCRIPTION":
			err = readString(d, &description)
		case "MESSAGE":
			err = readString(d, &message)
		case "SOURCE":
			err = readString(d, &e.Source)
		case "ERRORNAME":
			err = readString(d, &e.ErrorName)
		case "ISRETRYABLE":
			if d.Next() == jx.Null {
				e.IsRetryable, err = nil, d.Null()
				break
			}
			var b bool
			err = readBool(d, &b)
			e.IsRetryable = &b
		default:
			err = d.Skip()
		}
		if err != nil {
			return Error{}, false
		}
	}
	if it.Err() != nil || !atEnd(d) {
		return Error{}, false
	}
	e.Description = description
	if e.Description == "" {
		e.Description = message
	}
	e.Description = html.UnescapeString(e.Description)
	return e, true
}

// readCode reads an error code: a number in real answers, a string in the
// documentation, kept as sent when it is anything else.
func readCode(d *jx.Decoder, code *string) error {
	switch d.Next() {
	case jx.Null:
		*code = ""
		return d.Null()
	case jx.String:
		return readString(d, code)
	}
	raw, err := d.Raw()
	if err != nil {
		return err
	}
	*code = string(bytes.TrimLeft(raw, " \t\r\n"))
	return nil
}
