package pcjson

// collectionJX is Collection as it was before items were cut from the
// stream and scanned (the jx streaming decoder of commit 09be617: each
// item cut with jx's Raw and decoded by the generated jx decoders), kept
// as the reference the new path must agree with exactly: same verdict,
// same items, same raw bytes, same page (TestCollectionMatchesJX,
// FuzzCollectionMatchesJX).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/go-faster/jx"
)

func collectionJX[T, L any](r io.Reader, lim Limits, wantRaw bool, valid func(*T) error, each func(item *T, raw []byte) error) (Page[L], error) {
	return collectionModeJX[T, L](r, lim, wantRaw, false, valid, each)
}

// collectionRawJX is the reference for raw-only mode as it is now: the
// same reader, with each item checked only for being one well-formed JSON
// object (jx's Raw checks the JSON), never decoded or checked by valid.
func collectionRawJX[T, L any](r io.Reader, lim Limits, each func(raw []byte) error) (Page[L], error) {
	return collectionModeJX[T, L](r, lim, true, true, nil, func(_ *T, raw []byte) error { return each(raw) })
}

func collectionModeJX[T, L any](r io.Reader, lim Limits, wantRaw, rawOnly bool, valid func(*T) error, each func(item *T, raw []byte) error) (Page[L], error) {
	var p Page[L]
	st := getStateJX(LimitStrings(r, lim.MaxString))
	defer putStateJX(st)
	d := st.stream
	if d.Next() != jx.Object {
		return p, notAJX(d, "a collection object")
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
			if err := decodeItemsJX(st, lim.MaxItems, wantRaw, rawOnly, valid, each); err != nil {
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

func decodeItemsJX[T any](st *stateJX, maxItems int, wantRaw, rawOnly bool, valid func(*T) error, each func(*T, []byte) error) error {
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
		switch {
		case err != nil:
		case rawOnly:
			raw = bytes.TrimLeft(raw, " \t\r\n")
			if raw[0] != '{' {
				err = fmt.Errorf("want a JSON object, got a JSON %s", jsonType(raw[0]))
			}
		default:
			raw = bytes.TrimLeft(raw, " \t\r\n")
			if err = decodeOne(st.item(raw), item); err == nil {
				err = valid(item)
			}
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

// notA describes what came instead of the expected value.
func notAJX(d *jx.Decoder, want string) error {
	t := d.Next()
	if t == jx.Invalid {
		return io.ErrUnexpectedEOF
	}
	return fmt.Errorf("want %s, got a JSON %s", want, t)
}

// state is one collection's decoders, pooled: the streaming one (a 64 KiB
// window over the body) and the one that decodes an item from its bytes.
type stateJX struct {
	stream, items *jx.Decoder
	tail          bomReaderJX
}

// window is the read buffer of a collection's stream: a few items at a
// time, independent of the page's size.
const windowJX = 64 << 10

var statePoolJX = sync.Pool{New: func() any {
	return &stateJX{stream: jx.Decode(nil, windowJX), items: jx.DecodeBytes(nil)}
}}

func getStateJX(r io.Reader) *stateJX {
	st := statePoolJX.Get().(*stateJX)
	st.tail = bomReaderJX{r: r, first: true}
	st.stream.Reset(&st.tail)
	return st
}

func putStateJX(st *stateJX) {
	st.tail = bomReaderJX{}
	st.stream.Reset(nil)
	st.items.ResetBytes(nil)
	statePoolJX.Put(st)
}

func (st *stateJX) item(raw []byte) *jx.Decoder {
	st.items.ResetBytes(raw)
	return st.items
}

// bomReaderJX drops a UTF-8 byte order mark at the start of r (the transport
// already strips it; the decoder stays tolerant) and remembers r's error.
type bomReaderJX struct {
	r       io.Reader
	first   bool
	eof     bool
	err     error
	head    [3]byte
	pending []byte
}

func (b *bomReaderJX) Read(p []byte) (int, error) {
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
