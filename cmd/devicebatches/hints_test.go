package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPropertyOfAnotherTypeOutput: a batch whose devicesCount came as a
// string (the sandbox's wrong-type drift, or a service that sends one) is
// printed as sent by -o json, -o jsonl and --jq; -o table and -o csv stop
// with one line naming the item and the property, and saying which
// formats print it.
func TestPropertyOfAnotherTypeOutput(t *testing.T) {
	t.Parallel()
	body := `{"totalCount":2,"items":[{"id":"a","status":"finished","devicesCount":"5"},{"id":"b","devicesCount":1}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close) // after the parallel subtests
	env := map[string]string{"PARTNER_CENTER_TOKEN": "t", "PARTNER_CENTER_BASE_URL": srv.URL}
	one := []string{"--customer", docCustomer}
	tests := []struct {
		name string
		args []string
		code int
		out  string // on stdout
		err  []string
	}{
		{"json", append(one, "-o", "json"), exitOK, `"devicesCount": "5"`, nil},
		{"jsonl", append(one, "-o", "jsonl"), exitOK, `{"id":"a","status":"finished","devicesCount":"5"}` + "\n", nil},
		{"jq", append(one, "--jq", ".[0].devicesCount"), exitOK, "5\n", nil},
		{"sandbox drift, jsonl", append(one, "--sandbox", "--sandbox-drift", "wrong-type", "-o", "jsonl"), exitOK, `"devicesCount":"`, nil},
		{"table", one, exitFailure, "", []string{`items[0].devicesCount is "5" as sent, which the model cannot read`, "; -o json and -o jsonl print the items as sent"}},
		{"csv", append(one, "-o", "csv"), exitFailure, "", []string{`items[0].devicesCount is "5" as sent`, "-o json and -o jsonl print the items as sent"}},
		{"many customers, csv", []string{"--customers-file", writeFile(t, docCustomer+"\n"), "-o", "csv"}, exitFailure, "", []string{`items[0].devicesCount is "5" as sent`, "-o json and -o jsonl print the items as sent"}},
		{"many customers, jsonl", []string{"--customers-file", writeFile(t, docCustomer+"\n"), "-o", "jsonl"}, exitOK, `"devicesCount":"5"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runApp(t, env, "", nil, append([]string{"list"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Fatalf("exit %d, want %d; stdout %q, want %q\nstderr: %s", code, tt.code, out, tt.out, errOut)
			}
			// One line says it all (a fan-out adds its summary lines).
			var line string
			for _, l := range strings.Split(errOut, "\n") {
				if strings.Contains(l, "devicesCount") {
					line = l
				}
			}
			for _, want := range tt.err {
				if !strings.Contains(line, want) {
					t.Errorf("the error line %q lacks %q\nstderr: %s", line, want, errOut)
				}
			}
		})
	}
}
