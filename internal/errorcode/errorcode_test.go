package errorcode

import (
	"encoding/json"
	"testing"
)

// TestText: a string, a whole number (as its decimal text) and null are
// read and written back as they came; an absent one is left out.
func TestText(t *testing.T) {
	t.Parallel()
	type device struct {
		ErrorCode Text `json:"errorCode,omitempty,omitzero"`
	}
	for _, tc := range []struct {
		in, text, out string
		null, number  bool
		refused       bool
	}{
		{in: `{"errorCode":"808"}`, text: "808", out: `{"errorCode":"808"}`},
		{in: `{"errorCode":"ZtdDeviceDuplicated"}`, text: "ZtdDeviceDuplicated", out: `{"errorCode":"ZtdDeviceDuplicated"}`},
		{in: `{"errorCode":""}`, text: "", out: `{"errorCode":""}`},
		{in: `{"errorCode":806}`, text: "806", number: true, out: `{"errorCode":806}`},
		{in: `{"errorCode":-1}`, text: "-1", number: true, out: `{"errorCode":-1}`},
		{in: `{"errorCode":8.06e2}`, text: "806", number: true, out: `{"errorCode":806}`},
		{in: `{"errorCode":12345678901234567890123}`, text: "12345678901234567890123", number: true, out: `{"errorCode":12345678901234567890123}`},
		{in: `{"errorCode":null}`, null: true, out: `{"errorCode":null}`},
		{in: `{}`, out: `{}`},
		{in: `{"errorCode":806.5}`, refused: true},
		{in: `{"errorCode":1e400}`, refused: true},
		{in: `{"errorCode":true}`, refused: true},
		{in: `{"errorCode":[806]}`, refused: true},
		{in: `{"errorCode":{"n":806}}`, refused: true},
	} {
		var d device
		err := json.Unmarshal([]byte(tc.in), &d)
		if tc.refused {
			if err == nil {
				t.Errorf("%s accepted as %+v", tc.in, d)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		got, gerr := d.ErrorCode.Get()
		specified := tc.in != `{}`
		if d.ErrorCode.IsNull() != tc.null || d.ErrorCode.IsNumber() != tc.number || d.ErrorCode.IsSpecified() != specified ||
			(gerr == nil) != (specified && !tc.null) || got != tc.text {
			t.Errorf("%s read as %+v (%q, %v)", tc.in, d.ErrorCode, got, gerr)
		}
		out, err := json.Marshal(d)
		if err != nil || string(out) != tc.out {
			t.Errorf("%s written back as %s (%v), want %s", tc.in, out, err, tc.out)
		}
	}
}

// TestTextSetters: Set, SetNumber, SetNull and SetUnspecified replace the
// whole value.
func TestTextSetters(t *testing.T) {
	t.Parallel()
	var c Text
	c.Set("808")
	if s := c.MustGet(); s != "808" || c.IsNumber() {
		t.Errorf("Set: %+v", c)
	}
	if err := c.SetNumber("806"); err != nil || c.MustGet() != "806" || !c.IsNumber() {
		t.Errorf("SetNumber: %+v %v", c, err)
	}
	if err := c.SetNumber("x"); err == nil || c.MustGet() != "806" {
		t.Errorf("SetNumber(x): %+v %v", c, err)
	}
	c.SetNull()
	if !c.IsNull() || !c.IsSpecified() || c.IsZero() {
		t.Errorf("SetNull: %+v", c)
	}
	c.SetUnspecified()
	if c.IsSpecified() || !c.IsZero() {
		t.Errorf("SetUnspecified: %+v", c)
	}
	if b, _ := c.MarshalJSON(); string(b) != "null" {
		t.Errorf("absent, not left out: %s", b)
	}
}
