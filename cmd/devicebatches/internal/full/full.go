// Package full registers the CLI's heavy features with package fullhook:
// the built-in sandbox (package sandbox) and contract validation (package
// drift), which link kin-openapi and its JSON-schema library. Importing it
// is what makes a build "full": cmd/devicebatches does so only under the
// build tag full, and from its tests.
package full

import (
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/wrapper/drift"
)

func init() { fullhook.Register(features{}) }

// features implements fullhook.Features.
type features struct{}

func (features) CheckDrift(s string) error {
	_, err := sandbox.ParseDrift(s)
	return err
}

// NewSandbox's errors name the flags the CLI shows (--rate-limit,
// --rate-model) rather than the sandbox's Options fields.
func (features) NewSandbox(o fullhook.Sandbox) (*http.Server, error) {
	opts := sandbox.Options{
		PageSize:        o.PageSize,
		Seed:            o.Seed,
		ProcessingDelay: o.ProcessingDelay,
		Logger:          o.Logger,
		Customers:       o.Customers,
		Faults: sandbox.Faults{
			ThrottleEvery: o.ThrottleEvery,
			ThrottleRate:  o.ThrottleRate,
			RetryAfter:    o.RetryAfter,
			ErrorRate:     o.ErrorRate,
			Latency:       o.Latency,
		},
	}
	var err error
	if opts.Drift, err = sandbox.ParseDrift(o.Drift); err != nil {
		return nil, err
	}
	if opts.Quirks, err = sandbox.ParseQuirks(o.Quirks); err != nil {
		return nil, errors.New("--quirks: " + err.Error())
	}
	if o.RateLimit != 0 {
		opts.RateLimit = &sandbox.RateLimit{Limit: o.RateLimit, Model: o.RateModel}
		if err := opts.RateLimit.Validate(); err != nil {
			return nil, errors.New("--rate-limit/--rate-model: " + err.Error())
		}
	}
	if o.DataFile != "" {
		if opts.Data, err = sandbox.LoadData(o.DataFile); err != nil {
			return nil, err
		}
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		return nil, err
	}
	return srv.HTTPServer(), nil
}

func (features) NewContractPolicy(report func(fullhook.Deviation)) (policy.Policy, error) {
	p, err := drift.NewPolicy(func(d drift.Deviation) {
		report(fullhook.Deviation{Kind: d.Kind, Text: d.String()})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
