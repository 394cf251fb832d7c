package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestTableBound: -o table holds every row to align the columns, so a
// listing past maxTableRows rows fails with one line pointing to the
// streaming formats, printing nothing, instead of growing without bound;
// -o jsonl prints the same listing.
func TestTableBound(t *testing.T) {
	t.Parallel()
	const perPage = 200_000
	pages := maxTableRows/perPage + 1
	page := func(n int) string {
		var b strings.Builder
		fmt.Fprintf(&b, `{"totalCount":%d,"items":[`, perPage)
		for i := range perPage {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"x"}`)
		}
		b.WriteString("]")
		if n+1 < pages {
			fmt.Fprintf(&b, `,"continuationToken":"t%d"`, n+1)
		}
		b.WriteString("}")
		return b.String()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 0
		fmt.Sscanf(r.Header.Get("MS-ContinuationToken"), "t%d", &n)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, page(n))
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}

	code, stdout, stderr := runCLI(t, env, "list", "--customer", documentedCustomer)
	if code != exitFailure || stdout != "" {
		t.Fatalf("-o table: exit %d, %d bytes printed; want exit %d and nothing printed", code, len(stdout), exitFailure)
	}
	if want := fmt.Sprintf("more than %d rows: use -o jsonl or -o csv", maxTableRows); !strings.Contains(stderr, want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stderr %q, want one line saying %q", stderr, want)
	}
	code, stdout, stderr = runCLI(t, env, "list", "--customer", documentedCustomer, "-o", "jsonl")
	if code != exitOK || strings.Count(stdout, "\n") != pages*perPage {
		t.Errorf("-o jsonl: exit %d, %d lines, %q; want all %d", code, strings.Count(stdout, "\n"), stderr, pages*perPage)
	}
}

// TestTableRowsTooLarge: the bound counts rows (not the header) and bytes
// held, text and line ends.
func TestTableRowsTooLarge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rows     []string
		maxRows  int
		maxBytes int
		want     string
	}{
		{"at the row limit", []string{"a\tb", "c\td"}, 2, 1 << 20, ""},
		{"past the row limit", []string{"a\tb", "c\td", "e\tf"}, 2, 1 << 20, "more than 2 rows"},
		{"past the byte limit", []string{strings.Repeat("a", 1<<20) + "\tb"}, 2, 1 << 20, "more than 1 MiB of rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := newTableRows()
			rows.maxRows, rows.maxBytes = tc.maxRows, tc.maxBytes
			rows.add("H1\tH2")
			for _, r := range tc.rows {
				rows.add(r)
			}
			err := rows.tooLarge()
			if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("tooLarge() = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestFanOutTableBoundedAsItComes: a fan-out's -o table checks its bound
// as each customer's rows come, so a table too large to hold stops the
// fan-out there, not after every customer was fetched and held.
func TestFanOutTableBoundedAsItComes(t *testing.T) {
	var out bytes.Buffer
	o := newFanOutWriter(&out, listFlags{output: "table"})
	o.rows.maxRows = 3
	batches := []wrapper.DeviceBatch{{Id: "a"}, {Id: "b"}}
	var err error
	added := 0
	for i := range 10 {
		if err = o.add(wrapper.CustomerResult{Index: i, CustomerID: fmt.Sprint("c", i), Batches: batches}); err != nil {
			break
		}
		added++
	}
	if added != 1 || err == nil || !strings.Contains(err.Error(), "more than 3 rows") {
		t.Errorf("%d customers taken before the error %v; want the second customer's rows to pass the bound of 3", added, err)
	}
	if o.end() == nil || out.Len() != 0 {
		t.Errorf("end() must fail and print nothing; printed %q", out.String())
	}
}
