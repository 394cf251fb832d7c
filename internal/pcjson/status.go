package pcjson

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/oapi-codegen/nullable"

	"github.com/partnercenter-go/devicebatches/generated"
)

// UploadStatus reads an upload status (the answer of getBatchUploadStatus)
// from r as Value does, with the one leniency the document allows: a
// device's errorCode, documented as a string, may be a whole number (as
// the error body's code arrives in real answers), which reads as its
// decimal text ("806"). Anything else but a string or null is refused.
func UploadStatus(r io.Reader, maxString int, v *generated.BatchUploadDetails) error {
	var s uploadStatus
	if err := Value(r, maxString, &s); err != nil {
		return err
	}
	*v = s.BatchUploadDetails
	v.DevicesStatus = nil
	switch devs, err := s.DevicesStatus.Get(); {
	case s.DevicesStatus.IsNull():
		v.DevicesStatus.SetNull()
	case err == nil:
		out := make([]generated.DeviceUploadDetails, len(devs))
		for i, d := range devs {
			out[i] = d.DeviceUploadDetails
			out[i].ErrorCode = nil
			if d.ErrorCode.IsNull() {
				out[i].ErrorCode.SetNull()
			} else if code, err := d.ErrorCode.Get(); err == nil {
				out[i].ErrorCode.Set(string(code))
			}
		}
		v.DevicesStatus.Set(out)
	}
	return nil
}

// uploadStatus and deviceUploadDetails are the generated types with
// errorCode read by errorCodeText: encoding/json fills a field of the outer
// struct in place of the embedded one of the same name, so every other
// property is read exactly as the generated type reads it.
type uploadStatus struct {
	generated.BatchUploadDetails
	DevicesStatus nullable.Nullable[[]deviceUploadDetails] `json:"devicesStatus,omitempty,omitzero"`
}

type deviceUploadDetails struct {
	generated.DeviceUploadDetails
	ErrorCode nullable.Nullable[errorCodeText] `json:"errorCode,omitempty,omitzero"`
}

// errorCodeText is a device's errorCode: a string, or a whole number as
// its decimal text.
type errorCodeText string

// UnmarshalJSON implements json.Unmarshaler (null is nullable's).
func (c *errorCodeText) UnmarshalJSON(b []byte) error {
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*c = errorCodeText(s)
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if text, ok := wholeNumber(string(b)); ok {
			*c = errorCodeText(text)
			return nil
		}
		return fmt.Errorf("errorCode %.40s is not a whole number", b)
	}
	return fmt.Errorf("errorCode is a JSON %s, want a string or a number", jsonType(b[0]))
}

// wholeNumber is a JSON number's decimal text when it is a whole number:
// as sent when written as one ("806"), else formatted from its value
// ("8.06e2" is "806"), as the document's integer type reads it.
func wholeNumber(n string) (string, bool) {
	digits := n
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	plain := digits != ""
	for i := 0; i < len(digits) && plain; i++ {
		plain = digits[i] >= '0' && digits[i] <= '9'
	}
	if plain {
		return n, true
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || f != math.Trunc(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}
