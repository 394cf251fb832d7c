package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

const trackingPath = "/customers/" + testCustomer + "/batchJobStatus/"

var oneDevice = []DeviceUpload{{SerialNumber: "PF3ZK1A0", HardwareHash: "T0GlAwEAHAB5cQ=="}}

func TestUploadTrackingIDFromEveryLinkShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter, base string)
		want   string // tracking id; "" when the call must fail
	}{
		{"202 Location without /v1", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", trackingPath+"a1b2")
			w.WriteHeader(http.StatusAccepted)
		}, "a1b2"},
		{"202 Location with /v1", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", "/v1"+trackingPath+"c3d4")
			w.WriteHeader(http.StatusAccepted)
		}, "c3d4"},
		{"202 absolute Location on the service", func(w http.ResponseWriter, base string) {
			w.Header().Set("Location", base+"/v1"+trackingPath+"e5f6")
			w.WriteHeader(http.StatusAccepted)
		}, "e5f6"},
		{"202 Location with /v1//v1", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", "/v1//v1"+trackingPath+"c5")
			w.WriteHeader(http.StatusAccepted)
		}, "c5"},
		{"202 Location with an escaped / in the tracking id", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", trackingPath+"t%2F5")
			w.WriteHeader(http.StatusAccepted)
		}, "t/5"},
		{"202 absolute Location with an escaped space", func(w http.ResponseWriter, base string) {
			w.Header().Set("Location", base+"/v1"+trackingPath+"t%205")
			w.WriteHeader(http.StatusAccepted)
		}, "t 5"},
		{"200 status link with an escaped / in the tracking id", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusOK, `{"uri":"`+trackingPath+`t%2F6"}`)
		}, "t/6"},
		{"200 with the status link in the body", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusOK, `{"uri":"`+trackingPath+`g7h8","method":"GET","headers":[]}`)
		}, "g7h8"},
		{"202 with the status link in the body", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusAccepted, `{"uri":"`+trackingPath+`j10","method":"GET","headers":[]}`)
		}, "j10"},
		{"202 with Location and a status link in the body: Location wins", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", trackingPath+"k11")
			writeBody(w, http.StatusAccepted, `{"uri":"`+trackingPath+`other"}`)
		}, "k11"},
		{"200 with a BOM before the body", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusOK, "\ufeff"+`{"uri":"`+trackingPath+`i9"}`)
		}, "i9"},
		{"Location on another host", func(w http.ResponseWriter, _ string) {
			w.Header().Set("Location", "https://evil.example.com/v1"+trackingPath+"x")
			w.WriteHeader(http.StatusAccepted)
		}, ""},
		{"no Location and no body", func(w http.ResponseWriter, _ string) {
			w.WriteHeader(http.StatusAccepted)
		}, ""},
		{"200 body that is not a link", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusOK, `<html>`)
		}, ""},
		{"202 body that is not a link", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusAccepted, `<html>`)
		}, ""},
		{"202 body with an empty uri", func(w http.ResponseWriter, _ string) {
			writeBody(w, http.StatusAccepted, `{"uri":""}`)
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.answer(w, srv.URL)
			}))
			defer srv.Close()
			c := offContractClient(t, srv)
			for _, op := range []string{"create", "add", "assign"} {
				var got string
				var err error
				switch op {
				case "create":
					got, err = c.CreateDeviceBatch(context.Background(), testCustomer, "Test batch", oneDevice)
				case "add":
					got, err = c.AddDevices(context.Background(), testCustomer, "Test batch", oneDevice)
				case "assign":
					got, err = c.AssignProfile(context.Background(), testCustomer, "profile-1", []string{"dev-1"})
				}
				if tt.want == "" {
					// A 2xx: the request was accepted, and the error
					// must say so and warn against sending it again.
					var de *DecodeError
					if !errors.As(err, &de) {
						t.Errorf("%s: got %q, %v; want a *DecodeError", op, got, err)
					} else if msg := err.Error(); !strings.Contains(msg, "says the request was accepted") || !strings.Contains(msg, "do not send the request again") {
						t.Errorf("%s: %s; want it to say the request was accepted and not to send it again", op, msg)
					}
					continue
				}
				if err != nil || got != tt.want {
					t.Errorf("%s: got %q, %v; want %q", op, got, err, tt.want)
				}
			}
		})
	}
}

