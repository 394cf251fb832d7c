package version

import (
	"runtime/debug"
	"testing"
)

// setBuild replaces the link-time version and the build-info reader for one
// test. Tests using it share package state, so none of them is parallel.
func setBuild(t *testing.T, linked string, bi *debug.BuildInfo) {
	t.Helper()
	setLinked(t, linked, "", bi)
}

// setLinked also sets the link-time revision.
func setLinked(t *testing.T, linkedVersion, linkedRevision string, bi *debug.BuildInfo) {
	t.Helper()
	oldVersion, oldRevision, oldRead := version, revision, readBuildInfo
	t.Cleanup(func() { version, revision, readBuildInfo = oldVersion, oldRevision, oldRead })
	version, revision = linkedVersion, linkedRevision
	readBuildInfo = func() (*debug.BuildInfo, bool) { return bi, bi != nil }
}

func buildInfo(mainVersion string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: mainVersion}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

// appUsingLibrary is the build information of someone else's program whose
// dependencies are deps: its own version must never be taken for ours.
func appUsingLibrary(deps ...*debug.Module) *debug.BuildInfo {
	return &debug.BuildInfo{Main: debug.Module{Path: "example.com/partner-tool", Version: "v9.9.9"}, Deps: deps}
}

const fullRev = "abc123def4567890abc123def4567890abc123de"

func TestVersion(t *testing.T) {
	tests := []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   string
	}{
		{"link-time value wins over build info", "v1.2.3", buildInfo("v0.9.0"), "v1.2.3"},
		{"link-time value without build info", "v1.2.3", nil, "v1.2.3"},
		{"module version from go install", "", buildInfo("v0.9.0"), "v0.9.0"},
		{"pseudo-version from go install", "", buildInfo("v0.0.0-20261126072500-abc123def456"), "v0.0.0-20261126072500-abc123def456"},
		{"(devel) from a working tree", "", buildInfo("(devel)"), "devel"},
		{"empty module version", "", buildInfo(""), "devel"},
		{"no build info", "", nil, "devel"},
		{"library in another program: the dependency's version", "", appUsingLibrary(&debug.Module{Path: modulePath, Version: "v1.4.0"}), "v1.4.0"},
		{"library replaced by another version", "", appUsingLibrary(&debug.Module{Path: modulePath, Version: "v1.4.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.4.1"}}), "v1.4.1"},
		{"library replaced by a local directory", "", appUsingLibrary(&debug.Module{Path: modulePath, Version: "v1.4.0", Replace: &debug.Module{Path: "../devicebatches"}}), "devel"},
		{"another program without this module in its deps", "", appUsingLibrary(), "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setBuild(t, tt.linked, tt.bi)
			if got := Version(); got != tt.want {
				t.Errorf("Version() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRevision(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"clean tree", buildInfo("(devel)", "vcs", "git", "vcs.revision", fullRev, "vcs.modified", "false"), "abc123def456"},
		{"dirty tree", buildInfo("(devel)", "vcs.revision", fullRev, "vcs.modified", "true"), "abc123def456-dirty"},
		{"no vcs.modified setting", buildInfo("(devel)", "vcs.revision", fullRev), "abc123def456"},
		{"short revision kept whole", buildInfo("(devel)", "vcs.revision", "abc123"), "abc123"},
		{"modified but no revision", buildInfo("(devel)", "vcs.modified", "true"), ""},
		{"no vcs settings (-buildvcs=false, go install)", buildInfo("v1.0.0", "-trimpath", "true"), ""},
		{"no build info", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setBuild(t, "", tt.bi)
			if got := Revision(); got != tt.want {
				t.Errorf("Revision() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRevisionLinkTime(t *testing.T) {
	tests := []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   string
	}{
		{"link-time revision when the build has none", fullRev, buildInfo("(devel)"), "abc123def456"},
		{"link-time revision without build info", "abc1234", nil, "abc1234"},
		{"build info wins over the link-time revision", "0000000000000000", buildInfo("(devel)", "vcs.revision", fullRev, "vcs.modified", "true"), "abc123def456-dirty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setLinked(t, "", tt.linked, tt.bi)
			if got := Revision(); got != tt.want {
				t.Errorf("Revision() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name   string
		linked string
		bi     *debug.BuildInfo
		want   string
	}{
		{"release with revision", "v1.2.3", buildInfo("(devel)", "vcs.revision", fullRev, "vcs.modified", "false"), "v1.2.3 (abc123def456)"},
		{"devel, dirty", "", buildInfo("(devel)", "vcs.revision", fullRev, "vcs.modified", "true"), "devel (abc123def456-dirty)"},
		{"go install, no revision", "", buildInfo("v1.2.3"), "v1.2.3"},
		{"nothing known", "", nil, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setBuild(t, tt.linked, tt.bi)
			if got := String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRealBuildInfo runs the functions against the test binary's own build
// information: whatever it holds, they must not panic and String must start
// with Version.
func TestRealBuildInfo(t *testing.T) {
	v, s := Version(), String()
	if v == "" {
		t.Fatal("Version() is empty")
	}
	if len(s) < len(v) || s[:len(v)] != v {
		t.Errorf("String() = %q does not start with Version() = %q", s, v)
	}
}
