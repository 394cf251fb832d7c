// Package pctime holds DateTime, the date-time type of Partner Center's
// resources (DeviceBatch.creationDate, Device.uploadedDate).
//
// Partner Center documents these fields as UTC date-times but sends
// creationDate without a zone ("2017-07-25T01:51:00") and uploadedDate with an
// offset and seven fractional digits ("2017-08-09T14:43:26.0092288-07:00").
// time.Time's JSON decoding rejects the first form, so the generated client
// uses this type instead (x-go-type in openapi/partnercenter.yaml).
package pctime

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// zoneless is the layout of a Partner Center date-time without a zone; the
// fractional seconds are optional when parsing with ".999999999".
const zoneless = "2006-01-02T15:04:05.999999999"

// DateTime is a Partner Center date-time as the service sent it. Raw keeps
// the exact text so that output written back (JSON, tables) is unchanged;
// Time is the parsed instant, in UTC when the service sent no zone. Set
// Time to another instant and String, MarshalJSON and MarshalText write
// Time instead (RFC 3339): Raw is written only while it still denotes
// Time.
type DateTime struct {
	Time time.Time
	// Raw is the value exactly as sent, such as "2017-07-25T01:51:00".
	Raw string
	// HasZone reports whether Raw carried "Z" or an offset.
	HasZone bool
}

// Parse reads a Partner Center date-time: RFC 3339 (with or without
// fractional seconds) or the same without a zone, which is taken as UTC.
// Every field has RFC 3339's two digits (time.Parse would take a one-digit
// hour), with or without a zone. "" is not a date-time (the decoders read
// it as no date, the zero DateTime, before calling Parse).
func Parse(s string) (DateTime, error) {
	// Only the 'T' form is accepted: the service never sends a space, and a
	// lenient parse would let a non-date through. The separators' places
	// make the hour two digits, as RFC 3339 has it, in every form (and put
	// a zone's sign at index 19 or later, as hasZone expects).
	if len(s) < len("2006-01-02T15:04:05") || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return DateTime{}, fmt.Errorf("pctime: %q is not a date-time like 2017-07-25T01:51:00 or 2017-07-25T01:51:00Z", s)
	}
	// Pick the one layout that can match instead of trying RFC 3339 first:
	// a failed time.Parse allocates its error, and the zone-less form is
	// what creationDate always carries. A zone is "Z" or a sign after the
	// seconds (the date's own '-' signs come before index 19).
	if hasZone(s) {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return DateTime{Time: t, Raw: s, HasZone: true}, nil
		}
		return DateTime{}, fmt.Errorf("pctime: %q is not a date-time like 2017-07-25T01:51:00 or 2017-07-25T01:51:00Z", s)
	}
	if t, ok := parseSeconds(s); ok {
		return DateTime{Time: t, Raw: s}, nil
	}
	t, err := time.ParseInLocation(zoneless, s, time.UTC)
	if err != nil {
		return DateTime{}, fmt.Errorf("pctime: %q is not a date-time like 2017-07-25T01:51:00 or 2017-07-25T01:51:00Z", s)
	}
	return DateTime{Time: t, Raw: s}, nil
}

