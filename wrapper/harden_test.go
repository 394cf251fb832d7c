package wrapper

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// jwtLike is shaped like a JSON Web Token but is not this client's token:
// it must be redacted all the same.
const jwtLike = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.c2lnbmF0dXJl"

// TestEchoedTokenIsRedacted: a server that echoes the Authorization header
// back (in a description, a data entry, a header, a 200 body that fails to
// decode, a next link) never makes the client show the token.
func TestEchoedTokenIsRedacted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request, token string)
		check   func(t *testing.T, err error)
	}{
		{"description", func(w http.ResponseWriter, r *http.Request, tok string) {
			writeBody(w, 401, fmt.Sprintf(`{"code":401,"description":"token %s and %s refused","data":[],"source":"PartnerFD"}`, tok, jwtLike))
		}, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || !strings.Contains(re.Description, "token REDACTED and REDACTED refused") {
				t.Errorf("description not redacted: %v", err)
			}
		}},
		{"data entry", func(w http.ResponseWriter, r *http.Request, tok string) {
			writeBody(w, 400, fmt.Sprintf(`{"code":400,"description":"bad","data":[%q]}`, r.Header.Get("Authorization")))
		}, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || !bytes.Contains(re.Body, []byte("Bearer REDACTED")) {
				t.Errorf("body not redacted: %v %s", err, re.Body)
			}
		}},
		{"header", func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("MS-RequestId", tok)
			w.Header().Set("MS-CorrelationId", jwtLike)
			w.Header().Set("Content-Type", "text/plain; "+tok)
			writeBody(w, 503, ``)
		}, func(t *testing.T, err error) {
			var re *ResponseError
			if !errors.As(err, &re) || re.RequestID != Redacted || re.CorrelationID != Redacted {
				t.Errorf("ids not redacted: %v", err)
			}
		}},
		{"200 that fails decoding", func(w http.ResponseWriter, r *http.Request, tok string) {
			w.Header().Set("MS-RequestId", tok)
			writeBody(w, 200, fmt.Sprintf(`{"items":[{"id":%q,"devicesCount":"%s"}]}`, tok, tok))
		}, func(t *testing.T, err error) {
			var de *DecodeError
			if !errors.As(err, &de) || de.RequestID != Redacted {
				t.Errorf("decode error not redacted: %v", err)
			}
		}},
		{"next link", func(w http.ResponseWriter, r *http.Request, tok string) {
			if r.Header.Get("MS-ContinuationToken") == "" {
				writeBody(w, 200, batchPage([]string{"a"}, nextLink("https://evil.example/"+tok, "")))
				return
			}
		}, func(t *testing.T, err error) {
			var pe *PagingError
			if !errors.As(err, &pe) {
				t.Errorf("err = %v, want *PagingError", err)
			}
		}},
	} {
		for _, token := range []string{testToken, jwtLike} {
			t.Run(tc.name+"/"+token[:4], func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					tc.handler(w, r, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
				}))
				defer srv.Close()
				var logs bytes.Buffer
				c, err := NewClient(StaticToken(token), &ClientOptions{BaseURL: srv.URL,
					Logger:        slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
					ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: -1}}})
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.ListDeviceBatches(context.Background(), testCustomer)
				if err == nil {
					t.Fatal("no error")
				}
				tc.check(t, err)
				shown := fmt.Sprintf("%v %+v %s", err, err, logs.String())
				var re *ResponseError
				if errors.As(err, &re) {
					shown += string(re.Body) + re.ContentType
				}
				if strings.Contains(shown, token) || strings.Contains(shown, jwtLike) {
					t.Errorf("the token reached the user: %s", shown)
				}
			})
		}
	}
}

