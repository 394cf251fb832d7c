package pctime

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    time.Time
		hasZone bool
		ok      bool
	}{
		{"2017-07-25T01:51:00", time.Date(2017, 7, 25, 1, 51, 0, 0, time.UTC), false, true},
		{"2017-07-25T01:51:00.123", time.Date(2017, 7, 25, 1, 51, 0, 123e6, time.UTC), false, true},
		{"2017-07-25T01:51:00Z", time.Date(2017, 7, 25, 1, 51, 0, 0, time.UTC), true, true},
		{"2017-08-09T14:43:26.0092288-07:00", time.Date(2017, 8, 9, 21, 43, 26, 9228800, time.UTC), true, true},
		{"yesterday", time.Time{}, false, false},
		{"2017-13-45T00:00:00", time.Time{}, false, false},
		{"2017-07-25 01:51:00", time.Time{}, false, false},
		{"2017-07-25", time.Time{}, false, false},
		// RFC 3339's hour has two digits, with a zone or without.
		{"2017-07-25T1:51:00+00:00", time.Time{}, false, false},
		{"2017-07-25T1:51:00Z", time.Time{}, false, false},
		{"2017-07-25T1:51:00.5", time.Time{}, false, false},
		{"2017-07-25T1:51:00", time.Time{}, false, false},
		{"2017-07-25T01:51:00+00:00", time.Date(2017, 7, 25, 1, 51, 0, 0, time.UTC), true, true},
		{"", time.Time{}, false, false},
	} {
		d, err := Parse(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if !tc.ok {
			continue
		}
		if !d.Time.Equal(tc.want) || d.HasZone != tc.hasZone || d.Raw != tc.in || d.String() != tc.in {
			t.Errorf("Parse(%q) = %+v, want %v zone=%v", tc.in, d, tc.want, tc.hasZone)
		}
	}
}

func TestJSONRoundTripKeepsValueAsSent(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"2017-07-25T01:51:00"`, `"2017-08-09T14:43:26.0092288-07:00"`} {
		var d DateTime
		if err := json.Unmarshal([]byte(in), &d); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(d)
		if err != nil || string(out) != in {
			t.Errorf("round trip %s = %s, %v", in, out, err)
		}
	}
	var d DateTime
	for _, bad := range []string{`5`, `"yesterday"`, `"2017-07-25T01:51:00\u005a"`, `{}`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := json.Unmarshal([]byte(`null`), &d); err != nil || !d.IsZero() {
		t.Errorf("null: %v %+v", err, d)
	}
}

// TestEmptyIsNoDate: "" is the service saying "no date": it reads as the
// zero DateTime (in JSON and as text) and prints back as "", where any other
// text that is not a date-time is still refused.
func TestEmptyIsNoDate(t *testing.T) {
	t.Parallel()
	d := MustParse("2017-07-25T01:51:00")
	if err := json.Unmarshal([]byte(`""`), &d); err != nil || d != (DateTime{}) || !d.IsZero() {
		t.Fatalf(`"": %v %+v, want the zero DateTime`, err, d)
	}
	if out, err := json.Marshal(d); err != nil || string(out) != `""` {
		t.Errorf(`"" prints back as %s, %v`, out, err)
	}
	d = MustParse("2017-07-25T01:51:00")
	if err := d.UnmarshalText(nil); err != nil || d != (DateTime{}) {
		t.Errorf("empty text: %v %+v, want the zero DateTime", err, d)
	}
	for _, bad := range []string{`" "`, `"\u0000"`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := Parse(""); err == nil {
		t.Error(`Parse("") accepted: "" is no date-time, only JSON's way to say there is none`)
	}
}

