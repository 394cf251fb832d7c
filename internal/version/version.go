// Package version says which build of devicebatches is running, for the CLI's
// --version and the User-Agent.
//
// A release build gets its version at link time:
//
//	go build -ldflags "-X github.com/partnercenter-go/devicebatches/internal/version.version=v1.2.3" ./cmd/devicebatches
//
// GoReleaser does exactly that (see .goreleaser.yaml). Without it, `go install
// ...@v1.2.3` still knows its version from the module's build information, and
// a build from a clone says "devel".
package version

import (
	"runtime/debug"
	"strings"
)

// modulePath is this module's path: the main module when the CLI runs, a
// dependency when a program of someone else's uses the library.
const modulePath = "github.com/partnercenter-go/devicebatches"

// version and revision are set at link time, with
// -ldflags "-X .../internal/version.version=vX.Y.Z -X .../internal/version.revision=<commit>".
// They stay vars (not consts) because -X can only set string variables.
// revision is a fallback for builds without VCS stamping (-buildvcs=false).
var (
	version  string
	revision string
)

// readBuildInfo is debug.ReadBuildInfo; tests replace it to feed a
// *debug.BuildInfo of their own.
var readBuildInfo = debug.ReadBuildInfo

// Version returns the version of this build: the value injected at link time,
// else this module's version from the build information (the main module's
// after `go install module@version`; the dependency's when another program
// uses the library), else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := readBuildInfo(); ok && bi != nil {
		// "(devel)" is what the go command records for a build from a
		// working tree; it says nothing a user can quote.
		if v := moduleVersion(bi); v != "" && v != "(devel)" {
			return v
		}
	}
	return "devel"
}

// Stamped reports whether the version was set at link time, as release
// builds' is: such a binary was not built from a working tree for its
// developer, whatever version control information the build recorded.
func Stamped() bool { return version != "" }

// moduleVersion finds this module in the build information. When the main
// module is another program, its version says nothing about this library, so
// the dependency's entry (or what replaced it) is used instead.
func moduleVersion(bi *debug.BuildInfo) string {
	if bi.Main.Path == modulePath || bi.Main.Path == "" {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d == nil || d.Path != modulePath {
			continue
		}
		if d.Replace != nil {
			// A replacement by a local directory has no version: "devel".
			return d.Replace.Version
		}
		return d.Version
	}
	return ""
}

// Revision returns the VCS revision this binary was built from, shortened to
// 12 characters, with "-dirty" when the working tree had uncommitted changes.
// It comes from the build information's vcs.revision and vcs.modified, else
// from the link-time revision. It is empty when neither is known (built with
// -buildvcs=false and no -X, from a module zip by `go install`, or outside a
// repository).
func Revision() string {
	var rev string
	var modified bool
	if bi, ok := readBuildInfo(); ok && bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if rev == "" {
		rev, modified = revision, false
	}
	if rev == "" {
		return ""
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	return rev
}

// String returns the version and, when known, the revision:
// "v1.2.3 (abc123def456)", "devel (abc123def456-dirty)", or just "v1.2.3".
func String() string {
	var b strings.Builder
	b.WriteString(Version())
	if r := Revision(); r != "" {
		b.WriteString(" (")
		b.WriteString(r)
		b.WriteString(")")
	}
	return b.String()
}
