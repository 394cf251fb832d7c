package pcjson

import (
	"io"

	"github.com/partnercenter-go/devicebatches/generated"
)

// UploadStatus reads an upload status (the answer of getBatchUploadStatus)
// from r as Value does. A device's errorCode, documented as a string, may
// be a whole number (as the error body's code arrives in real answers):
// its type, errorcode.Text, reads it as its decimal text ("806") and
// refuses anything else but a string or null, so encoding/json alone reads
// the status the same way.
func UploadStatus(r io.Reader, maxString int, v *generated.BatchUploadDetails) error {
	return Value(r, maxString, v)
}
