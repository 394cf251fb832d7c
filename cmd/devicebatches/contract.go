package main

import (
	"fmt"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/pflag"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
)

// Contract validation modes of --validate-contract.
const (
	contractOff    = ""
	contractOn     = "on"
	contractStrict = "strict"
)

// contractFlags are --validate-contract and --sandbox-drift, and what
// validation has seen during this invocation.
type contractFlags struct {
	mode  string
	drift string
	// record keeps deviations even with validation off (doctor's
	// contract check reports them itself).
	record bool
	// unavailable, when set, says why this lean build cannot validate
	// (doctor without a full build to hand its run to).
	unavailable string

	mu         sync.Mutex
	deviations []fullhook.Deviation
}

func (a *app) addContractFlags(pf *pflag.FlagSet) {
	pf.StringVar(&a.contract.mode, "validate-contract", "", "check every answer against the OpenAPI document and print each deviation to stderr; =strict exits 1 on any (env PARTNER_CENTER_VALIDATE_CONTRACT=1 or strict)")
	pf.Lookup("validate-contract").NoOptDefVal = contractOn
	pf.StringVar(&a.contract.drift, "sandbox-drift", "", "with --sandbox, make the sandbox's answers drift from the document: all or a comma-separated list of "+driftKinds())
}

func driftKinds() string { return strings.Join(fullhook.DriftKinds, ", ") }

// contractMode reads --validate-contract, else PARTNER_CENTER_VALIDATE_CONTRACT.
func (a *app) contractMode() (string, error) {
	v, from := a.contract.mode, "--validate-contract"
	if v == "" {
		v, from = a.getenv("PARTNER_CENTER_VALIDATE_CONTRACT"), "PARTNER_CENTER_VALIDATE_CONTRACT"
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "off", "no":
		return contractOff, nil
	case "1", "true", "on", "yes":
		return contractOn, nil
	case "strict":
		return contractStrict, nil
	}
	return "", usagef("%s %q: use on (or 1), strict, or off", from, v)
}

// contractPolicy returns the validating policy when validation is on (nil
// when off), which prints each deviation on one stderr line as it is seen.
func (a *app) contractPolicy() (policy.Policy, error) {
	if err := a.checkSandboxDrift(); err != nil {
		return nil, err
	}
	mode, err := a.contractMode()
	if err != nil || (mode == contractOff && (!a.contract.record || a.contract.unavailable != "")) {
		return nil, err
	}
	return a.newDeviationPolicy(mode != contractOff)
}

// newDeviationPolicy returns a drift policy recording every deviation, and
// printing it when print is set.
func (a *app) newDeviationPolicy(print bool) (policy.Policy, error) {
	full, err := a.fullFeatures()
	if err != nil {
		return nil, err
	}
	p, err := full.NewContractPolicy(func(d fullhook.Deviation) {
		a.contract.mu.Lock()
		defer a.contract.mu.Unlock()
		a.contract.deviations = append(a.contract.deviations, d)
		if print {
			fmt.Fprintln(a.io.err, "devicebatches: contract: "+oneLine(d.String()))
		}
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// seenDeviations returns the deviations recorded so far.
func (a *app) seenDeviations() []fullhook.Deviation {
	a.contract.mu.Lock()
	defer a.contract.mu.Unlock()
	return append([]fullhook.Deviation(nil), a.contract.deviations...)
}

// strictContract turns a successful run into a failure when
// --validate-contract=strict saw deviations. Plain validation never
// changes the result.
func (a *app) strictContract(err error) error {
	if err != nil {
		return err
	}
	if mode, _ := a.contractMode(); mode != contractStrict {
		return nil
	}
	if n := len(a.seenDeviations()); n > 0 {
		return fmt.Errorf("--validate-contract=strict: %d answer deviation(s) from the OpenAPI document, listed above", n)
	}
	return nil
}

// checkSandboxDrift checks --sandbox-drift.
func (a *app) checkSandboxDrift() error {
	if a.contract.drift != "" && !a.flags.sandbox {
		return usagef("--sandbox-drift applies with --sandbox only")
	}
	if a.contract.drift == "" {
		return nil
	}
	full, err := a.fullFeatures()
	if err != nil {
		return err
	}
	if err := full.CheckDrift(a.contract.drift); err != nil {
		return usagef("--sandbox-drift: %v", err)
	}
	return nil
}
