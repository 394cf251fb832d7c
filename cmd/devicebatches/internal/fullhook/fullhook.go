// Package fullhook is the seam between the CLI and the features only its
// full build links: the built-in sandbox and contract validation, which
// bring kin-openapi and a JSON-schema library whose package initialisation
// costs several milliseconds on every run. The CLI sees those features only
// through Features; package full registers them, and only the full build
// (-tags full) and the CLI's tests import it. This package itself must stay
// light: the standard library and azcore's policy types only.
package fullhook

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// The sandbox's defaults and bounds, repeated here so the lean build can
// show them in --help and check flags without linking the sandbox; a test
// of package full fails when they differ from package sandbox's.
const (
	DefaultPageSize        = 100
	DefaultRetryAfter      = time.Second
	DefaultProcessingDelay = 3 * time.Second
	MaxCustomers           = 10000
	ModelBucket            = "bucket"
	ModelWindow            = "window"
)

// DriftKinds are the sandbox's kinds of drift, in its documented order
// (checked against package sandbox by the same test).
var DriftKinds = []string{"unknown-field", "missing-required", "wrong-type", "unknown-enum", "link-shape"}

// QuirkKinds are the sandbox's quirks of the real service, in its
// documented order (checked against package sandbox by the same test).
var QuirkKinds = []string{"bom", "link-shapes", "error-v2", "upload-200-body", "gateway-5xx"}

// Sandbox configures one built-in sandbox.
type Sandbox struct {
	PageSize        int
	Seed            int64
	ProcessingDelay time.Duration
	Logger          *slog.Logger
	ThrottleEvery   int
	ThrottleRate    float64
	RetryAfter      time.Duration
	ErrorRate       float64
	Latency         time.Duration
	// Drift is a comma-separated list of drift kinds, already checked
	// with CheckDrift.
	Drift string
	// Quirks is a comma-separated list of the real service's quirks for
	// the sandbox to show; NewSandbox checks it.
	Quirks    string
	Customers int
	// RateLimit, when not 0, is the sandbox's hidden rate limit in
	// requests per second, counted as RateModel says.
	RateLimit float64
	RateModel string
	// DataFile, when set, is a JSON data file replacing the built-in data.
	DataFile string
}

// Deviation is one difference between an answer and the OpenAPI document.
type Deviation struct {
	// Kind is the deviation's kind, such as "unknown-field".
	Kind string
	// Text is the deviation on one line: operation, status, JSON path,
	// what was expected and what came.
	Text string
}

func (d Deviation) String() string { return d.Text }

// Features are what the full build adds.
type Features interface {
	// CheckDrift checks a comma-separated list of drift kinds ("all",
	// "unknown-field,wrong-type", or "" for none).
	CheckDrift(s string) error
	// NewSandbox returns the built-in sandbox as an HTTP server that is
	// not yet serving.
	NewSandbox(o Sandbox) (*http.Server, error)
	// NewContractPolicy returns a pipeline policy that validates every
	// answer against the OpenAPI document and calls report once for each
	// deviation.
	NewContractPolicy(report func(Deviation)) (policy.Policy, error)
}

var registered Features

// Register installs the full build's features; package full calls it from
// its init.
func Register(f Features) { registered = f }

// Registered returns the installed features, or nil in the lean build.
func Registered() Features { return registered }
