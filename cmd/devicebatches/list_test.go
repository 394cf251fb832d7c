package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/fixtures"
	"github.com/partnercenter-go/devicebatches/internal/version"
)

const (
	documentedCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"
	cliTestToken       = "cli-token-5e3b9a-never-print"
)

var documentedExample = string(fixtures.DeviceBatches)

// runCLI runs the command line in-process with env as its whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, streams{in: strings.NewReader(""), out: &out, err: &errb}, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// exampleServer serves the documented example and records request headers.
type exampleServer struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
	paths   []string
}

func newExampleServer(t *testing.T, status int, body string) *exampleServer {
	s := &exampleServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.headers = append(s.headers, r.Header.Clone())
		s.paths = append(s.paths, r.URL.EscapedPath())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("MS-CorrelationId", r.Header.Get("MS-CorrelationId"))
		w.Header().Set("MS-RequestId", r.Header.Get("MS-RequestId"))
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestListTableAndJSON(t *testing.T) {
	t.Parallel()
	srv := newExampleServer(t, 200, documentedExample)
	env := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken, "PARTNER_CENTER_BASE_URL": srv.URL}
	corr := "de894e18-f027-4ac0-8b5a-34f0c222af0c"

	code, out, errOut := runCLI(t, env, "list", "--customer", documentedCustomer, "--correlation-id", corr, "--locale", "fr-FR")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID ") || strings.Join(strings.Fields(lines[0]), " ") != "ID STATUS CREATED DEVICES" {
		t.Fatalf("table = %q", out)
	}
	if got := strings.Join(strings.Fields(lines[1][len("Test batch"):]), " "); !strings.HasPrefix(lines[1], "Test batch ") || got != "finished 2017-07-25T01:51:00 5" {
		t.Fatalf("row = %q", lines[1])
	}
	// Columns are aligned: every column starts at the same offset in both lines.
	for _, h := range []string{"STATUS", "CREATED", "DEVICES"} {
		i := strings.Index(lines[0], h)
		if i <= 0 || lines[1][i-1] != ' ' || lines[1][i] == ' ' {
			t.Errorf("column %s not aligned:\n%s\n%s", h, lines[0], lines[1])
		}
	}

	code, out, errOut = runCLI(t, env, "list", "--customer", documentedCustomer, "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	want := []map[string]any{{
		"id": "Test batch", "status": "finished", "creationDate": "2017-07-25T01:51:00", "devicesCount": float64(5),
		"devicesLink": map[string]any{"uri": "/customers/47021739-3426-40bf-9601-61b4b6d7c793/deviceBatches/Test batch/devices", "method": "GET", "headers": []any{}},
		"attributes":  map[string]any{"objectType": "DeviceBatch"},
	}}
	if fmt.Sprint(items) != fmt.Sprint(want) {
		t.Errorf("json = %v\nwant  %v", items, want)
	}

	// Every header on the wire, on both calls.
	if len(srv.headers) != 2 {
		t.Fatalf("%d requests", len(srv.headers))
	}
	for i, h := range srv.headers {
		if srv.paths[i] != "/v1/customers/"+documentedCustomer+"/deviceBatches" {
			t.Errorf("path %q", srv.paths[i])
		}
		if h.Get("Authorization") != "Bearer "+cliTestToken || h.Get("Accept") != "application/json" ||
			!strings.HasPrefix(h.Get("User-Agent"), "devicebatches-cli azsdk-go-devicebatches/") || len(h.Get("MS-RequestId")) != 36 || len(h.Get("MS-CorrelationId")) != 36 {
			t.Errorf("request %d headers: %v", i, h)
		}
	}
	if srv.headers[0].Get("MS-CorrelationId") != corr || srv.headers[0].Get("X-Locale") != "fr-FR" || srv.headers[1].Get("X-Locale") != "en-US" {
		t.Errorf("correlation/locale: %v", srv.headers)
	}
}

func TestListExitCodes(t *testing.T) {
	t.Parallel()
	failing := newExampleServer(t, 404, `{"code": 600, "description": "The customer was not found.", "data": [], "source": "PartnerFD"}`)
	ok := newExampleServer(t, 200, documentedExample)
	tokenEnv := map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr []string
	}{
		{"bad customer", tokenEnv, []string{"list", "--customer", "contoso", "--base-url", ok.URL}, 2, []string{`customer id "contoso" is not a GUID`}},
		{"missing customer", tokenEnv, []string{"list", "--base-url", ok.URL}, 2, []string{"--customer, --customers-file or --all-customers is required"}},
		{"unknown output", tokenEnv, []string{"list", "--customer", documentedCustomer, "-o", "yaml", "--base-url", ok.URL}, 2, []string{`unknown output format "yaml"`}},
		// Explicit --auth env: an empty environment would otherwise choose the
		// default chain, which probes the managed identity endpoint.
		{"missing credentials", map[string]string{}, []string{"--auth", "env", "list", "--customer", documentedCustomer, "--base-url", ok.URL}, 2, []string{"AZURE_TENANT_ID"}},
		{"unknown flag", tokenEnv, []string{"list", "--nope"}, 2, []string{"unknown flag: --nope"}},
		{"plain http remote", tokenEnv, []string{"list", "--customer", documentedCustomer, "--base-url", "http://example.com"}, 2, []string{"clear text"}},
		{"bad correlation id", tokenEnv, []string{"list", "--customer", documentedCustomer, "--base-url", ok.URL, "--correlation-id", "x"}, 2, []string{`correlation id "x" is not a GUID`}},
		{"service error", tokenEnv, []string{"list", "--customer", documentedCustomer, "--base-url", failing.URL}, 1,
			[]string{"HTTP 404 Not Found", "Partner Center error 600: The customer was not found.", "MS-RequestId: ", "MS-CorrelationId: "}},
		{"network error", tokenEnv, []string{"list", "--customer", documentedCustomer, "--base-url", "http://127.0.0.1:1", "--max-retries", "0"}, 1, []string{"connection refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, tc.env, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			first := strings.SplitN(errOut, "\n", 2)[0]
			for _, want := range tc.stderr {
				if !strings.Contains(first, want) {
					t.Errorf("first stderr line %q lacks %q", first, want)
				}
			}
			if strings.Contains(errOut, cliTestToken) {
				t.Errorf("token printed: %q", errOut)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, nil, "--version")
	if code != 0 || out != "devicebatches "+version.String()+"\n" {
		t.Fatalf("exit %d, out %q", code, out)
	}
}

func TestTableCellsEscapeControlCharacters(t *testing.T) {
	t.Parallel()
	body := `{"totalCount":1,"items":[{"id":"evil\u001b[31m\tbatch\nx","status":"finished"}]}`
	srv := newExampleServer(t, 200, body)
	code, out, errOut := runCLI(t, map[string]string{"PARTNER_CENTER_TOKEN": cliTestToken}, "list", "--customer", documentedCustomer, "--base-url", srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.ContainsAny(out, "\x1b\t") || strings.Count(out, "\n") != 2 || !strings.Contains(out, `evil\x1b[31m\tbatch\nx`) {
		t.Fatalf("table not escaped: %q", out)
	}
}