// FuzzParse: never panics; whatever parses prints back exactly as given and
// is a valid time.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2017-07-25T01:51:00", "2017-08-09T14:43:26.0092288-07:00", "2017-07-25T01:51:00Z", "x", "2017-07-25T01:51:00+99:99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("String() = %q, want %q", d.String(), s)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back DateTime
		if err := json.Unmarshal(b, &back); err != nil || !back.Time.Equal(d.Time) {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

// parseBothLayouts is Parse as it was before it chose the layout by looking
// at the string: RFC 3339 first, then zone-less. The two must agree. Both
// layouts' "15" reads a one-digit hour too, which RFC 3339 has not and
// Parse refuses in every form.
func parseBothLayouts(s string) (DateTime, bool) {
	if len(s) < len("2006-01-02T15:04:05") || s[10] != 'T' || !isDigit(s[11]) || !isDigit(s[12]) {
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

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

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
	"2017-07-25T1:51:00+00:00",
	"2017-07-25T1:51:00Z",
	"2017-07-25T1:51:00.5",
	"2017-07-25T1:51:00.5-07:00",
	"0000-01-01T0:00:00+00:00",
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

func FuzzParseAgreesWithBothLayouts(f *testing.F) {
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

// TestParseSecondsMatchesTimeParse: the fast path for "2006-01-02T15:04:05"
// accepts exactly what time.ParseInLocation accepts, with the same instant,
// on valid dates, every month's last days, and fields out of range.
func TestParseSecondsMatchesTimeParse(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var cases []string
	for _, y := range []int{0, 1, 1900, 2000, 2017, 2023, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, r.IntN(26), r.IntN(62), r.IntN(62)))
			}
		}
	}
	cases = append(cases, "2017-07-25T01:51:00", "2017-07-25T24:00:00", "2017-07-25T23:60:00", "2017-07-25T23:59:60",
		"2017-07-25T1:51:000", "2017-07-25 01:51:00", "2017-07-25T01-51-00", "+017-07-25T01:51:00", "2017-07-25T01:51:0a", "٢017-07-25T01:51:00")
	for range 2000 {
		b := []byte("2017-07-25T01:51:00")
		b[r.IntN(len(b))] = "0123456789-:T +"[r.IntN(15)]
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want, werr := time.ParseInLocation(zoneless, s, time.UTC)
		got, ok := parseSeconds(s)
		if ok && (werr != nil || !got.Equal(want) || got.Location() != want.Location()) {
			t.Fatalf("%q: fast path %v, time.Parse %v, %v", s, got, want, werr)
		}
		if !ok && werr == nil && len(s) == 19 {
			t.Fatalf("%q: fast path refused what time.Parse accepts (%v)", s, want)
		}
	}
}

// BenchmarkString is what -o table and -o csv pay per date: the text of an
// unmodified date as sent.
func BenchmarkString(b *testing.B) {
	for _, s := range []string{"2017-07-25T01:51:00", "2017-08-09T14:43:26.0092288-07:00"} {
		d := MustParse(s)
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d.String() != s {
					b.Fatal("changed")
				}
			}
		})
	}
}

// TestChangedTimeIsWritten: Raw is written only while it still denotes
// Time. Once Time holds another instant, String, MarshalJSON and
// MarshalText write Time in RFC 3339 (fractional seconds as needed), so
// that the three never disagree with Time; the same instant in another
// zone keeps the text as sent.
func TestChangedTimeIsWritten(t *testing.T) {
	t.Parallel()
	cest := time.FixedZone("CEST", 2*3600)
	for _, tc := range []struct {
		raw    string
		change func(time.Time) time.Time
		want   string
	}{
		{"2017-07-25T01:51:00", func(t time.Time) time.Time { return t }, "2017-07-25T01:51:00"},
		{"2017-07-25T01:51:00", func(t time.Time) time.Time { return t.In(cest) }, "2017-07-25T01:51:00"},
		{"2017-07-25T01:51:00", func(t time.Time) time.Time { return t.In(cest).Add(24 * time.Hour) }, "2017-07-26T03:51:00+02:00"},
		{"2017-07-25T01:51:00", func(t time.Time) time.Time { return t.Add(time.Second) }, "2017-07-25T01:51:01Z"},
		{"2017-07-25T01:51:00", func(t time.Time) time.Time { return t.Add(1500 * time.Millisecond) }, "2017-07-25T01:51:01.5Z"},
		{"2017-07-25T01:51:00.123", func(t time.Time) time.Time { return t.Add(-123 * time.Millisecond) }, "2017-07-25T01:51:00Z"},
		{"2017-08-09T14:43:26.0092288-07:00", func(t time.Time) time.Time { return t.UTC() }, "2017-08-09T14:43:26.0092288-07:00"},
		{"2017-08-09T14:43:26.0092288-07:00", func(t time.Time) time.Time { return t.Add(time.Nanosecond) }, "2017-08-09T14:43:26.009228801-07:00"},
	} {
		d := MustParse(tc.raw)
		d.Time = tc.change(d.Time)
		j, _ := json.Marshal(d)
		txt, _ := d.MarshalText()
		if d.String() != tc.want || string(j) != `"`+tc.want+`"` || string(txt) != tc.want || d.IsZero() != (tc.want == "") {
			t.Errorf("%s, Time set to %v: String %q, JSON %s, text %q; want %q", tc.raw, d.Time, d.String(), j, txt, tc.want)
		}
	}
}

