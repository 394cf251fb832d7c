package full

import (
	"slices"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
	"github.com/partnercenter-go/devicebatches/internal/sandbox"
)

// TestMirroredSandboxFacts fails when package fullhook's copies of the
// sandbox's defaults and bounds (shown by the lean build's --help and
// checked by its flags) differ from package sandbox's.
func TestMirroredSandboxFacts(t *testing.T) {
	if fullhook.DefaultPageSize != sandbox.DefaultPageSize {
		t.Errorf("DefaultPageSize %d, sandbox's %d", fullhook.DefaultPageSize, sandbox.DefaultPageSize)
	}
	if fullhook.DefaultRetryAfter != sandbox.DefaultRetryAfter {
		t.Errorf("DefaultRetryAfter %s, sandbox's %s", fullhook.DefaultRetryAfter, sandbox.DefaultRetryAfter)
	}
	if fullhook.DefaultProcessingDelay != sandbox.DefaultProcessingDelay {
		t.Errorf("DefaultProcessingDelay %s, sandbox's %s", fullhook.DefaultProcessingDelay, sandbox.DefaultProcessingDelay)
	}
	if fullhook.MaxCustomers != sandbox.MaxCustomers {
		t.Errorf("MaxCustomers %d, sandbox's %d", fullhook.MaxCustomers, sandbox.MaxCustomers)
	}
	if fullhook.ModelBucket != sandbox.ModelBucket || fullhook.ModelWindow != sandbox.ModelWindow {
		t.Errorf("models %q %q, sandbox's %q %q", fullhook.ModelBucket, fullhook.ModelWindow, sandbox.ModelBucket, sandbox.ModelWindow)
	}
	kinds := make([]string, len(sandbox.DriftKinds))
	for i, d := range sandbox.DriftKinds {
		kinds[i] = string(d)
	}
	if !slices.Equal(fullhook.DriftKinds, kinds) {
		t.Errorf("DriftKinds %q, sandbox's %q", fullhook.DriftKinds, kinds)
	}
	quirks := make([]string, len(sandbox.QuirkKinds))
	for i, q := range sandbox.QuirkKinds {
		quirks[i] = string(q)
	}
	if !slices.Equal(fullhook.QuirkKinds, quirks) {
		t.Errorf("QuirkKinds %q, sandbox's %q", fullhook.QuirkKinds, quirks)
	}
}

func TestRegistered(t *testing.T) {
	if _, ok := fullhook.Registered().(features); !ok {
		t.Fatalf("importing package full registers %T, want its features", fullhook.Registered())
	}
}

func TestNewSandboxNamesFlags(t *testing.T) {
	_, err := features{}.NewSandbox(fullhook.Sandbox{RateLimit: -1, RateModel: fullhook.ModelBucket})
	if err == nil || !strings.HasPrefix(err.Error(), "--rate-limit/--rate-model: ") {
		t.Fatalf("err = %v, want one naming --rate-limit/--rate-model", err)
	}
	if _, err := (features{}).NewSandbox(fullhook.Sandbox{Drift: "sideways"}); err == nil {
		t.Fatal("an unknown drift was accepted")
	}
	srv, err := features{}.NewSandbox(fullhook.Sandbox{})
	if err != nil || srv.Handler == nil {
		t.Fatalf("NewSandbox with defaults: %v, %v", srv, err)
	}
}
