package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/partnercenter-go/devicebatches/internal/version"
)

// envFull names the full build explicitly (a path); it is looked at first.
const envFull = "DEVICEBATCHES_FULL"

// envReexec marks a process the lean build started as the full build: a
// lean build that finds it set refuses to hand the command on again, so a
// misnamed binary cannot start itself in a loop.
const envReexec = "DEVICEBATCHES_REEXEC"

// modulePath is this module's path, for the source-tree build and the
// install hint.
const modulePath = "github.com/partnercenter-go/devicebatches"

// fullName is the full build's file name.
func fullName(goos string) string {
	if goos == "windows" {
		return "devicebatches-full.exe"
	}
	return "devicebatches-full"
}

// fullMissingError says the full build is needed and cannot be had; it
// exits with exitUsage, on one line, without the --help hint.
type fullMissingError struct{ msg string }

func (e *fullMissingError) Error() string { return e.msg }

// childExit carries the exit code of the full build run as a child process
// (where the lean build cannot become it); it has already reported its
// own errors.
type childExit struct{ code int }

func (e *childExit) Error() string { return fmt.Sprintf("the full build exited with code %d", e.code) }

// fullFinder finds the full build; its fields are the outside world, so
// tests can give it another.
type fullFinder struct {
	getenv     func(string) string
	executable func() (string, error)
	lookPath   func(string) (string, error)
	// fromSource builds the full build when this binary was built from
	// this module's source tree, the current directory is in that tree and
	// the go command is at hand; it returns "" when that does not apply.
	fromSource func() (string, error)
	goos       string
}

// findFull looks for the full build for a.
func (a *app) findFull(reason string) (string, error) {
	f := a.finder
	if f == nil {
		f = &fullFinder{getenv: a.getenv, executable: os.Executable, lookPath: exec.LookPath, fromSource: buildFromSource, goos: runtime.GOOS}
	}
	return f.find(reason)
}

// find returns the path of the full build, looked for in this order: the
// DEVICEBATCHES_FULL environment variable; devicebatches-full next to this
// executable (or, when it is a symbolic link, next to the file it names); a
// build from the source tree (see buildFromSource), so that a developer's
// `go run` uses the working tree's sandbox rather than an installed one;
// devicebatches-full on PATH. reason names what needs it, for the error.
func (f *fullFinder) find(reason string) (string, error) {
	name := fullName(f.goos)
	if f.getenv(envReexec) != "" {
		return "", &fullMissingError{msg: fmt.Sprintf("%s needs the full build, but this lean build was itself started as the full build (%s or %s names a lean build): install the full build (%s)", reason, envFull, name, installHint(name))}
	}
	if p := f.getenv(envFull); p != "" {
		if !isExecutable(p, f.goos) {
			return "", &fullMissingError{msg: fmt.Sprintf("%s needs the full build, but %s=%q is not an executable file", reason, envFull, p)}
		}
		return p, nil
	}
	if exe, err := f.executable(); err == nil {
		if p := filepath.Join(filepath.Dir(exe), name); isExecutable(p, f.goos) {
			return p, nil
		}
		// os.Executable resolves symbolic links on Linux, not on macOS.
		if real, err := filepath.EvalSymlinks(exe); err == nil && real != exe {
			if p := filepath.Join(filepath.Dir(real), name); isExecutable(p, f.goos) {
				return p, nil
			}
		}
	}
	p, err := f.fromSource()
	if err != nil {
		return "", &fullMissingError{msg: fmt.Sprintf("%s needs the full build: building it from the source tree failed: %v", reason, err)}
	}
	if p != "" {
		return p, nil
	}
	// exec.LookPath refuses a match in a relative PATH entry (exec.ErrDot):
	// that is no match here either.
	if p, err := f.lookPath(name); err == nil {
		return p, nil
	}
	return "", &fullMissingError{msg: fmt.Sprintf("%s needs the full build, and no %s was found next to this program or on PATH: %s", reason, name, installHint(name))}
}

// installHint says how to get the full build.
func installHint(name string) string {
	v := version.Version()
	if v == "devel" {
		v = "latest"
	}
	return fmt.Sprintf("the release archive ships %s next to devicebatches, or run 'go install -tags full %s/cmd/devicebatches@%s' (a full build under the plain name runs everything itself), or set %s to its path",
		name, modulePath, v, envFull)
}