// TestDebugLineRedactsLinkPath: a next link whose path carries the token is
// followed, but the --debug line and the error show REDACTED.
func TestDebugLineRedactsLinkPath(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.URL.Path, "/echo/") {
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			writeBody(w, 200, batchPage([]string{"a"}, nextLink("/echo/"+tok, "")))
			return
		}
		writeBody(w, 404, `{"code":404,"description":"not here"}`)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL,
		Logger:        slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListDeviceBatches(context.Background(), testCustomer)
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "/echo/REDACTED") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(logs.String(), testToken) || !strings.Contains(logs.String(), "/echo/REDACTED") {
		t.Errorf("debug lines show the token: %s", logs.String())
	}
}

// TestNetworkErrorCarriesIDs: a failure with no answer (connection closed,
// TLS refused, deadline passed) is a *NetworkError with the request's ids,
// and still unwraps to the cause.
func TestNetworkErrorCarriesIDs(t *testing.T) {
	t.Parallel()
	var sent atomic.Value
	record := func(r *http.Request) {
		sent.Store(r.Header.Get("MS-RequestId") + " " + r.Header.Get("MS-CorrelationId"))
	}
	closer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record(r)
		conn, _, _ := w.(http.Hijacker).Hijack()
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		conn.Close()
	}))
	defer closer.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, batchPage(nil, "")) }))
	defer tlsSrv.Close()
	past, cancel := context.WithDeadline(context.Background(), time.Unix(1, 0))
	defer cancel()
	for _, tc := range []struct {
		name   string
		srv    *httptest.Server
		client *http.Client
		ctx    context.Context
		is     func(error) bool
		sentTo bool
	}{
		{"connection reset", closer, closer.Client(), context.Background(), func(err error) bool { return true }, true},
		{"TLS unknown authority", tlsSrv, &http.Client{}, context.Background(), func(err error) bool { var ue x509.UnknownAuthorityError; return errors.As(err, &ue) }, false},
		{"deadline passed", closer, closer.Client(), past, func(err error) bool { return errors.Is(err, context.DeadlineExceeded) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: tc.srv.URL,
				ClientOptions: azcore.ClientOptions{Transport: tc.client, Retry: policy.RetryOptions{MaxRetries: -1}}})
			if err != nil {
				t.Fatal(err)
			}
			sent.Store("")
			_, err = c.ListDeviceBatches(tc.ctx, testCustomer)
			var ne *NetworkError
			if !errors.As(err, &ne) {
				t.Fatalf("err = %T %v, want *NetworkError", err, err)
			}
			if !tc.is(err) {
				t.Errorf("err = %v does not unwrap to its cause", err)
			}
			if ne.RequestID == "" || ne.CorrelationID != c.CorrelationID() || ne.Method != "GET" || !strings.Contains(ne.URL, "/deviceBatches") {
				t.Errorf("NetworkError = %+v", ne)
			}
			if tc.sentTo && sent.Load() != ne.RequestID+" "+ne.CorrelationID {
				t.Errorf("ids %s %s, sent %v", ne.RequestID, ne.CorrelationID, sent.Load())
			}
			if !strings.Contains(err.Error(), ne.RequestID) || strings.Contains(err.Error(), testToken) {
				t.Errorf("message %q", err)
			}
		})
	}
}

