package pctime

import (
	"testing"
	"time"
)

// parseBothLayouts is Parse as it was before it chose the layout by looking
// at the string: RFC 3339 first, then zone-less. The two must agree.
func parseBothLayouts(s string) (DateTime, bool) {
	if len(s) < len("2006-01-02T15:04:05") || s[10] != 'T' {
		return DateTime{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return DateTime{Time: t, Raw: s, HasZone: true}, true
	}
	t, err := time.ParseInLocation(zoneless, s, time.UTC)
	if err != nil {
		return DateTime{}, false
	}
	return DateTime{Time: t, Raw: s}, true
}

var samples = []string{
	"2017-07-25T01:51:00",
	"2017-07-25T01:51:00.5",
	"2017-07-25T01:51:00Z",
	"2017-07-25T01:51:00z",
	"2017-08-09T14:43:26.0092288-07:00",
	"2017-08-09T14:43:26+02:00",
	"2017-08-09T14:43:26-0700",
	"2017-08-09T14:43:26 ",
	"2017-08-09 14:43:26",
	"2017-13-09T14:43:26",
	"2017-08-09T14:43:26.Z",
	"2017-08-09T14:43:26+",
	"not a date at all!!!",
	"",
}

func TestParseAgreesWithBothLayouts(t *testing.T) {
	for _, s := range samples {
		got, err := Parse(s)
		want, ok := parseBothLayouts(s)
		if (err == nil) != ok || !got.Time.Equal(want.Time) || got.Raw != want.Raw || got.HasZone != want.HasZone {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, ok %v", s, got, err, want, ok)
		}
	}
	if d := MustParse("2017-07-25T01:51:00"); d.HasZone || d.Time.Location() != time.UTC {
		t.Errorf("zone-less value: %+v, want UTC without zone", d)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		want, ok := parseBothLayouts(s)
		if (err == nil) != ok || !got.Time.Equal(want.Time) || got.HasZone != want.HasZone {
			t.Fatalf("Parse(%q) = %+v, %v; want %+v, ok %v", s, got, err, want, ok)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for _, s := range []string{"2017-07-25T01:51:00", "2017-08-09T14:43:26.0092288-07:00"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