// isExecutable reports whether p is a regular file this user may run (on
// Windows, any regular file: there is no execute bit).
func isExecutable(p, goos string) bool {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	return goos == "windows" || fi.Mode().Perm()&0o111 != 0
}

// buildFromSource builds the full build into the user's cache directory
// when this binary was built from this module's working tree (see
// builtFromSource), the go command is on PATH, and the current directory is
// in this module. It is how `go run ./cmd/devicebatches list --sandbox`
// works from a fresh clone; Go's build cache makes a rebuild quick. It
// returns "" when any of that is not so.
func buildFromSource() (string, error) {
	bi, ok := debug.ReadBuildInfo()
	if !ok || !builtFromSource(bi, version.Stamped()) {
		return "", nil
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", nil
	}
	out, err := exec.Command(goTool, "list", "-m", "-f", "{{.Path}}\t{{.Dir}}").Output()
	if err != nil {
		return "", nil // not in a module
	}
	dir := moduleDir(out, modulePath)
	if dir == "" || !isOwnSourceTree(dir) {
		// Another checkout of the module (a fork, a clone under review)
		// is not this binary's source: building and running it would run
		// its code with this command's environment, credentials included.
		return "", nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory to build it in: %w", err)
	}
	target := filepath.Join(cache, "devicebatches", fullName(runtime.GOOS))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", err
	}
	// Built under a temporary name and renamed, so a concurrent run never
	// executes a half-written file.
	tmp, err := os.MkdirTemp(filepath.Dir(target), "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, fullName(runtime.GOOS))
	// Starting from a copy of the last build lets go build see it is up to
	// date and skip the link (about 0.3 s instead of 1.7 s). A copy, not a
	// link: go build may rewrite the file in place.
	_ = copyFile(target, built)
	cmd := exec.Command(goTool, "build", "-tags", "full", "-o", built, "./cmd/devicebatches")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -tags full in %s: %v: %s", dir, err, firstLine(out))
	}
	if err := os.Rename(built, target); err != nil {
		return "", err
	}
	return target, nil
}

// isOwnSourceTree reports whether dir, a checkout of this module, is the
// one this binary was compiled from: the compiler records the absolute
// path of this file (not under -trimpath, which release builds use), so
// its module root is three directories up.
func isOwnSourceTree(dir string) bool {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return false
	}
	own := filepath.Dir(filepath.Dir(filepath.Dir(file))) // <root>/cmd/devicebatches/reexec.go
	a, err1 := filepath.EvalSymlinks(own)
	b, err2 := filepath.EvalSymlinks(dir)
	return err1 == nil && err2 == nil && a == b
}

// builtFromSource reports whether bi is a build of this module from its
// working tree: the go command records the version "(devel)" (go run, or
// go build with -buildvcs=false), or, when go build stamps version control
// information, the "vcs" setting, which a go install from the module proxy
// never has. A build whose version was set at link time (stamped: a
// release, which GoReleaser builds in a checkout, so it carries "vcs" too)
// never is.
func builtFromSource(bi *debug.BuildInfo, stamped bool) bool {
	if stamped || bi.Main.Path != modulePath {
		return false
	}
	if bi.Main.Version == "(devel)" {
		return true
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs" {
			return true
		}
	}
	return false
}

// copyFile copies the file src to dst (created executable).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// moduleDir returns the directory of module path in `go list -m -f
// '{{.Path}}\t{{.Dir}}'` output (several lines in a go.work workspace).
func moduleDir(out []byte, path string) string {
	for _, line := range strings.Split(string(out), "\n") {
		p, dir, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok && p == path && dir != "" {
			return dir
		}
	}
	return ""
}

func firstLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// reexecEnv is the environment the full build gets: this one, marked.
func reexecEnv() []string { return append(os.Environ(), envReexec+"=1") }

// execFull runs the full build at path with this command line: stdin,
// stdout, stderr, environment (token included) and the exit code pass
// through unchanged.
func (a *app) execFull(path string, args []string) error {
	if a.exec != nil {
		return a.exec(path, args)
	}
	return execProgram(path, args)
}

var errNoExec = errors.New("cannot run the full build")