// limitsClient is a client of srv with lim, no retries and the transport tr
// (srv's client when nil).
func limitsClient(t *testing.T, srv *httptest.Server, lim Limits, tr http.RoundTripper) *Client {
	t.Helper()
	hc := srv.Client()
	if tr != nil {
		hc = &http.Client{Transport: tr}
	}
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL, Limits: lim,
		ClientOptions: azcore.ClientOptions{Transport: hc, Retry: policy.RetryOptions{MaxRetries: -1}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func gzipOf(t *testing.T, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	for _, p := range parts {
		if _, err := zw.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLimits: every bound ends the call with an error naming the option
// that raises it, never with reading on.
func TestLimits(t *testing.T) {
	t.Parallel()
	pad := strings.Repeat(" ", 16<<20) // 16 MiB of white space: valid JSON padding
	bomb := gzipOf(t, `{"items":[`, pad, `]}`)
	smallGzip := gzipOf(t, batchPage([]string{"a", "b"}, ""))
	noDecompression := &http.Transport{DisableCompression: true}
	for _, tc := range []struct {
		name    string
		lim     Limits
		tr      http.RoundTripper
		handler http.HandlerFunc
		option  string // named in the message; empty: success
		ids     int
		isErr   func(error) bool
	}{
		{name: "long string", lim: Limits{MaxStringBytes: 1 << 10}, handler: func(w http.ResponseWriter, r *http.Request) {
			writeBody(w, 200, batchPage([]string{strings.Repeat("x", 2<<10)}, ""))
		}, option: "MaxStringBytes"},
		{name: "string at the limit", lim: Limits{MaxStringBytes: 1 << 10}, handler: func(w http.ResponseWriter, r *http.Request) {
			writeBody(w, 200, batchPage([]string{strings.Repeat("x", 1<<10)}, ""))
		}, ids: 1},
		{name: "huge string with the default limit", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"items":[{"id":"`))
			for range 3 {
				w.Write([]byte(strings.Repeat("y", 1<<20)))
			}
			w.Write([]byte(`"}]}`))
		}, option: "MaxStringBytes"},
		{name: "items", lim: Limits{MaxPageItems: 3}, handler: func(w http.ResponseWriter, r *http.Request) {
			writeBody(w, 200, batchPage([]string{"a", "b", "c", "d"}, ""))
		}, option: "MaxPageItems"},
		{name: "items at the limit", lim: Limits{MaxPageItems: 3}, handler: func(w http.ResponseWriter, r *http.Request) {
			writeBody(w, 200, batchPage([]string{"a", "b", "c"}, ""))
		}, ids: 3},
		{name: "body", lim: Limits{MaxBodyBytes: 64 << 10}, handler: func(w http.ResponseWriter, r *http.Request) {
			writeBody(w, 200, `{"items":[`+pad[:1<<20]+`]}`)
		}, option: "MaxBodyBytes", isErr: func(err error) bool { return errors.Is(err, ErrBodyTooLarge) && errors.Is(err, ErrLimit) }},
		{name: "gzip bomb, Go's transport inflating", lim: Limits{MaxBodyBytes: 1 << 20}, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		}, option: "MaxBodyBytes"},
		{name: "gzip bomb, sent unasked", lim: Limits{MaxBodyBytes: 1 << 20}, tr: noDecompression, handler: func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Accept-Encoding") != "" {
				t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		}, option: "MaxBodyBytes"},
		{name: "gzip sent unasked is read", tr: noDecompression, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(smallGzip)
		}, ids: 2},
		{name: "pages", lim: Limits{MaxPages: 5}, handler: func(w http.ResponseWriter, r *http.Request) {
			n := len(r.Header.Get("MS-ContinuationToken"))
			writeBody(w, 200, batchPage([]string{fmt.Sprint(n)}, fmt.Sprintf(`,"continuationToken":%q`, strings.Repeat("t", n+1))))
		}, option: "MaxPages", isErr: func(err error) bool { var pe *PagingError; return errors.As(err, &pe) && pe.Pages == 5 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c := limitsClient(t, srv, tc.lim, tc.tr)
			got, err := c.ListDeviceBatches(context.Background(), testCustomer)
			if tc.option == "" {
				if err != nil || len(got) != tc.ids {
					t.Fatalf("got %d batches, err %v; want %d", len(got), err, tc.ids)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "ClientOptions.Limits."+tc.option) {
				t.Fatalf("err = %v, want one naming %s", err, tc.option)
			}
			if tc.isErr == nil {
				var de *DecodeError
				if !errors.As(err, &de) || !errors.Is(err, ErrLimit) {
					t.Errorf("err = %T %v, want *DecodeError wrapping ErrLimit", err, err)
				}
			} else if !tc.isErr(err) {
				t.Errorf("err = %T %v", err, err)
			}
		})
	}
}

func TestNegativeLimitsRefused(t *testing.T) {
	t.Parallel()
	for _, lim := range []Limits{{MaxBodyBytes: -1}, {MaxStringBytes: -1}, {MaxPageItems: -1}, {MaxPages: -1}, {MaxUploadStatusBytes: -1}} {
		_, err := NewClient(StaticToken(testToken), &ClientOptions{Limits: lim})
		var ia *InvalidArgumentError
		if !errors.As(err, &ia) || !strings.Contains(ia.Argument, "Limits.") {
			t.Errorf("%+v: err = %v", lim, err)
		}
	}
}

// TestStreamedBodyCutShort: an unsized (chunked) page cut by the
// connection is read again when none of its items was handed out, and is
// a *DecodeError when one was (the caller must never see an item twice).
func TestStreamedBodyCutShort(t *testing.T) {
	t.Parallel()
	full := batchPage([]string{"a", "b"}, "")
	cut := func(prefix string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(prefix))
			w.(http.Flusher).Flush() // chunked: no Content-Length
			panic(http.ErrAbortHandler)
		}
	}
	for _, tc := range []struct {
		name     string
		first    func(w http.ResponseWriter)
		retries  int32
		ids      []string
		requests int32
	}{
		{"cut before any item, retried", cut(`{"totalCount":2,"items":[{"id":"a"`), 3, []string{"a", "b"}, 2},
		{"cut after an item, not retried", cut(`{"totalCount":2,"items":[{"id":"a"},{"id":`), 3, nil, 1},
		{"cut before any item, no retries allowed", cut(`{"items":[`), -1, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					tc.first(w)
					return
				}
				w.Write([]byte(full)) // chunked too: written without a length
			}))
			defer srv.Close()
			c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: srv.URL,
				ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{MaxRetries: tc.retries}}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			var last error
			for b, err := range c.ListDeviceBatchesIter(context.Background(), testCustomer) {
				if err != nil {
					last = err
					break
				}
				ids = append(ids, b.Id)
			}
			if n.Load() != tc.requests {
				t.Errorf("%d requests, want %d", n.Load(), tc.requests)
			}
			if tc.ids != nil {
				if last != nil || strings.Join(ids, ",") != strings.Join(tc.ids, ",") {
					t.Errorf("ids %v err %v, want %v", ids, last, tc.ids)
				}
				return
			}
			var de *DecodeError
			if !errors.As(last, &de) {
				t.Errorf("err = %v, want *DecodeError", last)
			}
			if len(ids) > 1 {
				t.Errorf("ids %v: an item seen twice or a page made up", ids)
			}
		})
	}
}