// TestWriteInputRefusedBeforeIO: every invalid input is an
// *InvalidArgumentError and no request is sent.
func TestWriteInputRefusedBeforeIO(t *testing.T) {
	t.Parallel()
	var calls sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Store(r.URL.Path, true)
		w.WriteHeader(500)
	}))
	defer srv.Close()
	c := offContractClient(t, srv)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"create: customer not a GUID", func() error { _, err := c.CreateDeviceBatch(ctx, "contoso", "b", oneDevice); return err }},
		{"create: empty batch", func() error { _, err := c.CreateDeviceBatch(ctx, testCustomer, " ", oneDevice); return err }},
		{"create: dot batch", func() error { _, err := c.CreateDeviceBatch(ctx, testCustomer, "..", oneDevice); return err }},
		{"create: no devices", func() error { _, err := c.CreateDeviceBatch(ctx, testCustomer, "b", nil); return err }},
		{"create: serial alone", func() error {
			_, err := c.CreateDeviceBatch(ctx, testCustomer, "b", []DeviceUpload{{SerialNumber: "S1"}})
			return err
		}},
		{"create: blank values", func() error {
			_, err := c.CreateDeviceBatch(ctx, testCustomer, "b", []DeviceUpload{{SerialNumber: " ", ProductKey: "  "}})
			return err
		}},
		{"add: empty policy value", func() error {
			_, err := c.AddDevices(ctx, testCustomer, "b", []DeviceUpload{{ProductKey: "P", Policies: []PolicyAssignment{{Key: "o_o_b_e"}}}})
			return err
		}},
		{"add: empty devices", func() error { _, err := c.AddDevices(ctx, testCustomer, "b", []DeviceUpload{}); return err }},
		{"status: empty tracking id", func() error { _, err := c.GetBatchUploadStatus(ctx, testCustomer, ""); return err }},
		{"status: dot tracking id", func() error { _, err := c.GetBatchUploadStatus(ctx, testCustomer, "."); return err }},
		{"wait: bad customer", func() error { _, err := c.WaitForBatchUpload(ctx, "x", "t", nil); return err }},
		{"delete: empty device", func() error { return c.DeleteDevice(ctx, testCustomer, "b", "") }},
		{"delete: empty batch", func() error { return c.DeleteDevice(ctx, testCustomer, "", "d") }},
		{"assign: empty profile", func() error { _, err := c.AssignProfile(ctx, testCustomer, "", []string{"d"}); return err }},
		{"assign: no devices", func() error { _, err := c.AssignProfile(ctx, testCustomer, "p", nil); return err }},
		{"assign: empty device", func() error { _, err := c.AssignProfile(ctx, testCustomer, "p", []string{"d", ""}); return err }},
		{"assign: repeated device", func() error { _, err := c.AssignProfile(ctx, testCustomer, "p", []string{"d", "e", "d"}); return err }},
		{"assign: profile with spaces around", func() error { _, err := c.AssignProfile(ctx, testCustomer, " p ", []string{"d"}); return err }},
		{"assign: profile with a trailing tab", func() error { _, err := c.AssignProfile(ctx, testCustomer, "p\t", []string{"d"}); return err }},
		{"assign: device with spaces around", func() error { _, err := c.AssignProfile(ctx, testCustomer, "p", []string{" abc "}); return err }},
		{"assign: device repeated but for a space", func() error {
			_, err := c.AssignProfile(ctx, testCustomer, "p", []string{"abc", "abc "})
			return err
		}},
		{"policies: bad customer", func() error { _, err := c.ListConfigurationPolicies(ctx, ""); return err }},
	}
	for _, tt := range tests {
		err := tt.call()
		var ia *InvalidArgumentError
		if !errors.As(err, &ia) {
			t.Errorf("%s: error %v (%T), want *InvalidArgumentError", tt.name, err, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: message is not one line: %q", tt.name, err)
		}
	}
	calls.Range(func(k, _ any) bool {
		t.Errorf("a request was sent: %v", k)
		return true
	})
}

