package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
