package sandbox

import (
	"slices"
	"testing"
)

func TestParseDrift(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Drift
		ok   bool
	}{
		{"", nil, true},
		{"all", DriftKinds, true},
		{"wrong-type, unknown-field,wrong-type", []Drift{DriftWrongType, DriftUnknownField}, true},
		{"sideways", nil, false},
	} {
		got, err := ParseDrift(tc.in)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("ParseDrift(%q) = %v, %v", tc.in, got, err)
		}
	}
	if _, err := New(Options{Drift: []Drift{"sideways"}}); err == nil {
		t.Error("New accepted an unknown Drift")
	}
}
