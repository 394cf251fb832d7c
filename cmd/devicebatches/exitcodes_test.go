package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// untouched is a server that fails the test if a request reaches it: usage
// errors are reported before any I/O.
func untouched(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		w.WriteHeader(500)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUsageExitCodes(t *testing.T) {
	t.Parallel()
	srv := untouched(t)
	tokenEnv := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"unknown command", tokenEnv, []string{"lsit"}, []string{`unknown command "lsit"`}},
		{"unknown flag", tokenEnv, []string{"list", "--customr", testCustomer}, []string{"unknown flag: --customr"}},
		{"stray argument", tokenEnv, []string{"devices", "--customer", testCustomer, "--batch", "Test", "batch"}, []string{`unexpected argument "batch"`, `--batch "Test batch"`}},
		{"stray argument to list", tokenEnv, []string{"list", testCustomer}, []string{"unexpected argument", "takes only flags"}},
		{"rate zero", tokenEnv, []string{"list", "--customers-file", "-", "--rate", "0"}, []string{"--rate must be a positive number"}},
		{"rate negative", tokenEnv, []string{"list", "--customers-file", "-", "--rate", "-1"}, []string{"--rate must be a positive number"}},
		{"rate NaN", tokenEnv, []string{"list", "--customers-file", "-", "--rate", "NaN"}, []string{"--rate must be a finite number"}},
		{"rate Inf", tokenEnv, []string{"list", "--customers-file", "-", "--rate", "+Inf"}, []string{"--rate must be a finite number"}},
		{"rate too small", tokenEnv, []string{"list", "--customers-file", "-", "--rate", "1e-12"}, []string{"--rate 1e-12 is too small"}},
		{"try timeout negative", tokenEnv, []string{"list", "--customer", testCustomer, "--try-timeout", "-1s"}, []string{"--try-timeout must be 0 (no bound on a try) or positive"}},
		{"device code without tenant", map[string]string{"PARTNER_CENTER_BASE_URL": srv.URL}, []string{"list", "--customer", testCustomer, "--auth", "device-code", "--client-id", "x"}, []string{"--auth device-code needs the partner tenant", "--tenant"}},
		// TestMain limits the default chain to the environment credential,
		// so nothing here probes managed identity or a signed-in CLI.
		{"missing credentials", map[string]string{"PARTNER_CENTER_BASE_URL": srv.URL}, []string{"list", "--customer", testCustomer}, []string{"no credentials found", "PARTNER_CENTER_TOKEN", "--auth env", "AZURE_CLIENT_SECRET", "--auth cli", "--auth device-code", "--auth managed-identity", "--sandbox"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, tc.env, tc.args...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q, want %d and nothing; stderr:\n%s", code, out, exitUsage, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
		})
	}
}

// TestRateAccepted: a valid --rate is not refused.
func TestRateAccepted(t *testing.T) {
	for _, r := range []string{"5", "0.5", "1e-6"} {
		if err := checkRate(mustFloat(t, r), true); err != nil {
			t.Errorf("--rate %s: %v", r, err)
		}
	}
	if err := checkRate(0, false); err != nil {
		t.Errorf("--rate left out: %v", err)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSignalExitCodes: a command stopped by SIGINT exits 130 and by
// SIGTERM 143, saying it was interrupted, not that --timeout passed.
func TestSignalExitCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		say  string
	}{{syscall.SIGINT, exitInterrupted, "interrupted by SIGINT"}, {syscall.SIGTERM, exitTerminated, "interrupted by SIGTERM"}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			arrived := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				<-r.Context().Done()
			}))
			defer srv.Close()
			ctx, cancel := context.WithCancelCause(context.Background())
			go func() { <-arrived; cancel(signalCause{tc.sig}) }()
			var out, errb bytes.Buffer
			code := run(ctx, []string{"list", "--customer", testCustomer, "--base-url", srv.URL}, streams{in: strings.NewReader(""), out: &out, err: &errb},
				envFrom(map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}))
			if code != tc.code || !strings.Contains(errb.String(), tc.say) || strings.Contains(errb.String(), "--timeout") {
				t.Errorf("exit %d, stderr %q; want %d saying %q", code, errb.String(), tc.code, tc.say)
			}
		})
	}
}

type panicTransport struct{}

func (panicTransport) Do(*http.Request) (*http.Response, error) { panic("boom") }