// TestSlashInBatchIDFollowsLinks: the service writes a batch id with "/"
// unescaped in its links; paging and devicesLink still ask for that batch.
func TestSlashInBatchIDFollowsLinks(t *testing.T) {
	t.Parallel()
	const id = "a/b 100%25"
	want := "/v1/customers/" + testCustomer + "/deviceBatches/a%2Fb%20100%2525/devices"
	link := "/customers/" + testCustomer + "/deviceBatches/" + id + "/devices"
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath())
		if r.URL.EscapedPath() != want {
			writeBody(w, 404, `{"code":404,"description":"no such batch"}`)
			return
		}
		if r.Header.Get("MS-ContinuationToken") == "" {
			writeBody(w, 200, `{"items":[{"id":"d1"}],"links":{"next":{"uri":"`+link+`","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"p2"}]}}}`)
			return
		}
		writeBody(w, 200, `{"items":[{"id":"d2"}]}`)
	}))
	defer srv.Close()
	c := offContractClient(t, srv)
	for name, list := range map[string]func() ([]Device, error){
		"ListDevices": func() ([]Device, error) { return c.ListDevices(context.Background(), testCustomer, id) },
		"FollowDevicesLink": func() ([]Device, error) {
			return c.FollowDevicesLink(context.Background(), DeviceBatch{Id: id, DevicesLink: Link{Uri: link}})
		},
	} {
		paths = nil
		got, err := list()
		if err != nil || len(got) != 2 || got[0].Id != "d1" || got[1].Id != "d2" {
			t.Errorf("%s: %v, %v (paths %v)", name, got, err, paths)
		}
	}
}

