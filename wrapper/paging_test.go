package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/partnercenter-go/devicebatches/internal/contract"
)

func nextLink(uri string, headers string) string {
	return fmt.Sprintf(`,"links":{"next":{"uri":%q,"method":"GET","headers":[%s]}}`, uri, headers)
}

func TestPaging(t *testing.T) {
	type want struct {
		ids   []string
		err   func(error) bool
		tries int
		paths []string // escaped path and query of every request
		check func(t *testing.T, rec *recorder)
	}
	pagingErr := func(err error) bool { var pe *PagingError; return errors.As(err, &pe) }
	cases := []struct {
		name     string
		handler  func(w http.ResponseWriter, r *http.Request, n int)
		contract bool
		want     want
	}{
		{
			name:     "links.next relative without /v1",
			contract: true,
			handler: func(w http.ResponseWriter, _ *http.Request, n int) {
				switch n {
				case 0:
					writeBody(w, 200, batchPage([]string{"a"}, nextLink("/customers/"+testCustomer+"/deviceBatches", `{"key":"MS-ContinuationToken","value":"p2"}`)))
				case 1:
					writeBody(w, 200, batchPage([]string{"b"}, nextLink("/v1//v1/customers/"+testCustomer+"/deviceBatches", `{"key":"MS-ContinuationToken","value":"p3"},{"key":"Authorization","value":"Bearer stolen"},{"key":"MS-RequestId","value":"fixed"}`)))
				default:
					writeBody(w, 200, batchPage([]string{"Test batch"}, ""))
				}
			},
			want: want{ids: []string{"a", "b", "Test batch"}, tries: 3,
				paths: []string{batchesPath + "?", batchesPath + "?", batchesPath + "?"},
				check: func(t *testing.T, rec *recorder) {
					for i, tok := range []string{"", "p2", "p3"} {
						if got := rec.headers[i].Get("MS-ContinuationToken"); got != tok {
							t.Errorf("request %d MS-ContinuationToken %q, want %q", i, got, tok)
						}
						if got := rec.headers[i].Get("Authorization"); got != "Bearer "+testToken {
							t.Errorf("request %d Authorization replaced by a link", i)
						}
						if rec.headers[i].Get("MS-RequestId") == "fixed" {
							t.Errorf("request %d MS-RequestId set by a link", i)
						}
					}
				}},
		},
		{
			name:     "continuationToken",
			contract: true,
			handler: func(w http.ResponseWriter, r *http.Request, n int) {
				switch r.Header.Get("MS-ContinuationToken") {
				case "":
					writeBody(w, 200, batchPage([]string{"a"}, `,"continuationToken":"t2"`))
				case "t2":
					writeBody(w, 200, batchPage([]string{"b"}, `,"continuationToken":"t3"`))
				default:
					writeBody(w, 200, batchPage([]string{"c"}, ""))
				}
			},
			want: want{ids: []string{"a", "b", "c"}, tries: 3, paths: []string{batchesPath + "?", batchesPath + "?", batchesPath + "?"}},
		},
		{
			name: "space in a link is escaped",
			handler: func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 0 {
					writeBody(w, 200, batchPage([]string{"a"}, nextLink("/customers/"+testCustomer+"/deviceBatches/Test batch/devices", "")))
					return
				}
				writeBody(w, 200, batchPage(nil, ""))
			},
			want: want{ids: []string{"a"}, tries: 2, paths: []string{batchesPath + "?", batchesPath + "/Test%20batch/devices?"}},
		},
		{
			name: "repeated token is a loop",
			handler: func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 200, batchPage([]string{"a"}, `,"continuationToken":"same"`))
			},
			want: want{err: pagingErr, tries: 2},
		},
		{
			name: "repeated link is a loop",
			handler: func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 200, batchPage([]string{"a"}, nextLink("/customers/"+testCustomer+"/deviceBatches?seek=1", "")))
			},
			want: want{err: pagingErr, tries: 2},
		},
		{
			name: "link to another host is not followed",
			handler: func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeBody(w, 200, batchPage([]string{"a"}, nextLink("https://evil.example/v1/customers/"+testCustomer+"/deviceBatches", "")))
			},
			want: want{err: pagingErr, tries: 1},
		},
	}
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		for _, mode := range []string{"collect", "iter"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				rec := &recorder{}
				srv := newLoopbackServer(t, rec, tc.handler)
				hc := &http.Client{}
				var ct *contract.Transport
				if tc.contract {
					ct = &contract.Transport{Next: http.DefaultTransport.(*http.Transport).Clone(), Validator: v}
					hc.Transport = ct
				}
				c := newRetryClient(t, srv.URL, hc.Transport, policy.RetryOptions{}, nil)
				var ids []string
				var err error
				if mode == "collect" {
					var got []DeviceBatch
					got, err = c.ListDeviceBatches(context.Background(), testCustomer)
					for _, b := range got {
						ids = append(ids, b.Id)
					}
				} else {
					for b, e := range c.ListDeviceBatchesIter(context.Background(), testCustomer) {
						if e != nil {
							err = e
							break
						}
						ids = append(ids, b.Id)
					}
				}
				if tc.want.err != nil {
					if err == nil || !tc.want.err(err) {
						t.Fatalf("error = %v (%T)", err, err)
					}
				} else if err != nil {
					t.Fatal(err)
				} else if fmt.Sprint(ids) != fmt.Sprint(tc.want.ids) {
					t.Errorf("ids = %q, want %q", ids, tc.want.ids)
				}
				// Every page is its own call: a new MS-RequestId each.
				assertTries(t, rec, tc.want.tries, tc.want.tries)
				if tc.want.paths != nil && strings.Join(rec.paths, " ") != strings.Join(tc.want.paths, " ") {
					t.Errorf("paths = %q, want %q", rec.paths, tc.want.paths)
				}
				if tc.want.check != nil {
					tc.want.check(t, rec)
				}
				if ct != nil {
					for _, e := range ct.Errors() {
						t.Errorf("contract violation: %v", e)
					}
				}
			})
		}
	}
}

