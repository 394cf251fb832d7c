// Package pcjson decodes Partner Center's JSON answers: collections as a
// stream of items, single documents, and error bodies in every shape the
// service sends. The wrapper's decoding seam (wrapper/decode.go) is its only
// caller, so a faster decoder can replace this package's internals without
// touching the operations.
package pcjson

import (
	"bytes"
	"sync"

	"encoding/json"
	"errors"
	"fmt"
	"github.com/go-faster/jx"
	"html"
	"io"
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
// size), never the page. With wantRaw, each also gets the item's JSON as
// sent. item and raw are valid until each returns (copy what you keep).
// Each item is cut from the stream with jx's Raw and decoded from those
// bytes, so no byte is decoded twice. valid checks what the
// document requires of an item. Keys match case-insensitively, like
// encoding/json; unknown properties are skipped; "items" must be present
// and an array; a UTF-8 byte order mark before the document is skipped.
// lim bounds the strings and the items: past one, the error is a
// *LimitError.
//
// The model types of generated/ are decoded by generated decoders on
// github.com/go-faster/jx (decode.gen.go) that follow encoding/json's
// rules; any other T falls back to encoding/json for each item.
func Collection[T, L any](r io.Reader, lim Limits, wantRaw bool, valid func(*T) error, each func(item *T, raw []byte) error) (Page[L], error) {
	var p Page[L]
	st := getState(LimitStrings(r, lim.MaxString))
	defer putState(st)
	d := st.stream
	if d.Next() != jx.Object {
		return p, notA(d, "a collection object")
	}
	sawItems := false
	it, err := d.ObjIter()
	if err != nil {
		return p, err
	}
	for it.Next() {
		switch collectionField(it.Key()) {
		case fieldItems:
			if sawItems {
				return p, errors.New(`the collection has "items" twice`)
			}
			sawItems = true
			if err := decodeItems(st, lim.MaxItems, wantRaw, valid, each); err != nil {
				return p, err
			}
		case fieldLinks:
			if d.Next() == jx.Null {
				p.Links = nil
				if err := d.Null(); err != nil {
					return p, err
				}
				continue
			}
			if p.Links == nil {
				p.Links = new(L)
			}
			if err := decodeOne(d, p.Links); err != nil {
				return p, fmt.Errorf("links: %w", err)
			}
		case fieldToken:
			var s string
			if d.Next() != jx.Null && d.Next() != jx.String {
				return p, fmt.Errorf("continuationToken: %w", typeError(d, "a string"))
			}
			if err := readString(d, &s); err != nil {
				return p, fmt.Errorf("continuationToken: %w", err)
			}
			p.ContinuationToken = s
		default:
			if err := d.Skip(); err != nil {
				return p, err
			}
		}
	}
	if err := it.Err(); err != nil {
		return p, noEOF(err)
	}
	end := atEnd(d)
	if err := st.tail.err; err != nil && err != io.EOF {
		return p, err // the body's own read failed (cut short, too large)
	}
	if !end {
		return p, errors.New("unexpected data after the collection")
	}
	if !sawItems {
		return p, errors.New(`the collection has no "items" array, which the contract requires`)
	}
	return p, nil
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

func decodeItems[T any](st *state, maxItems int, wantRaw bool, valid func(*T) error, each func(*T, []byte) error) error {
	d := st.stream
	if d.Next() != jx.Array {
		return fmt.Errorf(`"items" is %s, not an array`, d.Next())
	}
	it, err := d.ArrIter()
	if err != nil {
		return err
	}
	// One item value for the page, zeroed before each item: each gets it
	// only until it returns (the iterators copy it), so the page costs one
	// allocation here instead of one per item.
	item := new(T)
	var zero T
	for i := 0; it.Next(); i++ {
		if maxItems > 0 && i >= maxItems {
			return &LimitError{Limit: "MaxItems", Max: maxItems}
		}
		*item = zero
		raw, err := d.Raw()
		if err == nil {
			raw = bytes.TrimLeft(raw, " \t\r\n")
			err = decodeOne(st.item(raw), item)
		}
		if err == nil {
			err = valid(item)
		}
		if err != nil {
			return fmt.Errorf("items[%d]: %w", i, noEOF(err))
		}
		if !wantRaw {
			raw = nil
		}
		if err := each(item, raw); err != nil {
			return err
		}
	}
	return noEOF(it.Err())
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

// notA describes what came instead of the expected value.
func notA(d *jx.Decoder, want string) error {
	t := d.Next()
	if t == jx.Invalid {
		return io.ErrUnexpectedEOF
	}
	return fmt.Errorf("want %s, got a JSON %s", want, t)
}

// noEOF reports a body that ended inside the document as such.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// state is one collection's decoders, pooled: the streaming one (a 64 KiB
// window over the body) and the one that decodes an item from its bytes.
type state struct {
	stream, items *jx.Decoder
	tail          bomReader
}

// window is the read buffer of a collection's stream: a few items at a
// time, independent of the page's size.
const window = 64 << 10

var statePool = sync.Pool{New: func() any {
	return &state{stream: jx.Decode(nil, window), items: jx.DecodeBytes(nil)}
}}

func getState(r io.Reader) *state {
	st := statePool.Get().(*state)
	st.tail = bomReader{r: r, first: true}
	st.stream.Reset(&st.tail)
	return st
}

func putState(st *state) {
	st.tail = bomReader{}
	st.stream.Reset(nil)
	st.items.ResetBytes(nil)
	statePool.Put(st)
}

func (st *state) item(raw []byte) *jx.Decoder {
	st.items.ResetBytes(raw)
	return st.items
}

// bomReader drops a UTF-8 byte order mark at the start of r (the transport
// already strips it; the decoder stays tolerant) and remembers r's error.
type bomReader struct {
	r       io.Reader
	first   bool
	eof     bool
	err     error
	head    [3]byte
	pending []byte
}

func (b *bomReader) Read(p []byte) (int, error) {
	if b.first {
		b.first = false
		n, err := io.ReadFull(b.r, b.head[:])
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			b.eof = true
		default:
			b.err = err
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
	n, err := b.r.Read(p)
	if err != nil {
		b.err = err
	}
	return n, err
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