// TestRawAloneIsWritten: a DateTime built from Raw alone (Time zero), as
// before Time was compared, is Raw when Raw is a date-time, and no date
// when it is not; Time set beside it decides as usual.
func TestRawAloneIsWritten(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    DateTime
		want string
	}{
		{DateTime{Raw: "2017-07-25T01:51:00"}, "2017-07-25T01:51:00"},
		{DateTime{Raw: "2017-08-09T14:43:26.0092288-07:00", HasZone: true}, "2017-08-09T14:43:26.0092288-07:00"},
		{DateTime{Raw: "2017-07-25 01:51"}, ""},
		{DateTime{Raw: "not a date"}, ""},
		{DateTime{}, ""},
		{DateTime{Raw: "2017-07-25T01:51:00", Time: time.Date(2018, 1, 2, 3, 4, 5, 0, time.UTC)}, "2018-01-02T03:04:05Z"},
	} {
		j, _ := json.Marshal(tc.d)
		txt, _ := tc.d.MarshalText()
		if tc.d.String() != tc.want || string(j) != `"`+tc.want+`"` || string(txt) != tc.want || tc.d.IsZero() != (tc.want == "") {
			t.Errorf("Raw %q, Time %v: String %q, JSON %s, text %q, IsZero %v; want %q", tc.d.Raw, tc.d.Time, tc.d.String(), j, txt, tc.d.IsZero(), tc.want)
		}
	}
}

// TestInstantAgreesWithParse: String's check without time.Parse accepts
// only what Parse accepts, with the same instant, so an unmodified date is
// always written as sent.
func TestInstantAgreesWithParse(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	cases := append([]string{}, samples...)
	cases = append(cases, "0000-01-01T00:00:00", "9999-12-31T23:59:59.999999999+23:59", "2024-02-29T00:00:00", "2023-02-29T00:00:00",
		"1900-02-29T00:00:00", "2000-02-29T12:00:00-00:00", "1969-12-31T23:59:59.1234567890", "2017-07-25T01:51:00.", "2017-07-25T01:51:00+24:00")
	for range 20000 {
		frac := []string{"", ".5", ".0092288", ".123456789", "."}[r.IntN(5)]
		zone := []string{"", "Z", "z", "-07:00", "+14:00", "+05:60", "+7:00"}[r.IntN(7)]
		cases = append(cases, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", r.IntN(10000), r.IntN(14), r.IntN(33), r.IntN(25), r.IntN(61), r.IntN(61), frac, zone))
	}
	for _, s := range cases {
		sec, nsec, ok := instant(s)
		d, err := Parse(s)
		if ok && (err != nil || sec != d.Time.Unix() || nsec != d.Time.Nanosecond()) {
			t.Errorf("instant(%q) = %d.%09d; Parse: %v %v", s, sec, nsec, d.Time, err)
		}
		if err == nil && d.String() != s {
			t.Errorf("unmodified %q written as %q", s, d.String())
		}
	}
}