// TestCrashIsNotUsage: a panic exits 70 (EX_SOFTWARE), never 2.
func TestCrashIsNotUsage(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	code := newApp(streams{in: strings.NewReader(""), out: &out, err: &errb}, envFrom(map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}), withTransport(panicTransport{})).
		execute(context.Background(), []string{"list", "--customer", testCustomer})
	if code != exitSoftware || !strings.Contains(errb.String(), "internal error") || !strings.Contains(errb.String(), "boom") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestTryTimeoutRetriesStalledTry: one stalled try is cut at --try-timeout
// and retried, well within --timeout.
func TestTryTimeoutRetriesStalledTry(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done() // stalls until the client gives up on the try
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, documentedExample)
	}))
	defer srv.Close()
	code, out, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "list", "--customer", testCustomer, "--base-url", srv.URL, "--try-timeout", "100ms", "--timeout", "1m")
	if code != exitOK || n.Load() != 2 || !strings.Contains(out, "Test batch") {
		t.Errorf("exit %d after %d requests; stdout %q stderr %q", code, n.Load(), out, errOut)
	}
}

// TestErrorLineEscapesTerminalControls: a description with escape
// sequences and bidi overrides reaches stderr escaped, on one bounded line,
// and a batch id with them is escaped in the table.
func TestErrorLineEscapesTerminalControls(t *testing.T) {
	t.Parallel()
	desc := "bad\u001b[2J\u202eevil\u2066" + strings.Repeat("x", 5000)
	quoted, _ := json.Marshal(desc)
	srv := newExampleServer(t, 400, fmt.Sprintf(`{"code":400,"description":%s}`, quoted))
	code, _, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "--max-retries", "0", "list", "--customer", testCustomer, "--base-url", srv.URL)
	if code != exitFailure || strings.ContainsAny(errOut, "\x1b\u202e\u2066") || !strings.Contains(errOut, `bad\x1b[2J\u202eevil\u2066`) ||
		!strings.Contains(errOut, "(truncated)") || strings.Count(errOut, "\n") != 1 || len(errOut) > 4<<10+64 {
		t.Errorf("exit %d, stderr (%d bytes) %.300q", code, len(errOut), errOut)
	}
	table := newExampleServer(t, 200, `{"items":[{"id":"a\u202eb\u2069c","status":"\u0007"}]}`)
	code, out, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "list", "--customer", testCustomer, "--base-url", table.URL)
	if code != exitOK || strings.ContainsAny(out, "\u202e\u2069\a") || !strings.Contains(out, `a\u202eb\u2069c`) {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestJSONKeepsNulls: -o json prints the service's items as sent, nulls
// included.
func TestJSONKeepsNulls(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, `{"items":[{"id":"d1","serialNumber":null,"policies":[{"key":"o_o_b_e","value":null}]}]}`)
	code, out, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "devices", "--customer", testCustomer, "--batch", "b", "--base-url", srv.URL, "-o", "json")
	if code != exitOK || !strings.Contains(out, `"serialNumber": null`) || !strings.Contains(out, `"value": null`) {
		t.Errorf("exit %d, stdout %s, stderr %s", code, out, errOut)
	}
}

// TestDebugSpellings: PARTNER_CENTER_DEBUG takes the usual true spellings.
func TestDebugSpellings(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, documentedExample)
	for v, on := range map[string]bool{"1": true, "true": true, "TRUE": true, "yes": true, " on ": true, "Y": true, "0": false, "false": false, "no": false, "off": false, "": false} {
		_, _, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_DEBUG": v}, "list", "--customer", testCustomer, "--base-url", srv.URL)
		if got := strings.Contains(errOut, "page=1 try=1"); got != on {
			t.Errorf("PARTNER_CENTER_DEBUG=%q: debug %v, want %v (%q)", v, got, on, errOut)
		}
	}
}

// TestTryTimeoutCutsAnswerMidBody: a 200 whose body stops after its first
// item is cut at --try-timeout; the error says the answer stopped arriving
// and names --try-timeout, not the JSON.
func TestTryTimeoutCutsAnswerMidBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"totalCount":2,"items":[{"id":"a"},`)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // and then nothing, until the client gives up
	}))
	defer srv.Close()
	code, _, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "list", "-o", "jsonl", "--customer", testCustomer, "--base-url", srv.URL, "--try-timeout", "100ms", "--timeout", "1m")
	for _, want := range []string{"--try-timeout 100ms", "answer stopped arriving", "MS-RequestId"} {
		if code != exitFailure || !strings.Contains(errOut, want) || strings.Contains(errOut, "Partner Center JSON") {
			t.Errorf("exit %d, stderr %q; want it to say %q and not blame the JSON", code, errOut, want)
		}
	}
}
