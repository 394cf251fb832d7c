package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// fullOnly are the packages the lean build must not link: kin-openapi and
// its JSON-schema library (whose init costs milliseconds on every run), and
// the packages that bring them in.
var fullOnly = []string{
	"github.com/getkin/kin-openapi/",
	"github.com/santhosh-tekuri/jsonschema/",
	"github.com/partnercenter-go/devicebatches/internal/sandbox",
	"github.com/partnercenter-go/devicebatches/internal/contract",
	"github.com/partnercenter-go/devicebatches/wrapper/drift",
	"github.com/partnercenter-go/devicebatches/openapi",
	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/full",
}

func isFullOnly(pkg string) bool {
	for _, p := range fullOnly {
		if pkg == p || strings.HasPrefix(pkg, strings.TrimSuffix(p, "/")+"/") {
			return true
		}
	}
	return false
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot list the build's packages")
	}
	out, err := exec.Command(goTool, append([]string{"list"}, args...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			out = ee.Stderr
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.Fields(string(out))
}

// TestLeanBuildLinksNoFullOnlyPackage is the dependency rule: the default
// build of the CLI links none of the full build's packages.
func TestLeanBuildLinksNoFullOnlyPackage(t *testing.T) {
	for _, pkg := range goList(t, "-deps", ".") {
		if isFullOnly(pkg) {
			t.Errorf("the lean build of cmd/devicebatches links %s: only the full build (-tags full) may; reach it through internal/fullhook", pkg)
		}
	}
	// The rule is not vacuous: the full build does link them.
	full := goList(t, "-tags", "full", "-deps", ".")
	for _, want := range []string{"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/full", "github.com/santhosh-tekuri/jsonschema/v6"} {
		if !slices.Contains(full, want) {
			t.Errorf("the full build does not link %s", want)
		}
	}
}

// noRead is a stdin that fails the test when read: a command handed to the
// full build must leave stdin to it.
type noRead struct{ t *testing.T }

func (r noRead) Read([]byte) (int, error) {
	r.t.Error("the lean build read stdin before handing the command to the full build")
	return 0, io.EOF
}

// leanRun runs args as the lean build would (no full features), with a
// full build found at "/opt/devicebatches-full" (or findErr) whose run exits
// with code 42. It returns the exit code, stdout, stderr and the command
// line the full build was given (nil if none).
func leanRun(t *testing.T, env map[string]string, findErr error, args ...string) (int, string, string, []string) {
	t.Helper()
	var out, errb bytes.Buffer
	var handed []string
	a := newApp(streams{in: noRead{t}, out: &out, err: &errb}, envFrom(env))
	a.full = nil
	a.finder = &fullFinder{
		getenv:     envFrom(env),
		executable: func() (string, error) { return "", errors.New("no executable") },
		lookPath:   func(string) (string, error) { return "", exec.ErrNotFound },
		fromSource: func() (string, error) {
			if findErr != nil {
				return "", findErr
			}
			return "/opt/devicebatches-full", nil
		},
		goos: "linux",
	}
	a.exec = func(path string, got []string) error {
		if path != "/opt/devicebatches-full" {
			t.Errorf("ran %q", path)
		}
		handed = append([]string{}, got...)
		return &childExit{code: 42}
	}
	code := a.execute(context.Background(), args)
	return code, out.String(), errb.String(), handed
}

func TestLeanHandsToFullBuild(t *testing.T) {
	tok := map[string]string{"PARTNER_CENTER_TOKEN": "t"}
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		handed bool
	}{
		{"--sandbox", nil, []string{"list", "--sandbox", "--customer", docCustomer}, true},
		{"--sandbox before the command", nil, []string{"--sandbox", "devices", "--customer", docCustomer, "--batch", "b"}, true},
		{"--sandbox with stdin input", nil, []string{"list", "--sandbox", "--customers-file", "-"}, true},
		{"--sandbox with a bad value for the full build to refuse", nil, []string{"list", "--sandbox", "--customer", "nope"}, true},
		{"sandbox command", nil, []string{"sandbox", "--addr", "127.0.0.1:0"}, true},
		{"--validate-contract", tok, []string{"list", "--customer", docCustomer, "--validate-contract"}, true},
		{"--validate-contract=strict", tok, []string{"upload", "--customer", docCustomer, "--validate-contract=strict"}, true},
		{"--sandbox-drift", nil, []string{"list", "--sandbox", "--sandbox-drift", "all", "--customer", docCustomer}, true},
		{"env PARTNER_CENTER_VALIDATE_CONTRACT", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "1"}, []string{"profiles", "--customer", docCustomer}, true},
		{"doctor", nil, []string{"doctor"}, true},
		{"plain list", nil, []string{"list", "--customer", docCustomer}, false},
		{"--validate-contract=off beats env", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "strict"}, []string{"list", "--customer", docCustomer, "--validate-contract=off"}, false},
		{"bad env value refused by the lean build", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "maybe"}, []string{"list", "--customer", docCustomer}, false},
		{"--sandbox-drift without --sandbox", nil, []string{"list", "--sandbox-drift", "all", "--customer", docCustomer}, false},
		{"help of the sandbox command", nil, []string{"sandbox", "--help"}, false},
		{"--sandbox --help", nil, []string{"list", "--sandbox", "--help"}, false},
		{"--version", nil, []string{"--version"}, false},
		{"unknown flag", nil, []string{"list", "--sandbox", "--bogus"}, false},
		{"completion with validation in the environment", map[string]string{"PARTNER_CENTER_VALIDATE_CONTRACT": "1"}, []string{"completion", "bash"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut, handed := leanRun(t, tt.env, nil, tt.args...)
			if !tt.handed {
				if handed != nil {
					t.Fatalf("handed to the full build: %q", handed)
				}
				if code == 42 {
					t.Fatalf("exit 42 without the full build")
				}
				return
			}
			if !slices.Equal(handed, tt.args) {
				t.Fatalf("full build given %q, want the command line unchanged %q", handed, tt.args)
			}
			if code != 42 || errOut != "" {
				t.Errorf("exit %d, stderr %q; want the full build's 42 and nothing more", code, errOut)
			}
		})
	}
}

