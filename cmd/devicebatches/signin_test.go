package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/testidp"
)

// TestFanOutSignsInOnce: a fan-out gets its token before the first
// customer (signIn); the requests that follow use that token instead of
// asking the credential again, which for the device code flow meant a
// second prompt (azidentity keeps its CAE and non-CAE caches apart) and
// for AzureCLICredential a second run of az.
func TestFanOutSignsInOnce(t *testing.T) {
	t.Parallel()
	p := testidp.New(t)
	srv := newAPI(t)
	f := filepath.Join(t.TempDir(), "ids.txt")
	if err := os.WriteFile(f, []byte(testCustomer+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AZURE_AUTHORITY_HOST": p.URL, "PARTNER_CENTER_BASE_URL": srv.srv.URL}
	var out, errb bytes.Buffer
	a := newApp(streams{out: &out, err: &errb}, envFrom(env), withCredentialTransport(p.Client()))
	code := a.execute(t.Context(), []string{"--auth", "device-code", "--tenant", testTenant, "--client-id", testClientID,
		"--disable-instance-discovery", "list", "--customers-file", f, "-o", "jsonl"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if n := strings.Count(errb.String(), testidp.DeviceCodeMessage); n != 1 {
		t.Errorf("%d device code prompts, want 1:\n%s", n, errb.String())
	}
	if tok, _, _ := p.Stats(); tok != 1 {
		t.Errorf("%d token requests, want 1", tok)
	}
}
