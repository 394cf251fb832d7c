package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// repeatingCustomersServer lists customers a and b on page 1 of
// /v1/customers and a again (in capitals) with c on page 2, counting the
// batch listings of each customer.
func repeatingCustomersServer(t *testing.T, a, b, c string, fetches map[string]*atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v1/customers" && r.Header.Get("MS-ContinuationToken") == "":
			w.Write([]byte(`{"totalCount":2,"items":[{"id":"` + a + `"},{"id":"` + b + `"}],"links":{"next":{"uri":"/v1/customers?size=500&seekOperation=Next","headers":[{"key":"MS-ContinuationToken","value":"t,/="}]}}}`))
		case r.URL.Path == "/v1/customers":
			w.Write([]byte(`{"totalCount":2,"items":[{"id":"` + strings.ToUpper(a) + `"},{"id":"` + c + `"}]}`))
		default:
			for id, n := range fetches {
				if strings.Contains(strings.ToLower(r.URL.Path), id) {
					n.Add(1)
				}
			}
			w.Write([]byte(batchBody))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAllCustomersSkipsRepeats: a customer the service lists on two pages
// of /v1/customers is fetched, printed and counted once, and stderr says
// once how many repeats were skipped.
func TestAllCustomersSkipsRepeats(t *testing.T) {
	const a, b, c = "47021739-3426-40bf-9601-61b4b6d7c793", "de894e18-f027-4ac0-8b5a-34f0c222af0c", "9c3c3a32-1d1b-4e0f-a3e1-0f4c2c6d8b2a"
	fetches := map[string]*atomic.Int32{a: {}, b: {}, c: {}}
	srv := repeatingCustomersServer(t, a, b, c, fetches)
	code, out, errOut := runCLIStdin(t, "", "list", "--all-customers", "--base-url", srv.URL, "-o", "jsonl")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if n := strings.Count(out, `"customerId":"`+a+`"`); n != 1 || strings.Count(out, "\n") != 3 {
		t.Errorf("customer %s printed %d times, want once:\n%s", a, n, out)
	}
	for id, n := range fetches {
		if n.Load() != 1 {
			t.Errorf("customer %s fetched %d times, want once", id, n.Load())
		}
	}
	if !strings.Contains(errOut, "devicebatches: 3 customers: 3 with batches") {
		t.Errorf("summary does not count 3 customers:\n%s", errOut)
	}
	if strings.Count(errOut, "skipped 1 repeats in the customer listing (the first: customer "+a+")") != 1 {
		t.Errorf("stderr does not say once that a repeat was skipped:\n%s", errOut)
	}
}

// TestCustomersFileSkipsRepeats: what customers -o csv writes for a
// listing that repeats a customer is read by --customers-file: the repeat
// is skipped with one warning naming file:line, and the customer fetched
// once. A repeated device id in --devices-file is still refused: the
// PATCH would carry it twice.
func TestCustomersFileSkipsRepeats(t *testing.T) {
	const a, b, c = "47021739-3426-40bf-9601-61b4b6d7c793", "de894e18-f027-4ac0-8b5a-34f0c222af0c", "9c3c3a32-1d1b-4e0f-a3e1-0f4c2c6d8b2a"
	fetches := map[string]*atomic.Int32{a: {}, b: {}, c: {}}
	srv := repeatingCustomersServer(t, a, b, c, fetches)
	code, csvOut, errOut := runCLIStdin(t, "", "customers", "--base-url", srv.URL, "-o", "csv")
	if code != exitOK || strings.Count(csvOut, a) != 2 {
		t.Fatalf("customers -o csv: exit %d, stderr %q; want the repeat written as sent:\n%s", code, errOut, csvOut)
	}
	code, out, errOut := runCLIStdin(t, csvOut+b+"\n", "list", "--customers-file", "-", "--base-url", srv.URL, "-o", "jsonl")
	if code != exitOK {
		t.Fatalf("--customers-file: exit %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n") != 3 {
		t.Errorf("want each of 3 customers once:\n%s", out)
	}
	for id, n := range fetches {
		if n.Load() != 1 {
			t.Errorf("customer %s fetched %d times, want once", id, n.Load())
		}
	}
	want := "devicebatches: stdin:4: customer " + a + " repeats line 2: skipped (2 repeated lines skipped in all)\n"
	if strings.Count(errOut, "repeats line") != 1 || !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks one warning %q:\n%s", want, errOut)
	}

	const dev = "7c141ea9-2816-4e15-a819-53f6856499ff"
	code, _, errOut = runCLIStdin(t, dev+"\n"+dev+"\n", "assign-profile", "--base-url", srv.URL, "--customer", a, "--profile", "P", "--devices-file", "-")
	if code != exitUsage || !strings.Contains(errOut, "stdin:2: device "+dev+" repeats line 1: give each device once") {
		t.Errorf("--devices-file with a repeat: exit %d, stderr %q; want 2 and the repeat refused", code, errOut)
	}
}