// TestNewClientRefusesTypedNil: a nil *azidentity.EnvironmentCredential in
// the interface would panic on first use; it is an InvalidArgumentError.
func TestNewClientRefusesTypedNil(t *testing.T) {
	t.Parallel()
	var env *azidentity.EnvironmentCredential
	var static TokenCredential
	for _, cred := range []TokenCredential{env, static, (*azidentity.ClientSecretCredential)(nil)} {
		_, err := NewClient(cred, nil)
		var ia *InvalidArgumentError
		if !errors.As(err, &ia) || ia.Argument != "credential" {
			t.Errorf("NewClient(%T nil) = %v", cred, err)
		}
	}
}

// TestOddSuccessAndErrorBodies: a 200 without "items" or ids is a
// *DecodeError; every error shape is a *ResponseError with its fields, its
// description unescaped, escaped for the terminal and cut at 2 KiB.
func TestOddSuccessAndErrorBodies(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{}`, `{"items": null}`, `{"items": [{"status": "finished"}]}`, `{"items": [{"id": ""}]}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, body) }))
		_, err := offContractClient(t, srv).ListDeviceBatches(context.Background(), testCustomer)
		srv.Close()
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: err = %v, want *DecodeError", body, err)
		}
	}
	long := strings.Repeat("é", 3000)
	for _, tc := range []struct {
		body                   string
		code, desc, name       string
		retryable              *bool
		descPrefix, descSuffix string
	}{
		{body: `{"code":2000,"message":"Don&#39;t &amp; won&#39;t","errorName":"InvalidInput","isRetryable":false,"parameters":{},"errorMessageExtended":"x"}`,
			code: "2000", desc: "Don't & won't", name: "InvalidInput", retryable: new(bool)},
		{body: `{"statusCode":429,"message":"Rate limit is exceeded."}`, desc: "Rate limit is exceeded."},
		{body: `{"code":600,"description":"a\u202eb\u001b[0m","data":[],"source":"PartnerFD"}`, code: "600", desc: `a\u202eb\x1b[0m`},
		{body: `{"code":1,"description":"` + long + `"}`, code: "1", descPrefix: "ééé", descSuffix: " (truncated)"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 400, tc.body) }))
		_, err := offContractClient(t, srv).ListDeviceBatches(context.Background(), testCustomer)
		srv.Close()
		var re *ResponseError
		if !errors.As(err, &re) || re.Code != tc.code || re.ErrorName != tc.name || (re.IsRetryable == nil) != (tc.retryable == nil) {
			t.Errorf("%s: err = %v (%+v)", tc.body, err, re)
			continue
		}
		if tc.descSuffix != "" {
			if !strings.HasPrefix(re.Description, tc.descPrefix) || !strings.HasSuffix(re.Description, tc.descSuffix) || len(re.Description) > 2<<10+20 {
				t.Errorf("long description: %d bytes, ends %q", len(re.Description), re.Description[len(re.Description)-20:])
			}
		} else if re.Description != tc.desc {
			t.Errorf("%s: description %q, want %q", tc.body, re.Description, tc.desc)
		}
	}
}