// TestLeanWithoutFullBuild: with no full build to be had, one line and exit 2.
func TestLeanWithoutFullBuild(t *testing.T) {
	missing := errors.New("no full build anywhere")
	for _, args := range [][]string{
		{"list", "--sandbox", "--customer", docCustomer},
		{"sandbox"},
		{"doctor", "--validate-contract"},
	} {
		code, out, errOut, handed := leanRun(t, nil, missing, args...)
		if handed != nil || code != exitUsage || out != "" {
			t.Errorf("%q: exit %d, handed %q, stdout %q; want exit 2 and nothing run", args, code, handed, out)
		}
		if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "devicebatches: ") || !strings.Contains(errOut, "needs the full build") {
			t.Errorf("%q: stderr %q; want one line saying the full build is needed", args, errOut)
		}
	}
}

// TestLeanDoctorWithoutFullBuild: doctor still checks sign-in, network and
// access, and says why its optional contract check did not run.
func TestLeanDoctorWithoutFullBuild(t *testing.T) {
	base := newExampleServer(t, 200, documentedExample).URL
	env := map[string]string{"PARTNER_CENTER_TOKEN": "t", "PARTNER_CENTER_BASE_URL": base}
	code, out, errOut, handed := leanRun(t, env, errors.New("nothing found"), "doctor", "--customer", docCustomer, "-o", "json")
	if handed != nil {
		t.Fatalf("handed on: %q", handed)
	}
	var rep doctorReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d, stderr %q, stdout not JSON: %v\n%s", code, errOut, err, out)
	}
	c := checkOf(t, rep, "contract")
	if c.Status != checkSkipped || c.Required || !strings.Contains(c.Summary, "lean build") || !strings.Contains(c.Advice, "nothing found") {
		t.Errorf("contract check = %+v", c)
	}
	if a := checkOf(t, rep, "access"); a.Status != checkPass {
		t.Errorf("access check = %+v", a)
	}
}
