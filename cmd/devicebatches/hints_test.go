package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/wrapper"
)

// TestPropertyOfAnotherTypeOutput: a batch whose devicesCount came as a
// string (the sandbox's wrong-type drift, or a service that sends one) is
// printed as sent by -o json, -o jsonl and --jq; -o table and -o csv stop
// with one line naming the item and the property, and saying which
// formats print it. --all-customers needs only each customer's id, so a
// customer with a property of another type does not stop it.
func TestPropertyOfAnotherTypeOutput(t *testing.T) {
	t.Parallel()
	body := `{"totalCount":2,"items":[{"id":"a","status":"finished","devicesCount":"5"},{"id":"b","devicesCount":1}]}`
	customers := `{"totalCount":1,"items":[{"ID":"` + strings.ToUpper(docCustomer) + `","companyProfile":{"companyName":5}}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v1/customers" {
			w.Write([]byte(customers))
			return
		}
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
		{"all customers, json", []string{"--all-customers", "-o", "json"}, exitOK, `"customerId": "` + docCustomer + `",` + "\n" + `    "id": "a"`, nil},
		{"all customers, csv", []string{"--all-customers", "-o", "csv"}, exitFailure, "", []string{`items[0].devicesCount is "5" as sent`, "-o json and -o jsonl print the items as sent"}},
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

// TestPropertyHintOnlyForTypedFormats: only -o table and -o csv stop at a
// property the model cannot hold, so only they are pointed at -o json.
func TestPropertyHintOnlyForTypedFormats(t *testing.T) {
	t.Parallel()
	err := &wrapper.DecodeError{Err: &wrapper.PropertyError{Property: "devicesCount", Sent: `"5"`, Err: errors.New("not a number")}}
	for format, hint := range map[string]bool{"table": true, "csv": true, "json": false, "jsonl": false, "": false} {
		if got := strings.Contains(cliHints(err, format).Error(), "print the items as sent"); got != hint {
			t.Errorf("-o %q: hint %v, want %v", format, got, hint)
		}
	}
}

// TestWriteRefusalsGetTheCommandLinesAdvice: the library's messages name
// no flags or commands of this CLI; the CLI adds its own: --auth for a
// refused App+User operation, 'devicebatches devices' for an accepted
// request whose status cannot be followed.
func TestWriteRefusalsGetTheCommandLinesAdvice(t *testing.T) {
	t.Parallel()
	const profile = "019bb3f6-3a5e-4b2b-a15f-4c1e4c1b3a0e"
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter) // to the POST or PATCH
		args   []string
		want   []string
	}{
		{"create refused", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"code":900,"description":"Access denied","source":"PartnerFD"}`))
		}, []string{"upload", "--batch", "new batch", "--csv", sampleCSV},
			[]string{"needs an App+User (delegated) token, and Partner Center refused this one", "an app-only token, or a user without a Partner Center role or GDAP access",
				"; if the token is app-only, sign in as a user with --auth device-code, --auth browser or --auth cli"}},
		{"upload accepted, no status link", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) },
			[]string{"upload", "--batch", "new batch", "--csv", sampleCSV},
			[]string{"do not send the request again: list the batch's devices (ListDevices) to see its outcome",
				`; see the batch's devices with: devicebatches devices --customer ` + docCustomer + ` --batch "new batch"`}},
		{"assignment accepted, no status link", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) },
			[]string{"assign-profile", "--profile", profile, "--device", "7c141ea9-2816-4e15-a819-53f6856499ff"},
			[]string{"(ListDevices) and check their profiles", "; check the devices' profiles (their policies) with: devicebatches devices --customer " + docCustomer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet { // the customer's batches: none
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`{"totalCount":0,"items":[]}`))
					return
				}
				tt.answer(w)
			}))
			defer srv.Close()
			env := map[string]string{"PARTNER_CENTER_TOKEN": "t", "PARTNER_CENTER_BASE_URL": srv.URL}
			code, out, errOut := runApp(t, env, "", nil, append(tt.args, "--customer", docCustomer)...)
			if code != exitFailure {
				t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr %q lacks %q", errOut, want)
				}
			}
			last := errOut[strings.LastIndex(strings.TrimSuffix(errOut, "\n"), "\n")+1:]
			if !strings.HasPrefix(last, "devicebatches: ") || strings.Count(last, "--auth") > 3 || strings.Count(last, "devicebatches devices") > 1 {
				t.Errorf("the error line %q: want one line, each piece of advice once", last)
			}
		})
	}
}
