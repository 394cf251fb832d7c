package pcjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/generated"
)

var statusSeeds = []string{
	`{"batchTrackingId":"t1","status":"finished_with_errors","startedTime":"2017-08-09T14:43:26.0092288","completedTime":null,"devicesStatus":[{"deviceId":null,"serialNumber":"S1","status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"},{"deviceId":"d2","status":"success","errorCode":null}],"attributes":{"objectType":"BatchUploadDetails"}}`,
	`{"batchTrackingId":"t1","status":"queued","devicesStatus":null}`,
	`{"status":"finished","devicesStatus":[null,{}],"startedTime":"","ErrorCode":5}`,
	`{"status":"finished","DEVICESSTATUS":[{"ERRORCODE":"806","errorcode":"808"}]}`,
	`{"status":"finished","devicesStatus":[{"errorCode":806}]}`,
	`{"status":"finished","devicesStatus":[{"errorCode":true}]}`,
	`{"status":"finished","devicesStatus":{}}`,
	`{"status":"finished","startedTime":"yesterday"}`,
	`{"status":"finished"} x`,
	`[]`,
}

// TestUploadStatus: a device's errorCode may be a whole number, read as its
// decimal text; anything else but a string or null is refused.
func TestUploadStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		want string // "" refused; "null" JSON null
	}{
		{`"806"`, "806"}, {`"ZtdDeviceDuplicated"`, "ZtdDeviceDuplicated"}, {`""`, ""}, {`null`, "null"},
		{`806`, "806"}, {`-1`, "-1"}, {`0`, "0"}, {`8.06e2`, "806"}, {`808.0`, "808"}, {`1E3`, "1000"},
		{`12345678901234567890123`, "12345678901234567890123"},
		{`806.5`, ""}, {`1e400`, ""}, {`true`, ""}, {`[806]`, ""}, {`{"n":806}`, ""},
	} {
		var v generated.BatchUploadDetails
		err := UploadStatus(strings.NewReader(`{"status":"finished","devicesStatus":[{"status":"failed","errorCode":`+tc.code+`}]}`), 0, &v)
		if tc.want == "" && tc.code != `""` {
			if err == nil {
				t.Errorf("errorCode %s accepted", tc.code)
			}
			continue
		}
		devs, _ := v.DevicesStatus.Get()
		if err != nil || len(devs) != 1 {
			t.Errorf("errorCode %s: %v %+v", tc.code, err, v)
			continue
		}
		if tc.want == "null" {
			if !devs[0].ErrorCode.IsNull() {
				t.Errorf("errorCode %s read as %+v", tc.code, devs[0].ErrorCode)
			}
		} else if got, err := devs[0].ErrorCode.Get(); err != nil || got != tc.want {
			t.Errorf("errorCode %s read as %q (%v), want %q", tc.code, got, err, tc.want)
		}
	}
}

// FuzzUploadStatusMatchesEncodingJSON: json.Unmarshal into the generated
// type reads what UploadStatus reads, a numeric errorCode included, and
// refuses what it refuses; what it reads is written back by json.Marshal
// and read again the same (a numeric errorCode stays a number).
func FuzzUploadStatusMatchesEncodingJSON(f *testing.F) {
	for _, s := range statusSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var got, want generated.BatchUploadDetails
		err := UploadStatus(strings.NewReader(body), 0, &got)
		werr := json.Unmarshal([]byte(body), &want)
		if werr != nil {
			if err == nil && json.Valid([]byte(body)) {
				t.Fatalf("accepted what encoding/json refuses (%v): %q", werr, body)
			}
			return
		}
		if err != nil {
			t.Fatalf("refused what encoding/json reads (%v): %q", err, body)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("read %q differently:\nencoding/json: %#v\nUploadStatus:  %#v", body, want, got)
		}
		out, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("cannot write back %q: %v", body, err)
		}
		var again generated.BatchUploadDetails
		if err := json.Unmarshal(out, &again); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("%q written back as %s reads differently (%v):\n%#v\n%#v", body, out, err, got, again)
		}
	})
}
