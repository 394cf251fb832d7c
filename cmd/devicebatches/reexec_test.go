package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// fakeProgram writes an executable file (its content never runs) at
// dir/name, or a non-executable one when exe is false.
func fakeProgram(t *testing.T, dir, name string, exe bool) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	mode := os.FileMode(0o755)
	if !exe {
		mode = 0o644
	}
	if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFindFullOrder is the lookup order: DEVICEBATCHES_FULL, next to this
// executable, PATH, a build from the source tree; else one line saying
// what to install.
func TestFindFullOrder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake programs rely on execute bits")
	}
	name := fullName(runtime.GOOS)
	type setup struct {
		env, beside, onPath, sourceBuilt bool
		besideNotExecutable              bool
		envNotExecutable                 bool
		sourceErr                        error
		marker                           bool
	}
	tests := []struct {
		name    string
		s       setup
		want    string // "env", "beside", "path", "source", or "" for an error
		errWant []string
	}{
		{"env first", setup{env: true, beside: true, onPath: true, sourceBuilt: true}, "env", nil},
		{"beside the executable before the source tree", setup{beside: true, onPath: true, sourceBuilt: true}, "beside", nil},
		{"the source tree before PATH", setup{onPath: true, sourceBuilt: true}, "source", nil},
		{"a non-executable beside is passed over", setup{beside: true, besideNotExecutable: true, onPath: true}, "path", nil},
		{"PATH when no source build applies", setup{onPath: true}, "path", nil},
		{"the source tree alone", setup{sourceBuilt: true}, "source", nil},
		{"env naming no executable is an error", setup{env: true, envNotExecutable: true, beside: true}, "", []string{envFull, "not an executable file"}},
		{"source build fails", setup{sourceErr: errors.New("go build -tags full in /src: exit status 1: syntax error")}, "", []string{"building it from the source tree failed", "syntax error"}},
		{"nothing found", setup{}, "", []string{"--sandbox needs the full build", name, "release archive", "go install -tags full github.com/partnercenter-go/devicebatches/cmd/devicebatches@", envFull}},
		{"started as the full build already", setup{marker: true, env: true, beside: true}, "", []string{"itself started as the full build"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			bin := filepath.Join(root, "bin")
			pathDir := filepath.Join(root, "path")
			self := fakeProgram(t, bin, "devicebatches", true)
			if err := os.MkdirAll(pathDir, 0o755); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"source": filepath.Join(root, "cache", name)}
			env := map[string]string{}
			if tt.s.env {
				want["env"] = fakeProgram(t, filepath.Join(root, "elsewhere"), "db-full", !tt.s.envNotExecutable)
				env[envFull] = want["env"]
			}
			if tt.s.marker {
				env[envReexec] = "1"
			}
			if tt.s.beside {
				want["beside"] = fakeProgram(t, bin, name, !tt.s.besideNotExecutable)
			}
			if tt.s.onPath {
				want["path"] = fakeProgram(t, pathDir, name, true)
			}
			t.Setenv("PATH", pathDir)
			f := &fullFinder{
				getenv:     envFrom(env),
				executable: func() (string, error) { return self, nil },
				lookPath:   exec.LookPath,
				fromSource: func() (string, error) {
					if tt.s.sourceErr != nil {
						return "", tt.s.sourceErr
					}
					if tt.s.sourceBuilt {
						return want["source"], nil
					}
					return "", nil
				},
				goos: runtime.GOOS,
			}
			got, err := f.find("--sandbox")
			if tt.want != "" {
				if err != nil || got != want[tt.want] {
					t.Fatalf("find = %q, %v; want %q (%s)", got, err, want[tt.want], tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("find = %q, want an error", got)
			}
			var fm *fullMissingError
			if !errors.As(err, &fm) || exitCode(err) != exitUsage {
				t.Errorf("error %T exits %d, want a *fullMissingError exiting %d", err, exitCode(err), exitUsage)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			for _, w := range tt.errWant {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestBuiltFromSource(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "22301844c75f"}}
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want bool
	}{
		{"go run, or go build -buildvcs=false", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, true},
		{"go build in a git checkout", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.0.0-20261126095400-22301844c75f+dirty"}, Settings: vcs}, true},
		{"go install from the module proxy", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.3"}}, false},
		{"go install of a pseudo-version from the proxy", debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.0.0-20261126095400-22301844c75f"}}, false},
		{"another module's build", debug.BuildInfo{Main: debug.Module{Path: "example.com/fork", Version: "(devel)"}, Settings: vcs}, false},
	}
	for _, tt := range tests {
		if got := builtFromSource(&tt.bi, false); got != tt.want {
			t.Errorf("%s: builtFromSource = %v, want %v", tt.name, got, tt.want)
		}
		// A release: its version set at link time, built (by GoReleaser)
		// in a checkout, so with the same build information.
		if builtFromSource(&tt.bi, true) {
			t.Errorf("%s with a link-time version: builtFromSource = true, want false", tt.name)
		}
	}
}

func TestModuleDir(t *testing.T) {
	out := []byte("example.com/other\t/src/other\n" + modulePath + "\t/src/devicebatches\n")
	if got := moduleDir(out, modulePath); got != "/src/devicebatches" {
		t.Errorf("moduleDir = %q", got)
	}
	if got := moduleDir([]byte("example.com/other\t/src/other\n"), modulePath); got != "" {
		t.Errorf("moduleDir of another module = %q", got)
	}
}

// TestFindFullBesideSymlinkTarget: a lean build reached through a symbolic
// link (os.Executable returns the link's path on macOS) finds the full
// build next to the file the link names.
func TestFindFullBesideSymlinkTarget(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	root := t.TempDir()
	self := fakeProgram(t, filepath.Join(root, "opt"), "devicebatches", true)
	full := fakeProgram(t, filepath.Join(root, "opt"), fullName(runtime.GOOS), true)
	link := filepath.Join(root, "bin", "devicebatches")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Join(root, "empty"))
	f := &fullFinder{
		getenv:     envFrom(nil),
		executable: func() (string, error) { return link, nil },
		lookPath:   exec.LookPath,
		fromSource: func() (string, error) { return "", nil },
		goos:       runtime.GOOS,
	}
	got, err := f.find("--sandbox")
	want, _ := filepath.EvalSymlinks(full)
	if err != nil || got != want {
		t.Fatalf("find = %q, %v; want %q", got, err, want)
	}
}

// TestSourceBuildOnlyFromOwnTree: the full build is built from a source
// tree only when it is the very tree this binary was compiled from; another
// checkout of the module (a fork in the current directory) is never built
// and run with this command's credentials.
func TestSourceBuildOnlyFromOwnTree(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	own := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	if !isOwnSourceTree(own) {
		t.Errorf("the tree this test was compiled from (%s) is not recognised as its own", own)
	}
	other := t.TempDir()
	if err := os.MkdirAll(filepath.Join(other, "cmd", "devicebatches"), 0o755); err != nil {
		t.Fatal(err)
	}
	if isOwnSourceTree(other) {
		t.Errorf("another checkout (%s) is taken for this binary's own source tree", other)
	}
}
