package wrapper

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
)

// ErrRedirectRefused is wrapped by the error of a call whose answer was a
// redirect to another host or scheme: following it could hand the token to
// a host that is not the configured service.
var ErrRedirectRefused = errors.New("redirect refused")

// checkOrigin refuses a request for anything but the configured scheme and
// host (see gatePolicy and transport).
func checkOrigin(u, base *url.URL) error {
	if !pchttp.SameOrigin(u, base) {
		return nonRetriable{fmt.Errorf("refusing to send the token to %s://%s: only %s receives it", u.Scheme, u.Host, base.Host)}
	}
	return nil
}

// guardRedirects returns a copy of hc whose redirect policy refuses
// another origin.
func guardRedirects(hc *http.Client, base *url.URL) *http.Client {
	c := *hc // a copy: the caller's client keeps its own policy
	inner := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !pchttp.SameOrigin(req.URL, base) {
			return nonRetriable{fmt.Errorf("%w: the service redirected to %s://%s, not %s", ErrRedirectRefused, req.URL.Scheme, req.URL.Host, base.Host)}
		}
		if inner != nil {
			return inner(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// defaultRoundTripper is the client's own transport; stall, when not
// zero, is the stall timeout of its connections (stall.go).
func defaultRoundTripper(stall time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	if stall > 0 {
		// http.DefaultTransport's dialer, which Clone keeps.
		t.DialContext = stallDial(t.DialContext, stall)
	}
	return t
}

// nonRetriable marks an error azcore's retry policy must not retry.
type nonRetriable struct{ error }

func (nonRetriable) NonRetriable()   {}
func (e nonRetriable) Unwrap() error { return e.error }

// pipelineDoer lets the generated client send its requests through the
// azcore pipeline. Bodies are streamed to the caller (SkipBodyDownload);
// transport downloads the small ones inside the retry loop.
// A failure with no answer becomes a *NetworkError carrying the ids the
// request was sent with (headersPolicy set them on req itself).
type pipelineDoer struct {
	pl runtime.Pipeline
	c  *Client
}

// Do implements generated.HttpRequestDoer.
func (d pipelineDoer) Do(req *http.Request) (*http.Response, error) {
	preq, err := runtime.NewRequestFromRequest(req)
	if err != nil {
		return nil, err
	}
	runtime.SkipBodyDownload(preq)
	resp, err := d.pl.Do(preq)
	if err != nil && resp == nil {
		return nil, d.c.networkError(req, err)
	}
	return resp, err
}
