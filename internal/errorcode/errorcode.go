// Package errorcode holds Text, the type of a device's errorCode in an
// upload status (GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id},
// getBatchUploadStatus).
//
// Partner Center documents errorCode as a string ("808") but, as with the
// error body's code, a number (808) arrives too, and null when the device
// did not fail. A nullable.Nullable[string] refuses the number, so
// encoding/json could not read an upload status back; the generated client
// uses this type instead (x-go-type in openapi/partnercenter.yaml).
package errorcode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Text is a device's errorCode in an upload status (getBatchUploadStatus):
// absent (the zero value), null, a string, or a whole number read as its
// decimal text ("806"). It writes back what it read: a number stays a
// number, null stays null, and an absent one is left out (omitzero).
// Its methods are nullable.Nullable[string]'s, so code written for that
// type reads the text the same way.
type Text struct {
	text  string
	state state
}

type state uint8

const (
	absent state = iota
	null
	str
	number
)

// Get returns the errorCode of an upload status device (getBatchUploadStatus)
// as text, or an error when it was null or absent.
func (t Text) Get() (string, error) {
	switch t.state {
	case null:
		return "", errors.New("errorCode is null")
	case absent:
		return "", errors.New("errorCode is not specified")
	}
	return t.text, nil
}

// MustGet is Get for a value known to be set; it panics otherwise.
func (t Text) MustGet() string {
	s, err := t.Get()
	if err != nil {
		panic(err)
	}
	return s
}

// Set makes the errorCode the string s.
func (t *Text) Set(s string) { *t = Text{text: s, state: str} }

// SetNumber makes the errorCode the whole number written as the decimal
// text n ("808"); it fails, changing nothing, when n is not one.
func (t *Text) SetNumber(n string) error {
	text, ok := wholeNumber(n)
	if !ok {
		return fmt.Errorf("errorCode %.40q is not a whole number", n)
	}
	*t = Text{text: text, state: number}
	return nil
}

// SetNull makes the errorCode null.
func (t *Text) SetNull() { *t = Text{state: null} }

// SetUnspecified makes the errorCode absent.
func (t *Text) SetUnspecified() { *t = Text{} }

// IsNull reports whether the service sent errorCode as null.
func (t Text) IsNull() bool { return t.state == null }

// IsSpecified reports whether the service sent errorCode at all (null
// included).
func (t Text) IsSpecified() bool { return t.state != absent }

// IsNumber reports whether the service sent errorCode as a JSON number.
func (t Text) IsNumber() bool { return t.state == number }

// IsZero reports whether errorCode is absent, for omitzero.
func (t Text) IsZero() bool { return t.state == absent }

// MarshalJSON writes the errorCode as it was read: a string, a number, or
// null (also for an absent one that is not left out).
func (t Text) MarshalJSON() ([]byte, error) {
	switch t.state {
	case str:
		return json.Marshal(t.text)
	case number:
		return []byte(t.text), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads a string, a whole number (as its decimal text) or
// null; anything else is refused.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("errorCode is empty, want a string, a number or null")
	}
	switch b[0] {
	case 'n':
		if string(b) != "null" {
			break
		}
		t.SetNull()
		return nil
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t.Set(s)
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return t.SetNumber(string(b))
	}
	return fmt.Errorf("errorCode is a JSON %s, want a string, a number or null", jsonType(b[0]))
}

// wholeNumber is a JSON number's decimal text when it is a whole number:
// as sent when written as one ("806"), else formatted from its value
// ("8.06e2" is "806"), as the document's integer type reads it.
func wholeNumber(n string) (string, bool) {
	digits := n
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	plain := digits != "" && (digits == "0" || digits[0] != '0')
	for i := 0; i < len(digits) && plain; i++ {
		plain = digits[i] >= '0' && digits[i] <= '9'
	}
	if plain {
		return n, true
	}
	if !json.Valid([]byte(n)) {
		return "", false
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

func jsonType(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	}
	return "value of another kind"
}
