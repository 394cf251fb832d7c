package pcjson

// What raw-only mode checks of an item, and how a typed item's refusal is
// narrowed to the property the model cannot hold. Raw-only output (-o
// json, the …JSON iterators) is the service's bytes as sent, so one
// property of an unexpected JSON type ("devicesCount":"5", a creationDate
// that is not a date) must not stop it: only what the output itself needs
// is checked, a well-formed JSON object within the limits.

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/go-faster/jx"
)

// rawObject checks that raw, a well-formed item starting at its first
// byte, is an object: a null reads as an empty model, but is no object to
// print.
func rawObject(raw []byte) error {
	if raw[0] != '{' {
		return fmt.Errorf("want a JSON object, got a JSON %s", jsonType(raw[0]))
	}
	return nil
}

// PropertyError is a typed item's refusal narrowed to the one property of
// the item the model cannot hold: its JSON type is not the model's (a
// devicesCount sent as a string) or its value is not one the type reads
// (a creationDate that is not a date). Raw-only mode yields such an item.
type PropertyError struct {
	// Item is the item's index in its page's "items".
	Item int
	// Property is the property's name as sent (unescaped).
	Property string
	// Sent is the property's JSON value as sent, compact and whole: the
	// wrapper cleans it of secrets before it shortens it, since a cut
	// token would no longer be recognised.
	Sent string
	// Err is the decoder's reason.
	Err error
}

// Error returns one line: where, what was sent and why it cannot be read.
// wrapper.PropertyError, the same fields cleaned and bounded, prints
// through it.
func (e *PropertyError) Error() string {
	return fmt.Sprintf("items[%d].%s is %s as sent, which the model cannot read (%v)", e.Item, e.Property, e.Sent, e.Err)
}

// Unwrap returns the decoder's reason.
func (e *PropertyError) Unwrap() error { return e.Err }

// propertyError narrows err, the typed decoder's refusal of raw (items[i]
// of its page), to a *PropertyError: it decodes each member of the object
// alone into a new T and names the first one that fails. err is returned
// as it is when raw is not a well-formed object or no member fails alone.
// It runs only on an item already refused, so it may allocate.
func propertyError[T any](raw []byte, i int, err error) error {
	if oneValue(jx.DecodeBytes(nil), raw) != nil || rawObject(raw) != nil {
		return err
	}
	var found *PropertyError
	var one jx.Encoder
	d := jx.DecodeBytes(raw)
	_ = d.ObjBytes(func(d *jx.Decoder, key []byte) error {
		val, err := d.Raw()
		if err != nil {
			return err
		}
		one.Reset()
		one.ObjStart()
		one.FieldStart(string(key))
		one.Raw(val)
		one.ObjEnd()
		var v T
		if perr := decodeOne(jx.DecodeBytes(one.Bytes()), &v); perr != nil {
			// Compact, as -o jsonl prints it: one line whatever the
			// service's layout.
			var b bytes.Buffer
			if json.Compact(&b, val) != nil {
				b.Reset()
				b.Write(val)
			}
			found = &PropertyError{Item: i, Property: string(key), Sent: b.String(), Err: perr}
			return ErrStop
		}
		return nil
	})
	if found == nil {
		return err
	}
	return found
}
