// Command server is the whole-process benchmark's stand-in for Partner
// Center (see bench/README.md): the documented example for one customer,
// a 100,000-batch collection (~27.5 MB, one page) for another, a batch of
// 100,000 devices in pages of 100 linked by continuation tokens, and the
// partner's 20,000 customers in pages of 500 (GET /v1/customers). Bodies
// are built once at start, so the server costs the same for every client.
// It prints its base URL on stdout and serves until killed.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/partnercenter-go/devicebatches/internal/fixtures"
)

// Customers the server knows.
const (
	SmallCustomer = "47021739-3426-40bf-9601-61b4b6d7c793" // the documented example
	LargeCustomer = "00000000-0000-4000-8000-000000100000" // 100,000 batches
)

func main() {
	batches := flag.Int("batches", 100_000, "batches of the large customer")
	devices := flag.Int("devices", 100_000, "devices of every batch of the large customer")
	pageSize := flag.Int("page", 100, "devices per page")
	customers := flag.Int("customers", 20_000, "customers of the partner")
	customerPage := flag.Int("customer-page", 500, "customers per page (the only size served; Partner Center's default and maximum)")
	flag.Parse()
	if *pageSize < 1 || *customerPage < 1 {
		log.Fatal("server: -page and -customer-page must be at least 1")
	}

	large := batchCollection(*batches)
	pages := devicePages(*devices, *pageSize)
	custPages, custTokens := customerPages(*customers, *customerPage)
	mux := http.NewServeMux()
	// GET /v1/customers as Partner Center pages it: the first page without a
	// token, each next one with seekOperation=Next in the query and the
	// MS-ContinuationToken header that links.next named.
	mux.HandleFunc("GET /v1/customers", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if v := q.Get("size"); v != "" && v != strconv.Itoa(*customerPage) {
			http.Error(w, `{"code":400,"description":"this server serves size=`+strconv.Itoa(*customerPage)+` only"}`, http.StatusBadRequest)
			return
		}
		tok := r.Header.Get("MS-ContinuationToken")
		if (q.Get("seekOperation") == "Next") != (tok != "") {
			http.Error(w, `{"code":400,"description":"seekOperation=Next and MS-ContinuationToken go together"}`, http.StatusBadRequest)
			return
		}
		page := 0
		if tok != "" {
			var ok bool
			if page, ok = custTokens[tok]; !ok {
				http.Error(w, `{"code":400,"description":"bad continuation token"}`, http.StatusBadRequest)
				return
			}
		}
		send(w, r, custPages[page])
	})
	mux.HandleFunc("GET /v1/customers/{customer}/deviceBatches", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("customer") {
		case SmallCustomer:
			send(w, r, fixtures.DeviceBatches)
		case LargeCustomer:
			send(w, r, large)
		default:
			http.NotFound(w, r)
		}
	})
	mux.HandleFunc("GET /v1/customers/{customer}/deviceBatches/{batch}/devices", func(w http.ResponseWriter, r *http.Request) {
		page := 0
		if t := r.Header.Get("MS-ContinuationToken"); t != "" {
			var err error
			if page, err = strconv.Atoi(t); err != nil || page < 0 || page >= len(pages) {
				http.Error(w, `{"code":600,"description":"bad continuation token"}`, http.StatusBadRequest)
				return
			}
		}
		send(w, r, pages[page])
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, mux))
}

func send(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get("Authorization") == "" {
		http.Error(w, `{"code":401,"description":"no token"}`, http.StatusUnauthorized)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
	h.Set("MS-RequestId", r.Header.Get("MS-RequestId"))
	w.Write(body)
}

// batchCollection is wrapper/bench_test.go's generated collection: n
// batches of ~275 bytes.
func batchCollection(n int) []byte {
	b := fmt.Appendf(nil, `{"totalCount":%d,"items":[`, n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"id":"batch %07d","status":"finished","createdBy":"partner@contoso.com","creationDate":"2017-07-25T01:51:00","devicesCount":%d,"devicesLink":{"uri":"/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/batch %07d/devices","method":"GET","headers":[]},"attributes":{"objectType":"DeviceBatch"}}`, i, i%100, i)
	}
	return append(b, `],"attributes":{"objectType":"Collection"}}`...)
}

// devicePages are the pages of n devices, each page linking the next with
// links.next and an MS-ContinuationToken header, as Partner Center does.
func devicePages(n, size int) [][]byte {
	var pages [][]byte
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		b := fmt.Appendf(nil, `{"totalCount":%d,"items":[`, end-start)
		for i := start; i < end; i++ {
			if i > start {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"id":"%08x-0000-4000-8000-000000000000","serialNumber":"SN-%07d","productKey":"","hardwareHash":"T0FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB","modelName":"HP Z420 Workstation","oemManufacturerName":"Hewlett-Packard","policies":[{"key":"o_o_b_e","value":null}],"uploadedBy":"partner@contoso.com","uploadedDate":"2017-08-09T14:43:26.0092288-07:00","allowedOperations":["GET","PATCH","DELETE"],"attributes":{"objectType":"Device"}}`, i, i)
		}
		b = append(b, ']')
		if end < n {
			tok := strconv.Itoa(len(pages) + 1)
			b = fmt.Appendf(b, `,"continuationToken":%q,"links":{"next":{"uri":"/customers/%s/deviceBatches/batch/devices","method":"GET","headers":[{"key":"MS-ContinuationToken","value":%q}]}}`, tok, LargeCustomer, tok)
		}
		pages = append(pages, append(b, `,"attributes":{"objectType":"Collection"}}`...))
	}
	return pages
}

// customerPages are the pages of n customers, size to a page, each item
// shaped like the documented customer (internal/fixtures/customers.json),
// and the page each continuation token asks for. As on Partner Center,
// links.next's uri carries /v1 and seekOperation=Next, and its headers the
// MS-ContinuationToken: opaque, with '+', ':', '~', '#', ',', '/' and '=',
// so it only works as a header.
func customerPages(n, size int) ([][]byte, map[string]int) {
	var pages [][]byte
	tokens := map[string]int{}
	for start := 0; start < n || start == 0; start += size {
		end := min(start+size, n)
		b := fmt.Appendf(nil, `{"totalCount":%d,"items":[`, end-start)
		for i := start; i < end; i++ {
			if i > start {
				b = append(b, ',')
			}
			id := fmt.Sprintf("%08x-7d2e-4b8a-9c61-%012x", i, i)
			b = fmt.Appendf(b, `{"id":"%s","companyProfile":{"tenantId":"%s","domain":"contoso%05d.onmicrosoft.com","companyName":"Contoso %05d","attributes":{"objectType":"CustomerCompanyProfile"}},"relationshipToPartner":"reseller","allowDelegatedAccess":true,"links":{"self":{"uri":"/customers/%s","method":"GET","headers":[]}},"attributes":{"objectType":"Customer"}}`, id, id, i, i, id)
		}
		b = fmt.Appendf(b, `],"links":{"self":{"uri":"/customers?size=%d","method":"GET","headers":[]}`, size)
		if end < n {
			tok := fmt.Sprintf("+RID:~%s#RT:1#TRC:%d,/AAEAAAAAAAAABQ==", base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint64(nil, uint64(end))), end)
			tokens[tok] = len(pages) + 1
			b = fmt.Appendf(b, `,"next":{"uri":"/v1/customers?size=%d&seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":%q}]}},"continuationToken":%q`, size, tok, tok)
		} else {
			b = append(b, '}')
		}
		pages = append(pages, append(b, `,"attributes":{"objectType":"Collection"}}`...))
	}
	return pages, tokens
}