// parseSeconds is time.ParseInLocation(zoneless, s, time.UTC) for the
// form creationDate always has, "2017-07-25T01:51:00" (no fraction, no
// zone), without the layout walk: ok only when every field is in range as
// time.Parse checks it; anything else is left to time.Parse.
func parseSeconds(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02T15:04:05") || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	hour, ok4 := num(11, 2)
	minute, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	// The month's last day: time.Date normalises past it, time.Parse refuses.
	if day > 28 && time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() != day {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

func hasZone(s string) bool {
	last := s[len(s)-1]
	return last == 'Z' || last == 'z' || strings.ContainsAny(s[19:], "+-")
}

// MustParse is Parse for literals in tests and examples; it panics on a
// malformed value, so never use it on input.
func MustParse(s string) DateTime {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the value as the service sent it (Raw) while Raw still
// denotes Time; once Time has been changed to another instant, Time in RFC
// 3339 with as many fractional digits as it needs. A DateTime built from
// Raw alone (Time zero) is Raw, when Raw is a date-time.
func (d DateTime) String() string {
	if d.rawShown() {
		return d.Raw
	}
	if d.Time.IsZero() {
		return ""
	}
	return d.Time.Format(time.RFC3339Nano)
}

// rawShown reports whether String writes Raw: it denotes Time, or Time
// is zero and Raw is a date-time of its own.
func (d DateTime) rawShown() bool {
	if d.Raw == "" {
		return false
	}
	if d.Time.IsZero() {
		if _, _, ok := instant(d.Raw); ok {
			return true
		}
		_, err := Parse(d.Raw)
		return err == nil
	}
	return d.rawHolds()
}

// rawHolds reports whether Raw parses to the instant Time holds.
func (d DateTime) rawHolds() bool {
	if sec, nsec, ok := instant(d.Raw); ok {
		return sec == d.Time.Unix() && nsec == d.Time.Nanosecond()
	}
	p, err := Parse(d.Raw)
	return err == nil && p.Time.Equal(d.Time)
}

// instant is the instant of s, as Unix seconds and nanoseconds, in the
// forms Partner Center sends: "2017-07-25T01:51:00" with up to nine
// fractional digits and "Z", an offset ("-07:00") or no zone. It is
// arithmetic on the digits, not time.Parse, as String checks every date it
// writes; ok is false for anything else, which Parse then decides.
func instant(s string) (sec int64, nsec int, ok bool) {
	const secs = len("2006-01-02T15:04:05")
	if len(s) < secs || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, 0, false
	}
	year := digits2(s[0:2])*100 + digits2(s[2:4])
	month, day := digits2(s[5:7]), digits2(s[8:10])
	hour, minute, second := digits2(s[11:13]), digits2(s[14:16]), digits2(s[17:19])
	if min(year, month, day, hour, minute, second) < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 {
		return 0, 0, false
	}
	rest := s[secs:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			if i > 9 {
				return 0, 0, false
			}
			nsec = nsec*10 + int(rest[i]-'0')
		}
		if i == 1 {
			return 0, 0, false
		}
		for range 10 - i {
			nsec *= 10
		}
		rest = rest[i:]
	}
	sec = daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60+second)
	switch {
	case rest == "" || rest == "Z":
		return sec, nsec, true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		h, m := digits2(rest[1:3]), digits2(rest[4:6])
		if h < 0 || h > 23 || m < 0 || m > 59 {
			return 0, 0, false
		}
		off := int64(h*3600 + m*60)
		if rest[0] == '-' {
			off = -off
		}
		return sec - off, nsec, true
	}
	return 0, 0, false
}

// daysIn is the number of days of month in year (proleptic Gregorian).
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch is the number of days from 1970-01-01 to the date, for a
// year from 0 (H. Hinnant's days_from_civil).
func daysSinceEpoch(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// digits2 is the value of two ASCII digits, or -1.
func digits2(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

// IsZero reports whether no value is set: Time is zero and Raw is empty
// or not a date-time. Clear a date with the zero DateTime: Raw alone, with
// a zero Time, is a date.
func (d DateTime) IsZero() bool { return d.Time.IsZero() && !d.rawShown() }

// MarshalJSON writes String: the value exactly as it was received, unless
// Time was changed since.
func (d DateTime) MarshalJSON() ([]byte, error) {
	s := d.String()
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

var errNotString = errors.New("pctime: a date-time must be a JSON string")

// UnmarshalJSON accepts both forms Partner Center sends and rejects anything
// else that is not a date-time. JSON null leaves the value unchanged; ""
// (the service saying there is no date) reads as the zero DateTime, which
// prints back as "", so that one dateless item does not fail a whole answer.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return errNotString
	}
	if len(b) == 2 {
		*d = DateTime{}
		return nil
	}
	s := string(b[1 : len(b)-1])
	if strings.IndexByte(s, '\\') >= 0 {
		// Dates never need escapes; refuse rather than guess.
		return fmt.Errorf("pctime: %s is not a date-time", b)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText and UnmarshalText let the type serve as a query or header
// parameter and in encoding packages other than JSON.
func (d DateTime) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses text with Parse; empty text is the zero DateTime,
// as "" is in JSON.
func (d *DateTime) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = DateTime{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
