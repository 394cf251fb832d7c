package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// builtCLI builds the lean and the full build into one directory, as the
// release archive ships them.
func builtCLI(t *testing.T) (dir, lean, full string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not building the two CLI binaries")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot build the two CLI binaries")
	}
	dir = t.TempDir()
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	lean = filepath.Join(dir, "devicebatches"+exe)
	full = filepath.Join(dir, fullName(runtime.GOOS))
	// -buildvcs=false: built as go run builds, whatever GOFLAGS says.
	for _, b := range [][]string{{"build", "-buildvcs=false", "-o", lean, "."}, {"build", "-buildvcs=false", "-tags", "full", "-o", full, "."}} {
		if out, err := exec.Command(goTool, b...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(b, " "), err, out)
		}
	}
	return dir, lean, full
}

// runProgram runs path with args in dir under env and returns the exit
// code, stdout and stderr.
func runProgram(t *testing.T, dir string, env []string, path string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	}
	t.Fatalf("%s: %v", path, err)
	return 0, "", ""
}

// cleanEnv is this process's environment without the variables that choose
// the full build or Partner Center, and with PATH as given.
func cleanEnv(path string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case envFull, envReexec, "PATH", "PARTNER_CENTER_TOKEN", "PARTNER_CENTER_BASE_URL", "PARTNER_CENTER_VALIDATE_CONTRACT":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+path)
}

// pathWithoutFull is PATH without the directories holding a full build, so
// the go command and the C compiler (cgo, -race) stay at hand.
func pathWithoutFull() string {
	var keep []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if dir != "" && !isExecutable(filepath.Join(dir, fullName(runtime.GOOS)), runtime.GOOS) {
			keep = append(keep, dir)
		}
	}
	return strings.Join(keep, string(os.PathListSeparator))
}

// TestTwoBuilds runs the real binaries: the lean build hands --sandbox and
// the sandbox command to the full build beside it, whose output and exit
// codes come through unchanged.
func TestTwoBuilds(t *testing.T) {
	_, lean, full := builtCLI(t)
	env := cleanEnv(t.TempDir()) // nothing on PATH: the full build is found beside the lean one
	outside := t.TempDir()       // not in a module: no source-tree build

	args := []string{"list", "--sandbox", "--customer", docCustomer, "-o", "json"}
	_, wantOut, wantErr := runCLI(t, nil, args...)
	code, out, errOut := runProgram(t, outside, env, lean, args...)
	if code != 0 || out != wantOut || errOut != wantErr {
		t.Errorf("lean %q: exit %d\nstdout %q\nstderr %q\nwant exit 0 and the in-process output\nstdout %q\nstderr %q", args, code, out, errOut, wantOut, wantErr)
	}

	for _, args := range [][]string{
		{"sandbox", "--page-size", "0"},
		{"list", "--sandbox", "--customer", "nope"},
	} {
		wantCode, wantOut, wantErr := runCLI(t, nil, args...)
		if wantCode == 0 {
			t.Fatalf("%q succeeds in-process; the case must fail", args)
		}
		for _, prog := range []string{lean, full} {
			code, out, errOut := runProgram(t, outside, env, prog, args...)
			if code != wantCode || out != wantOut || errOut != wantErr {
				t.Errorf("%s %q: exit %d, stdout %q, stderr %q; want exit %d, %q, %q", filepath.Base(prog), args, code, out, errOut, wantCode, wantOut, wantErr)
			}
		}
	}

	// A service failure (the sandbox's 404 names a fresh port and request
	// id, so only the exit code and the message are compared).
	code, out, errOut = runProgram(t, outside, env, lean, "list", "--sandbox", "--customer", "00000000-0000-0000-0000-000000000001")
	if code != exitFailure || out != "" || !strings.Contains(errOut, "HTTP 404 Not Found: Partner Center error 600") {
		t.Errorf("unknown customer: exit %d, stdout %q, stderr %q; want exit 1 and the 404", code, out, errOut)
	}

	// Without the full build beside it, on PATH or a source tree: one line.
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runProgram(t, outside, env, lean, "list", "--sandbox", "--customer", docCustomer)
	if code != exitUsage || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "go install -tags full") {
		t.Errorf("no full build: exit %d, stdout %q, stderr %q; want exit 2 and one line saying what to install", code, out, errOut)
	}
	// ...and plain commands never need it.
	if code, out, _ := runProgram(t, outside, env, lean, "--version"); code != 0 || !strings.HasPrefix(out, "devicebatches ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}

// TestTwoBuildsFromSourceTree: a lean build from this working tree, run in
// it with nothing else at hand, builds the full build into the user cache
// directory and hands it the command (how `go run ./cmd/devicebatches list
// --sandbox` works from a fresh clone).
func TestTwoBuildsFromSourceTree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("points the user cache directory elsewhere with XDG_CACHE_HOME, which only Linux reads")
	}
	_, lean, full := builtCLI(t)
	if err := os.Remove(full); err != nil {
		t.Fatal(err)
	}
	var wd string
	goTool, _ := exec.LookPath("go")
	// The go command's build cache stays where it is (it too defaults to
	// the user cache directory), so the build is quick.
	gocache, err := exec.Command(goTool, "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	env := append(cleanEnv(pathWithoutFull()), "XDG_CACHE_HOME="+cache, "GOCACHE="+strings.TrimSpace(string(gocache)))
	wd, err = os.Getwd() // this package's directory, in the module
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"list", "--sandbox", "--customer", docCustomer, "-o", "json"}
	_, wantOut, _ := runCLI(t, nil, args...)
	code, out, errOut := runProgram(t, wd, env, lean, args...)
	if code != 0 || out != wantOut {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 0 and %q", code, out, errOut, wantOut)
	}
	if _, err := os.Stat(filepath.Join(cache, "devicebatches", fullName(runtime.GOOS))); err != nil {
		t.Errorf("the full build is not in the cache directory: %v", err)
	}
	code, _, errOut = runProgram(t, wd, env, lean, "sandbox", "--page-size", "0")
	if code != exitUsage || !strings.Contains(errOut, "--page-size") {
		t.Errorf("sandbox --page-size 0: exit %d, stderr %q; want 2", code, errOut)
	}
}