// TestUploadNeverSendsEmptyValues: empty strings and an empty policy list
// are left out of the body, as the service answers "policies": [] with 500.
func TestUploadNeverSendsEmptyValues(t *testing.T) {
	t.Parallel()
	var bodies [][]byte
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.Header().Set("Location", trackingPath+"t")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	c := offContractClient(t, srv)
	devs := []DeviceUpload{{SerialNumber: " PF3ZK1A0 ", HardwareHash: "T0Gl", ProductKey: "", Policies: []PolicyAssignment{}}}
	if _, err := c.CreateDeviceBatch(context.Background(), testCustomer, "b", devs); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddDevices(context.Background(), testCustomer, "b", devs); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"batchId":"b","devices":[{"hardwareHash":"T0Gl","serialNumber":"PF3ZK1A0"}]}`,
		`[{"hardwareHash":"T0Gl","serialNumber":"PF3ZK1A0"}]`,
	}
	for i, b := range bodies {
		if got := strings.TrimSpace(string(b)); got != want[i] {
			t.Errorf("body %d = %s, want %s", i, got, want[i])
		}
	}
	if devs[0].Policies == nil || devs[0].SerialNumber != " PF3ZK1A0 " {
		t.Error("the caller's devices were modified")
	}
}

// TestPostRetriesKeepRequestID: a POST answered 503 is retried with the same
// MS-RequestId; one answered 500 is not retried (it may have been carried
// out). PATCH follows the same rule.
func TestPostRetriesKeepRequestID(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		tries  int
		ok     bool
	}{
		{"503 then 202", 503, 2, true},
		{"429 then 202", 429, 2, true},
		{"500 not retried", 500, 1, false},
		{"502 not retried", 502, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := newLoopbackServer(t, rec, func(w http.ResponseWriter, r *http.Request, n int) {
				if n%2 == 0 {
					w.Header().Set("Retry-After", "1")
					writeBody(w, tc.status, `{"code":3000,"description":"busy"}`)
					return
				}
				io.Copy(io.Discard, r.Body)
				w.Header().Set("Location", trackingPath+"t1")
				w.WriteHeader(http.StatusAccepted)
			})
			synctest.Test(t, func(t *testing.T) {
				c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{MaxRetries: 3}, nil)
				for _, call := range []func() (string, error){
					func() (string, error) { return c.CreateDeviceBatch(context.Background(), testCustomer, "b", oneDevice) },
					func() (string, error) {
						return c.AssignProfile(context.Background(), testCustomer, "p", []string{"d"})
					},
				} {
					before := len(rec.headers)
					id, err := call()
					if tc.ok != (err == nil) || (tc.ok && id != "t1") {
						t.Fatalf("got %q, %v", id, err)
					}
					tries := rec.headers[before:]
					if len(tries) != tc.tries {
						t.Fatalf("%d tries, want %d", len(tries), tc.tries)
					}
					for _, h := range tries {
						if h.Get("MS-RequestId") == "" || h.Get("MS-RequestId") != tries[0].Get("MS-RequestId") {
							t.Errorf("MS-RequestIds differ between tries: %q, %q", tries[0].Get("MS-RequestId"), h.Get("MS-RequestId"))
						}
					}
					if len(rec.headers)%2 == 1 { // keep the server's 2-step cycle aligned
						rec.add(httptest.NewRequest("GET", "/", nil))
					}
				}
			})
		})
	}
}

func TestCreateRefusedForAppOnlyToken(t *testing.T) {
	t.Parallel()
	for _, status := range []int{401, 403} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeBody(w, status, `{"code":900,"description":"Access denied","source":"PartnerFD"}`)
		}))
		c := offContractClient(t, srv)
		_, err := c.CreateDeviceBatch(context.Background(), testCustomer, "b", oneDevice)
		srv.Close()
		var su *UserSignInRequiredError
		var re *ResponseError
		if !errors.As(err, &su) || !errors.As(err, &re) || re.StatusCode != status {
			t.Fatalf("%d: error %v (%T)", status, err, err)
		}
		// Both likely causes, neither asserted; no CLI flags in library
		// text (the CLI adds its own advice).
		for _, want := range []string{"needs an App+User (delegated) token", "Partner Center refused this one", "an app-only token", "GDAP access", "HTTP " + fmt.Sprint(status)} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%d: %q lacks %q", status, err, want)
			}
		}
		for _, not := range []string{"--auth", "likely app-only", "\n"} {
			if strings.Contains(err.Error(), not) {
				t.Errorf("%d: %q has %q", status, err, not)
			}
		}
		if strings.Contains(err.Error(), testToken) {
			t.Error("the token is in the error")
		}
	}
}

// statusServer answers batchJobStatus with the given statuses in turn (the
// last one repeating) and records when each request came.
type statusServer struct {
	mu       sync.Mutex
	statuses []string
	n        int
}

func (s *statusServer) handle(w http.ResponseWriter, r *http.Request, _ int) {
	s.mu.Lock()
	st := s.statuses[min(s.n, len(s.statuses)-1)]
	s.n++
	s.mu.Unlock()
	dev := `{"serialNumber":"S1","status":"in-progress"}`
	switch st {
	case UploadFinished:
		dev = `{"deviceId":"d1","serialNumber":"S1","status":"success"}`
	case UploadFinishedWithErrors:
		dev = `{"serialNumber":"OTHER-1","status":"failed","errorCode":"808","errorDescription":"ZtdDeviceAssignedToOtherTenant"}`
	}
	writeBody(w, 200, fmt.Sprintf(`{"batchTrackingId":"t1","status":%q,"startedTime":"2026-01-01T00:00:00","completedTime":null,"devicesStatus":[%s]}`, st, dev))
}

func TestWaitForBatchUpload(t *testing.T) {
	tests := []struct {
		name     string
		statuses []string
		timeout  time.Duration
		want     string
		polls    []time.Duration // when each read was made, on the bubble's clock
		err      bool
	}{
		{"finished", []string{"queued", "processing", "processing", "finished"}, time.Hour, UploadFinished,
			[]time.Duration{0, 2 * time.Second, 6 * time.Second, 14 * time.Second}, false},
		{"finished_with_errors at once", []string{"finished_with_errors"}, time.Hour, UploadFinishedWithErrors,
			[]time.Duration{0}, false},
		{"backoff reaches 30 s", []string{"queued", "queued", "queued", "queued", "queued", "queued", "queued", "finished"}, time.Hour, UploadFinished,
			[]time.Duration{0, 2 * time.Second, 6 * time.Second, 14 * time.Second, 30 * time.Second, 60 * time.Second, 90 * time.Second, 120 * time.Second}, false},
		{"context deadline", []string{"queued", "processing"}, 20 * time.Second, UploadProcessing,
			[]time.Duration{0, 2 * time.Second, 6 * time.Second, 14 * time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := &statusServer{statuses: tt.statuses}
			rec := &recorder{}
			srv := newLoopbackServer(t, rec, ss.handle)
			synctest.Test(t, func(t *testing.T) {
				c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{MaxRetries: -1}, nil)
				ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
				defer cancel()
				start := time.Now()
				var polls []time.Duration
				var seen []string
				d, err := c.WaitForBatchUpload(ctx, testCustomer, "t1", &WaitOptions{Progress: func(d BatchUploadDetails) {
					polls = append(polls, time.Since(start))
					seen = append(seen, d.Status)
				}})
				if tt.err != (err != nil) {
					t.Fatalf("error %v", err)
				}
				if tt.err && (!errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still processing")) {
					t.Errorf("error %q does not say the upload is still processing past the deadline", err)
				}
				if d.Status != tt.want {
					t.Errorf("status %q, want %q", d.Status, tt.want)
				}
				if fmt.Sprint(polls) != fmt.Sprint(tt.polls) {
					t.Errorf("reads at %v, want %v (statuses %v)", polls, tt.polls, seen)
				}
				if tt.want == UploadFinishedWithErrors {
					devs := UploadDevices(d)
					if len(devs) != 1 || DeviceRegistered(devs[0]) || UploadErrorHint("808", "") == "" {
						t.Errorf("devices %+v", devs)
					}
				}
			})
		})
	}
}

func TestWaitForBatchUploadJSONIsVerbatim(t *testing.T) {
	t.Parallel()
	body := `{"batchTrackingId":"t1","status":"finished","devicesStatus":[{"serialNumber":"S1","status":"success","extra":null}],"future":1}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { writeBody(w, 200, body) }))
	defer srv.Close()
	c := offContractClient(t, srv)
	raw, d, err := c.WaitForBatchUploadJSON(context.Background(), testCustomer, "t1", nil)
	if err != nil || string(raw) != body || d.Status != UploadFinished {
		t.Fatalf("%s, %+v, %v", raw, d, err)
	}
	var v map[string]any
	if json.Unmarshal(raw, &v) != nil {
		t.Fatal("not JSON")
	}
}

