package wrapper

// The decoding seam: every response body the client reads, collections and
// errors alike, is decoded through this file (and internal/pcjson behind
// it) and nowhere else.

import (
	"errors"
	"fmt"
	"io"

	"github.com/partnercenter-go/devicebatches/internal/pcjson"
)

// pageInfo is what a collection page says about the next page.
type pageInfo struct {
	next  *Link
	token string
}

// decodeCollection streams a collection's items to each, decoded (rawOnly
// false) or as sent (rawOnly: item is nil); see pcjson.Collection.
// A limit passed names the ClientOptions field that raises it.
func decodeCollection[T any](r io.Reader, lim Limits, rawOnly bool, valid func(*T) error, each func(item *T, raw []byte) error) (pageInfo, error) {
	p, err := pcjson.Collection[T, ResourceLinks](r, lim.json(), rawOnly, valid, each)
	err = nameLimit(err)
	info := pageInfo{token: p.ContinuationToken}
	if p.Links != nil && p.Links.Next.Uri != "" {
		next := p.Links.Next
		info.next = &next
	}
	return info, err
}

// decodeValue reads one JSON document into v, its strings bounded by
// lim.MaxStringBytes.
func decodeValue(r io.Reader, lim Limits, v any) error {
	return nameLimit(pcjson.Value(r, lim.MaxStringBytes, v))
}

// decodeUploadStatus reads an upload status into d, its strings bounded
// by lim.MaxStringBytes; a device's errorCode may be a number (see
// pcjson.UploadStatus).
func decodeUploadStatus(r io.Reader, lim Limits, d *BatchUploadDetails) error {
	return nameLimit(pcjson.UploadStatus(r, lim.MaxStringBytes, d))
}

// nameLimit adds to a decoder's *pcjson.LimitError the option that raises
// the limit.
func nameLimit(err error) error {
	var le *pcjson.LimitError
	if !errors.As(err, &le) {
		return err
	}
	field := map[string]string{"MaxString": "MaxStringBytes", "MaxItems": "MaxPageItems"}[le.Limit]
	if field == "" {
		return err
	}
	return fmt.Errorf("%w (raise ClientOptions.Limits.%s to read more)", err, field)
}

// decodeErrorBody fills e from a failed answer's body, each text cleaned
// of secrets by clean before it is folded and bounded (a bound must not
// cut a token in two); a body that is not a Partner Center error leaves e
// as it is.
func decodeErrorBody(body []byte, e *ResponseError, clean func(string) string) {
	b, ok := pcjson.ErrorBody(body)
	if !ok {
		return
	}
	line := func(s string) string { return oneLine(clean(s)) }
	e.Code, e.Description, e.Source = line(b.Code), line(b.Description), line(b.Source)
	e.ErrorName, e.IsRetryable = line(b.ErrorName), b.IsRetryable
}