// TestZeroClientDoesNotPanic: a nil or zero Client fails every operation
// with an *InvalidArgumentError instead of panicking.
func TestZeroClientDoesNotPanic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []*Client{nil, {}} {
		_ = c.String() + c.BaseURL() + c.CorrelationID()
		for name, err := range map[string]error{
			"ListDeviceBatches": func() error { _, err := c.ListDeviceBatches(ctx, testCustomer); return err }(),
			"ListDevices":       func() error { _, err := c.ListDevices(ctx, testCustomer, "b"); return err }(),
			"FollowDevicesLink": func() error {
				_, err := c.FollowDevicesLink(ctx, testBatch("/customers/x/deviceBatches/b/devices"))
				return err
			}(),
			"ListCustomers":             func() error { _, err := c.ListCustomers(ctx, nil); return err }(),
			"ListConfigurationPolicies": func() error { _, err := c.ListConfigurationPolicies(ctx, testCustomer); return err }(),
			"ProbeCustomers":            func() error { _, err := c.ProbeCustomers(ctx); return err }(),
			"GetBatchUploadStatus":      func() error { _, err := c.GetBatchUploadStatus(ctx, testCustomer, "t"); return err }(),
			"WaitForBatchUpload":        func() error { _, err := c.WaitForBatchUpload(ctx, testCustomer, "t", nil); return err }(),
			"CreateDeviceBatch": func() error {
				_, err := c.CreateDeviceBatch(ctx, testCustomer, "b", []DeviceUpload{{ProductKey: "k"}})
				return err
			}(),
			"AddDevices": func() error {
				_, err := c.AddDevices(ctx, testCustomer, "b", []DeviceUpload{{ProductKey: "k"}})
				return err
			}(),
			"DeleteDevice":  func() error { return c.DeleteDevice(ctx, testCustomer, "b", "d") }(),
			"AssignProfile": func() error { _, err := c.AssignProfile(ctx, testCustomer, "p", []string{"d"}); return err }(),
			"ListDeviceBatchesForCustomers": func() error {
				for r := range c.ListDeviceBatchesForCustomers(ctx, []string{testCustomer}, nil) {
					return r.Err
				}
				return nil
			}(),
		} {
			var ia *InvalidArgumentError
			if !errors.As(err, &ia) || ia.Argument != "client" {
				t.Errorf("%s on %#v: %v", name, c, err)
			}
		}
		for _, err := range c.ListDeviceBatchesJSON(ctx, testCustomer) {
			if err == nil {
				t.Error("ListDeviceBatchesJSON: no error")
			}
		}
	}
}

// lyingTransport answers every request with a 200 that announces a small
// Content-Length but sends size bytes: a caller's own Transport need not
// cut a body at its Content-Length the way net/http does.
type lyingTransport struct {
	size     int64
	requests atomic.Int32
	read     atomic.Int64
}

func (l *lyingTransport) Do(req *http.Request) (*http.Response, error) {
	l.requests.Add(1)
	body := io.MultiReader(strings.NewReader(`{"items":[`), io.LimitReader(zeroReader{}, l.size))
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: 100,
		Body: io.NopCloser(&countingReader{r: body, n: &l.read}), Request: req}, nil
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestSmallBodyOverLimitReadsNoFurtherAndIsNotRetried: a body announced
// as small is read only one byte past MaxBodyBytes, however much is sent,
// and the answer is not asked for again (it would be as large).
func TestSmallBodyOverLimitReadsNoFurtherAndIsNotRetried(t *testing.T) {
	t.Parallel()
	tr := &lyingTransport{size: 50 << 20}
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: "https://api.partnercenter.microsoft.com", Limits: Limits{MaxBodyBytes: 1000},
		ClientOptions: azcore.ClientOptions{Transport: tr, Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListDeviceBatches(context.Background(), testCustomer)
	if !errors.Is(err, ErrBodyTooLarge) || !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
	if n := tr.read.Load(); n > 1000+3+1 {
		t.Errorf("read %d bytes of the body, want at most MaxBodyBytes+4", n)
	}
	if n := tr.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1: a body over the limit is not retried", n)
	}
}
