package guid

import (
	"regexp"
	"testing"
)

func TestValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"47021739-3426-40bf-9601-61b4b6d7c793", true},
		{"47021739-3426-40BF-9601-61B4B6D7C793", true},
		{"00000000-0000-0000-0000-000000000000", true},
		{"47021739-3426-f0bf-0601-61b4b6d7c793", true}, // any version/variant
		{"", false},
		{"not-a-guid", false},
		{"{47021739-3426-40bf-9601-61b4b6d7c793}", false},
		{"urn:uuid:47021739-3426-40bf-9601-61b4b6d7c793", false},
		{"4702173934264 0bf9601-61b4b6d7c793", false},
		{"470217393426-40bf-9601-61b4b6d7c7931", false},
		{"47021739-3426-40bf-9601-61b4b6d7c79g", false},
		{"47021739-3426-40bf-9601_61b4b6d7c793", false},
		{"47021739342640bf960161b4b6d7c793", false},
	} {
		if got := Valid(tc.in); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

var patternRE = regexp.MustCompile(Pattern)

// FuzzValid checks that the hand-written check and the published pattern
// agree on every input, so the wrapper and the OpenAPI tooling never differ.
func FuzzValid(f *testing.F) {
	for _, s := range []string{"47021739-3426-40bf-9601-61b4b6d7c793", "", "x", "47021739-3426-40bf-9601-61b4b6d7c79\u00e9", "47021739-3426-40bf-9601-61b4b6d7c793\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Valid(s), patternRE.MatchString(s); got != want {
			t.Fatalf("Valid(%q) = %v, pattern says %v", s, got, want)
		}
	})
}
