package main

import (
	"strings"
	"testing"
)

const sandboxCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

func TestValidateContractOnList(t *testing.T) {
	_, clean, _ := runCLI(t, nil, "list", "--sandbox", "--customer", sandboxCustomer)
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		lines  []string // stderr contract lines, in order
		sameAs bool     // stdout as without drift
	}{
		{"off: drift unseen", nil, []string{"--sandbox-drift", "unknown-field"}, exitOK, nil, true},
		{"on, no drift", nil, []string{"--validate-contract"}, exitOK, nil, true},
		{"on: unknown field", nil, []string{"--validate-contract", "--sandbox-drift", "unknown-field"}, exitOK,
			[]string{"devicebatches: contract: listDeviceBatches HTTP 200 /items/0/sandboxDrift: expected only properties the document names, got \"a property the document does not name\""}, true},
		{"env: unknown enum", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "1"}, []string{"--sandbox-drift", "unknown-enum"}, exitOK,
			[]string{"devicebatches: contract: listDeviceBatches HTTP 200 /items/0/devicesLink/method: expected one of GET, POST, PUT, PATCH, DELETE, got \"SEEK\""}, true},
		{"strict: unknown field", nil, []string{"--validate-contract=strict", "--sandbox-drift", "unknown-field"}, exitFailure,
			[]string{"devicebatches: contract: listDeviceBatches HTTP 200 /items/0/sandboxDrift: expected only properties the document names, got \"a property the document does not name\""}, true},
		{"env strict", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "strict"}, []string{"--sandbox-drift", "unknown-field"}, exitFailure,
			[]string{"devicebatches: contract: listDeviceBatches HTTP 200 /items/0/sandboxDrift: expected only properties the document names, got \"a property the document does not name\""}, true},
		{"flag off beats env", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "strict"}, []string{"--validate-contract=off", "--sandbox-drift", "unknown-field"}, exitOK, nil, true},
		{"strict, no drift", nil, []string{"--validate-contract=strict"}, exitOK, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"list", "--sandbox", "--customer", sandboxCustomer}, tt.args...)
			code, out, errb := runCLI(t, tt.env, args...)
			var lines []string
			for _, l := range strings.Split(errb, "\n") {
				if strings.HasPrefix(l, "devicebatches: contract: ") {
					lines = append(lines, l)
				}
			}
			if code != tt.code || strings.Join(lines, "\n") != strings.Join(tt.lines, "\n") {
				t.Errorf("exit %d, contract lines:\n%s\nwant exit %d:\n%s\nstderr:\n%s", code, strings.Join(lines, "\n"), tt.code, strings.Join(tt.lines, "\n"), errb)
			}
			if tt.sameAs && out != clean {
				t.Errorf("stdout changed:\n%s\nwant\n%s", out, clean)
			}
			if tt.code == exitFailure && !strings.Contains(errb, "--validate-contract=strict: 1 answer deviation(s)") {
				t.Errorf("strict failure not explained:\n%s", errb)
			}
		})
	}
}

func TestValidateContractUsage(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"list", "--sandbox", "--customer", sandboxCustomer, "--validate-contract=sometimes"}},
		{map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "maybe"}, []string{"list", "--sandbox", "--customer", sandboxCustomer}},
		{map[string]string{"PARTNER_CENTER_TOKEN": "x"}, []string{"list", "--customer", sandboxCustomer, "--sandbox-drift", "all"}},
		{nil, []string{"sandbox", "--drift", "sideways"}},
	} {
		code, out, errb := runCLI(t, tc.env, tc.args...)
		if code != exitUsage || out != "" || strings.Count(strings.TrimSpace(errb), "\n") > 2 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", tc.args, code, out, errb)
		}
	}
}
