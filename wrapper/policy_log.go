package wrapper

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/pchttp"
)

// logPolicy writes one debug record per try to ClientOptions.Logger: the
// operation's page, the try, method, URL, status, duration, the ids to quote
// to Microsoft support and the wait the service asked for. Headers are
// never logged, so neither the token nor a continuation token can leak.
// (azcore/log, configured through ClientOptions.Logging, traces the same
// tries with every header but an allow-list REDACTED.) It is in the
// pipeline only when a Logger is set.
type logPolicy struct {
	log *slog.Logger
	// secrets are redacted from the error text, which may quote a server.
	secrets *secretSet
}

// tryCount is the call's try counter, kept in azcore's per-call operation
// values, which every retry of the call shares.
type tryCount int

type pageKey struct{}

// withPage tells logPolicy which page of a listing a call reads; without a
// Logger nothing reads it, and the context is left as it is.
func (c *Client) withPage(ctx context.Context, n int) context.Context {
	if !c.logging {
		return ctx
	}
	return context.WithValue(ctx, pageKey{}, n)
}

// Do implements policy.Policy.
func (p logPolicy) Do(req *policy.Request) (*http.Response, error) {
	ctx := req.Raw().Context()
	if !p.log.Enabled(ctx, slog.LevelDebug) {
		return req.Next()
	}
	var try tryCount
	req.OperationValue(&try)
	try++
	req.SetOperationValue(try)
	page, _ := ctx.Value(pageKey{}).(int)
	start := time.Now()
	resp, err := req.Next()
	h := req.Raw().Header
	attrs := []slog.Attr{
		slog.Int("page", page), slog.Int("try", int(try)),
		slog.String("method", req.Raw().Method), slog.String("url", p.secrets.redact(redactedURL(req.Raw()))),
		slog.Duration("duration", time.Since(start)),
		slog.String("request_id", p.secrets.redact(h.Get("MS-RequestId"))), slog.String("correlation_id", p.secrets.redact(h.Get("MS-CorrelationId"))),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
		if d := pchttp.RetryAfter(resp.Header, time.Now()); d > 0 {
			attrs = append(attrs, slog.Duration("retry_after", d))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", p.secrets.oneLine(err.Error())))
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "partner center try", attrs...)
	return resp, err
}
