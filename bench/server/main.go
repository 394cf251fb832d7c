// Command server is the whole-process benchmark's stand-in for Partner
// Center (see bench/README.md): the documented example for one customer,
// a 100,000-batch collection (~27.5 MB, one page) for another, and a batch
// of 100,000 devices in pages of 100 linked by continuation tokens. Bodies
// are built once at start, so the server costs the same for every client.
// It prints its base URL on stdout and serves until killed.
package main

import (
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
	flag.Parse()

	large := batchCollection(*batches)
	pages := devicePages(*devices, *pageSize)
	mux := http.NewServeMux()
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