// TestWaitForBatchUploadJSONKeepsLastStatus: a wait cut short returns the
// last status read as sent, so that a caller can still print it.
func TestWaitForBatchUploadJSONKeepsLastStatus(t *testing.T) {
	ss := &statusServer{statuses: []string{"queued", "processing"}}
	srv := newLoopbackServer(t, &recorder{}, ss.handle)
	synctest.Test(t, func(t *testing.T) {
		c := newRetryClient(t, srv.URL, nil, policy.RetryOptions{MaxRetries: -1}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		raw, d, err := c.WaitForBatchUploadJSON(ctx, testCustomer, "t1", nil)
		if !errors.Is(err, context.DeadlineExceeded) || d.Status != UploadProcessing {
			t.Fatalf("status %q, error %v", d.Status, err)
		}
		if !strings.HasPrefix(string(raw), `{"batchTrackingId":"t1","status":"processing",`) {
			t.Errorf("JSON %q, want the last status as sent", raw)
		}
	})
}

func TestDeviceOutcomes(t *testing.T) {
	t.Parallel()
	dev := func(status, code, desc string) DeviceUploadDetails {
		var d DeviceUploadDetails
		d.Status = status
		if code != "" {
			d.ErrorCode.Set(code)
		}
		if desc != "" {
			d.ErrorDescription.Set(desc)
		}
		return d
	}
	tests := []struct {
		d          DeviceUploadDetails
		registered bool
		done       bool
		hint       string
	}{
		{dev("success", "", ""), true, true, ""},
		{dev("failed", "806", "ZtdDeviceAlreadyAssigned"), true, true, "already registered"},
		{dev("failed", "808", "ZtdDeviceAssignedToOtherTenant"), false, true, "previous owner must deregister"},
		{dev("failed", "ZtdDeviceDuplicated", "ZtdDeviceDuplicated"), false, true, "twice in this upload"},
		{dev("failed", "", "InvalidZtdHardwareHash"), false, true, "hardware hash is not valid"},
		{dev("failed", "999", "SomethingNew"), false, true, ""},
		{dev("in-progress", "", ""), false, false, ""},
		// A status the client does not know has an outcome only with an
		// error; one saying it goes on has none, whatever it carries.
		{dev("success\x1b[0m", "", ""), false, false, ""},
		{dev("weird", "808", ""), false, true, "previous owner must deregister"},
		{dev("in-progress", "806", ""), false, false, "already registered"},
		{dev(" Success ", "", ""), true, true, ""},
	}
	for _, tt := range tests {
		code, _ := tt.d.ErrorCode.Get()
		desc, _ := tt.d.ErrorDescription.Get()
		hint := UploadErrorHint(code, desc)
		if DeviceRegistered(tt.d) != tt.registered || DeviceDone(tt.d) != tt.done || (tt.hint == "") != (hint == "") || !strings.Contains(hint, tt.hint) {
			t.Errorf("%s %s %s: registered %v, done %v, hint %q", tt.d.Status, code, desc, DeviceRegistered(tt.d), DeviceDone(tt.d), hint)
		}
	}
}

// sentBodies is a caller's Transporter that records, for every try,
// whether the body it is handed is one azcore rewinds for the next try
// (a Seeker) and what it holds.
type sentBodies struct {
	mu     sync.Mutex
	shared []bool
	bodies []string
}

func (s *sentBodies) Do(req *http.Request) (*http.Response, error) {
	_, seeker := req.Body.(io.Seeker)
	b, _ := io.ReadAll(req.Body)
	s.mu.Lock()
	s.shared, s.bodies = append(s.shared, seeker), append(s.bodies, string(b))
	n := len(s.bodies)
	s.mu.Unlock()
	rec := httptest.NewRecorder()
	if n == 1 {
		rec.WriteHeader(http.StatusServiceUnavailable)
	} else {
		rec.Header().Set("Location", "/customers/"+testCustomer+"/batchJobStatus/t1")
		rec.WriteHeader(http.StatusAccepted)
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// TestEveryTrySendsItsOwnBody: azcore's request logging with IncludeBody
// rewinds the shared body after reading it; each try must still hand the
// network its own copy, complete. Not parallel: azcore's log listener is
// global.
func TestEveryTrySendsItsOwnBody(t *testing.T) {
	azlog.SetListener(func(azlog.Event, string) {})
	defer azlog.SetListener(nil)
	sent := &sentBodies{}
	c, err := NewClient(StaticToken(testToken), &ClientOptions{BaseURL: "http://127.0.0.1:1", ClientOptions: azcore.ClientOptions{
		Transport: sent, Logging: policy.LogOptions{IncludeBody: true}, Retry: policy.RetryOptions{RetryDelay: time.Millisecond},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddDevices(context.Background(), testCustomer, "b", oneDevice); err != nil {
		t.Fatal(err)
	}
	if len(sent.bodies) != 2 || sent.bodies[0] == "" || sent.bodies[0] != sent.bodies[1] {
		t.Errorf("bodies sent: %q, want the same upload twice", sent.bodies)
	}
	for i, shared := range sent.shared {
		if shared {
			t.Errorf("try %d was handed the body azcore rewinds, not its own copy", i+1)
		}
	}
}