// TestPagingTokenSources: after a page with links.next, every paged
// operation sends the link's own MS-ContinuationToken when it carries one
// (even when the body's continuationToken differs: the link's header is
// what the service says to send with it), else the body's continuationToken.
// The service answers a request without the right token with the first
// page again, which the walk reports as a loop.
func TestPagingTokenSources(t *testing.T) {
	const link = "/customers/" + testCustomer + "/deviceBatches/b/devices"
	ops := []struct {
		name  string
		next  string // the uri of links.next
		path  string // the escaped path and query every request must use
		items [2]string
		list  func(c *Client) ([]string, error)
	}{
		{
			name: "ListDeviceBatches", next: "/customers/" + testCustomer + "/deviceBatches", path: batchesPath + "?",
			items: [2]string{`{"id":"b1"}`, `{"id":"b2"}`},
			list: func(c *Client) ([]string, error) {
				got, err := c.ListDeviceBatches(t.Context(), testCustomer)
				var ids []string
				for _, b := range got {
					ids = append(ids, b.Id)
				}
				return ids, err
			},
		},
		{
			name: "ListDevices", next: link, path: batchesPath + "/b/devices?",
			items: [2]string{`{"id":"d1"}`, `{"id":"d2"}`},
			list: func(c *Client) ([]string, error) {
				got, err := c.ListDevices(t.Context(), testCustomer, "b")
				var ids []string
				for _, d := range got {
					ids = append(ids, d.Id)
				}
				return ids, err
			},
		},
		{
			name: "FollowDevicesLink", next: link, path: batchesPath + "/b/devices?",
			items: [2]string{`{"id":"d1"}`, `{"id":"d2"}`},
			list: func(c *Client) ([]string, error) {
				got, err := c.FollowDevicesLink(t.Context(), DeviceBatch{Id: "b", DevicesLink: Link{Uri: link, Method: "GET"}})
				var ids []string
				for _, d := range got {
					ids = append(ids, d.Id)
				}
				return ids, err
			},
		},
		{
			name: "ListCustomers", next: "/v1/customers?size=500&seekOperation=Next", path: "/v1/customers?",
			items: [2]string{`{"id":"` + testCustomer + `"}`, `{"id":"9c3c3a32-1d1b-4e0f-a3e1-0f4c2c6d8b2a"}`},
			list: func(c *Client) ([]string, error) {
				got, err := c.ListCustomers(t.Context(), nil)
				var ids []string
				for _, cu := range got {
					ids = append(ids, cu.Id.String())
				}
				return ids, err
			},
		},
	}
	cases := []struct {
		name    string
		headers string // links.next's headers
		body    string // the body's continuationToken, if any
		want    string // the MS-ContinuationToken the second request must send
	}{
		{name: "body token, link without headers", body: "T1", want: "T1"},
		{name: "body token, link with other headers", headers: `{"key":"X-Other","value":"x"}`, body: "T1", want: "T1"},
		{name: "link header only", headers: `{"key":"MS-ContinuationToken","value":"H1"}`, want: "H1"},
		{name: "link header and the same body token", headers: `{"key":"MS-ContinuationToken","value":"T1"}`, body: "T1", want: "T1"},
		{name: "link header wins over a different body token", headers: `{"key":"ms-continuationtoken","value":"H1"}`, body: "T1", want: "H1"},
	}
	for _, op := range ops {
		for _, tc := range cases {
			t.Run(op.name+"/"+tc.name, func(t *testing.T) {
				rec := &recorder{}
				srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, r *http.Request, _ int) {
					if r.Header.Get("MS-ContinuationToken") == tc.want {
						writeBody(w, 200, `{"totalCount":1,"items":[`+op.items[1]+`]}`)
						return
					}
					extra := nextLink(op.next, tc.headers)
					if tc.body != "" {
						extra += `,"continuationToken":"` + tc.body + `"`
					}
					writeBody(w, 200, `{"totalCount":1,"items":[`+op.items[0]+`]`+extra+`}`)
				})
				ids, err := op.list(newRetryClient(t, srv.URL, nil, policy.RetryOptions{}, nil))
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) != 2 || len(rec.headers) != 2 {
					t.Fatalf("ids %q in %d requests, want both pages in 2", ids, len(rec.headers))
				}
				for i, want := range []string{"", tc.want} {
					if got := rec.headers[i].Values("MS-ContinuationToken"); strings.Join(got, ",") != want {
						t.Errorf("request %d MS-ContinuationToken %q, want %q", i+1, got, want)
					}
					if !strings.HasPrefix(rec.paths[i], op.path) {
						t.Errorf("request %d %s, want %s", i+1, rec.paths[i], op.path)
					}
				}
			})
		}
	}
}
