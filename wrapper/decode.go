package wrapper

// The decoding seam: every response body the client reads, collections and
// errors alike, is decoded through this file (and internal/pcjson behind
// it) and nowhere else.

import (
	"io"

	"github.com/partnercenter-go/devicebatches/internal/pcjson"
)

// pageInfo is what a collection page says about the next page.
type pageInfo struct {
	next  *Link
	token string
}

// decodeCollection streams a collection's items to each; see pcjson.Collection.
func decodeCollection[T any](r io.Reader, wantRaw bool, valid func(*T) error, each func(item *T, raw []byte) error) (pageInfo, error) {
	p, err := pcjson.Collection[T, ResourceLinks](r, pcjson.Limits{}, wantRaw, valid, each)
	info := pageInfo{token: p.ContinuationToken}
	if p.Links != nil && p.Links.Next.Uri != "" {
		next := p.Links.Next
		info.next = &next
	}
	return info, err
}

// decodeValue reads one JSON document into v.
func decodeValue(r io.Reader, v any) error { return pcjson.Value(r, 0, v) }

// decodeErrorBody fills e from a failed answer's body; a body that is not a
// Partner Center error leaves e as it is.
func decodeErrorBody(body []byte, e *ResponseError) {
	b, ok := pcjson.ErrorBody(body)
	if !ok {
		return
	}
	e.Code, e.Description, e.Source = oneLine(b.Code), oneLine(b.Description), oneLine(b.Source)
	e.ErrorName, e.IsRetryable = oneLine(b.ErrorName), b.IsRetryable
}
