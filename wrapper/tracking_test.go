package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// slashToken is an opaque token with a slash in it (and '=' padding at
// the end, the only place RFC 6750 allows it).
const slashToken = "opaque+tok/en-with-slash-9f=="

// TestAcceptedRefusesTrackingIDWithSecret: an upload status link whose
// tracking id is the client's token (in clear or escaped) or holds
// control characters is never returned as an id: the call fails with a
// *DecodeError that says the request was accepted and shows no secret and
// no raw control character.
func TestAcceptedRefusesTrackingIDWithSecret(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		link func(tok string) string // the Location header
	}{
		{"token as the id", func(tok string) string { return trackingPath + tok }},
		{"token as the id, with /v1", func(tok string) string { return "/v1" + trackingPath + tok }},
		{"token percent-escaped", func(tok string) string { return trackingPath + fmt.Sprintf("%%%02X", tok[0]) + tok[1:] }},
		{"token in an earlier segment", func(tok string) string { return "/customers/" + tok + "/batchJobStatus/t1" }},
		{"control characters in the id", func(string) string { return trackingPath + "%1B%5D0%3BPWNED%07%1B%5B2Jt1" }},
		{"bidi override in the id", func(string) string { return trackingPath + "t%E2%80%AE1" }},
	} {
		// The last token has a slash, as an opaque base64 token may: as an
		// id it would be cut at it, its tail not being the whole token.
		for _, token := range []string{testToken, jwtLike, slashToken} {
			t.Run(tc.name+"/"+token[:4], func(t *testing.T) {
				t.Parallel()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Location", tc.link(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")))
					w.WriteHeader(http.StatusAccepted)
				}))
				defer srv.Close()
				var logs bytes.Buffer
				c := echoClient(t, srv, token, &logs)
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
					var de *DecodeError
					if got != "" || !errors.As(err, &de) {
						t.Fatalf("%s: got %q, %v; want a *DecodeError", op, got, err)
					}
					msg := err.Error()
					if !strings.Contains(msg, "accepted") || !strings.Contains(msg, "do not send the request again") {
						t.Errorf("%s: %s; want it to say the request was accepted", op, msg)
					}
					if s := shows(err, &logs); strings.Contains(s, token) || strings.Contains(s, token[5:]) || strings.ContainsAny(s, "\x1b\x07\u202e") {
						t.Errorf("%s: the token or a control character reached the user: %q", op, s)
					}
				}
			})
		}
	}
}

// TestAcceptedHintNamesWhatToCheck: an accepted profile assignment whose
// status cannot be followed points to the devices' profiles, an upload to
// the batch's devices.
func TestAcceptedHintNamesWhatToCheck(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted) // no Location, no body
	}))
	defer srv.Close()
	c, err := NewClient(StaticToken("test-token-123"), &ClientOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AssignProfile(context.Background(), testCustomer, "p1", []string{"d1"})
	if err == nil || !strings.Contains(err.Error(), "(ListDevices) and check their profiles") || strings.Contains(err.Error(), "devicebatches") {
		t.Errorf("assignment: %v, want a hint to check the devices' profiles, naming ListDevices and no CLI command", err)
	}
	_, err = c.AddDevices(context.Background(), testCustomer, "b", []DeviceUpload{{ProductKey: "00329-00000-0003-AA606"}})
	if err == nil || strings.Contains(err.Error(), "profiles") || !strings.Contains(err.Error(), "list the batch's devices (ListDevices)") || strings.Contains(err.Error(), "devicebatches") {
		t.Errorf("upload: %v, want a hint to list the batch's devices, naming ListDevices and no CLI command", err)
	}
}
