package wrapper

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// requestBodyPolicy gives every try of a call with a body (uploads, profile
// assignments) its own copy of the body. net/http may still be writing a
// try's body after the answer came (a server that answers 503 before
// reading the request), while azcore's retry policy rewinds the one body
// all tries share for the next try: a data race, and a retry that could
// send a garbled upload. Copied per try, the transport never reads the
// shared body, which only this policy reads, once per try, after the
// rewind.
type requestBodyPolicy struct{}

// Do implements policy.Policy.
func (requestBodyPolicy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	if raw.Body == nil || raw.Body == http.NoBody {
		return req.Next()
	}
	body, err := io.ReadAll(raw.Body)
	if err != nil {
		return nil, nonRetriable{fmt.Errorf("reading the request body: %w", err)}
	}
	raw.Body = io.NopCloser(bytes.NewReader(body))
	raw.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	raw.ContentLength = int64(len(body))
	return req.Next()
}
