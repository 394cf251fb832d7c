package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
)

// hostileToken is the token the CLI is given; hostile servers echo it.
const hostileToken = "cli-token-4d2a9e-do-not-print"

// terminalEscapes are bytes a server must never get to a terminal: ESC
// (CSI and OSC sequences), BEL (ends an OSC title) and a bidi override.
const terminalEscapes = "\x1b\x07\u202e"

// trackingServer accepts every upload and assignment with the Location
// location(token) and lists no batch.
func trackingServer(t *testing.T, location func(token string) string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodGet:
			_, _ = w.Write([]byte(`{"totalCount":0,"items":[]}`))
		default:
			w.Header().Set("Location", location(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")))
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileTrackingID: a server that answers an upload or an assignment
// with a Location whose tracking id is the bearer token it received, or
// holds terminal escape sequences, gets neither printed (on stdout, in
// -o json, in the --wait lines or the "see it later" hint): the command
// fails saying the request was accepted.
func TestHostileTrackingID(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PARTNER_CENTER_TOKEN": hostileToken}
	for _, server := range []struct {
		name     string
		location func(token string) string
	}{
		{"token as the tracking id", func(tok string) string { return "/customers/" + docCustomer + "/batchJobStatus/" + tok }},
		{"escape sequences in the tracking id", func(string) string {
			return "/customers/" + docCustomer + "/batchJobStatus/%1B%5D0%3BPWNED%07%1B%5B2J%E2%80%AEt1"
		}},
	} {
		for _, cmd := range []struct {
			name string
			args []string
		}{
			{"upload", []string{"upload", "--customer", docCustomer, "--batch", "B", "--csv", sampleCSV}},
			{"upload -o json", []string{"upload", "--customer", docCustomer, "--batch", "B", "--csv", sampleCSV, "-o", "json"}},
			{"upload --wait", []string{"upload", "--customer", docCustomer, "--batch", "B", "--csv", sampleCSV, "--wait", "--timeout", "10s"}},
			{"assign-profile", []string{"assign-profile", "--customer", docCustomer, "--profile", "P", "--device", "D"}},
			{"assign-profile --wait", []string{"assign-profile", "--customer", docCustomer, "--profile", "P", "--device", "D", "--wait", "--timeout", "10s"}},
		} {
			t.Run(server.name+"/"+cmd.name, func(t *testing.T) {
				t.Parallel()
				srv := trackingServer(t, server.location)
				opts := []appOption{withTransport(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}), withTerminal(func(any) bool { return true })}
				code, out, errOut := runApp(t, env, "", opts, append(cmd.args, "--base-url", srv.URL)...)
				if code != exitFailure {
					t.Errorf("exit %d, want %d", code, exitFailure)
				}
				if out != "" {
					t.Errorf("stdout %q, want nothing: there is no tracking id to print", out)
				}
				if !strings.Contains(errOut, "accepted") {
					t.Errorf("stderr does not say the request was accepted: %q", errOut)
				}
				for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
					if strings.Contains(s, hostileToken) || strings.Contains(s, hostileToken[:8]) {
						t.Errorf("the token reached %s: %q", name, s)
					}
					if strings.ContainsAny(s, terminalEscapes) {
						t.Errorf("a terminal escape reached %s: %q", name, s)
					}
				}
			})
		}
	}
}

// TestHostileStatusIsEscaped: an upload status whose status holds
// terminal escape sequences or controls (sent JSON-escaped, so it
// decodes) is shown escaped on the --wait progress line, in the "not
// final yet" line (a status that is "processing" once trimmed of
// Unicode spaces, NEL and CR among them) and in the table.
func TestHostileStatusIsEscaped(t *testing.T) {
	env := map[string]string{"PARTNER_CENTER_TOKEN": hostileToken}
	for _, tc := range []struct {
		name, status string // status as JSON text
		args         []string
		want         string // on stderr
		forbidden    string // on stdout and stderr (but our own line drawing)
	}{
		{"--wait progress", `\u001b]0;OWNED\u0007\u001b[2J\u202efinished`, []string{"--wait", "--timeout", "10s"},
			`\x1b]0;OWNED\x07\x1b[2J\u202efinished: 0/1 devices done`, terminalEscapes},
		{"not final yet", `\r\u0085processing\u2028`, []string{"--wait=false"},
			// One line: the line breaks around the status are folded away.
			`the status is processing, not final yet`, terminalEscapes + "\r\u0085\u2028"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"batchTrackingId":"t1","status":"` + tc.status + `","devicesStatus":[{"serialNumber":"S1","status":"in-progress"}]}`))
			}))
			t.Cleanup(srv.Close)
			synctest.Test(t, func(t *testing.T) {
				opts := []appOption{withTransport(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}), withTerminal(func(any) bool { return true })}
				args := append([]string{"status", "--base-url", srv.URL, "--customer", docCustomer, "--tracking", "t1"}, tc.args...)
				_, out, errOut := runApp(t, env, "", opts, args...)
				if !strings.Contains(errOut, tc.want) {
					t.Errorf("stderr lacks %q: %q", tc.want, errOut)
				}
				drawn := errOut
				if tc.name == "--wait progress" {
					// Our own line drawing: "\r" before, "\x1b[K" after.
					drawn = strings.NewReplacer("\r", "", "\x1b[K", "").Replace(errOut)
				}
				for name, s := range map[string]string{"stdout": out, "stderr": drawn} {
					if strings.ContainsAny(s, tc.forbidden) {
						t.Errorf("a terminal control reached %s: %q", name, s)
					}
				}
			})
		})
	}
}
