package wrapper_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/sandbox"
	"github.com/partnercenter-go/devicebatches/internal/sandbox/sandboxtest"
	"github.com/partnercenter-go/devicebatches/wrapper"
	"github.com/partnercenter-go/devicebatches/wrapper/autopilot"
)

const sandboxCustomer = "47021739-3426-40bf-9601-61b4b6d7c793"

// fakeJWT is an unsigned token with the given claims: the sandbox reads
// claims without checking signatures.
func fakeJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(claims) + ".sig"
}

// sandboxClient runs the sandbox (uploads processed at once) and returns a
// client with token whose every request and answer is checked against the
// document.
func sandboxClient(t *testing.T, token string) (*wrapper.Client, *contract.Transport) {
	t.Helper()
	return sandboxtest.Client(t, sandbox.Options{Seed: 1}, token, -1)
}

func outcomes(d wrapper.BatchUploadDetails) map[string]string {
	m := map[string]string{}
	for _, dev := range wrapper.UploadDevices(d) {
		serial, _ := dev.SerialNumber.Get()
		code, _ := dev.ErrorCode.Get()
		m[serial] = dev.Status + " " + code
	}
	return m
}

// TestWritePathAgainstSandbox walks the whole write path end to end, every
// exchange validated against openapi/: create from the sample CSV, wait,
// list, add (806, 808, duplicate), profiles, assignment, delete; once as
// the sandbox answers by default, once with every quirk of the real
// service (byte order marks, link shapes, the newer error body, uploads
// answered 200 with a body, gateway errors retried) and devices one per
// page, so that the links are followed.
func TestWritePathAgainstSandbox(t *testing.T) {
	t.Parallel()
	token := fakeJWT(map[string]any{"scp": "user_impersonation", "upn": "admin@contoso.com"})
	for _, tc := range []struct {
		name    string
		opts    sandbox.Options
		retries int32
	}{
		{"default", sandbox.Options{Seed: 1}, -1},
		{"quirks", sandbox.Options{Seed: 1, PageSize: 1, Quirks: sandbox.QuirkKinds}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, tr := sandboxtest.Client(t, tc.opts, token, tc.retries)
			defer sandboxtest.CheckContract(t, tr)
			writePath(t, c)
		})
	}
}

func writePath(t *testing.T, c *wrapper.Client) {
	ctx := context.Background()
	batches, err := c.ListDeviceBatches(ctx, sandboxCustomer)
	if err != nil || len(batches) == 0 {
		t.Fatalf("batches %v, %v", batches, err)
	}
	for _, b := range batches {
		if _, err := c.FollowDevicesLink(ctx, b); err != nil {
			t.Errorf("following %q's devices link: %v", b.Id, err)
		}
	}
	file, err := autopilot.ReadFile("autopilot/testdata/sample-devices.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	devices := wrapper.DeviceUploadsFromAutopilot(file.Devices)
	devices[0].Policies = []wrapper.PolicyAssignment{} // the trap: must not reach the service
	tid, err := c.CreateDeviceBatch(ctx, sandboxCustomer, "Zero touch 1", devices)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.WaitForBatchUpload(ctx, sandboxCustomer, tid, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != wrapper.UploadFinished || len(wrapper.UploadDevices(st)) != len(devices) {
		t.Fatalf("status %s, devices %v", st.Status, outcomes(st))
	}
	for _, d := range wrapper.UploadDevices(st) {
		if !wrapper.DeviceRegistered(d) {
			t.Errorf("device not registered: %+v", d)
		}
	}
	listed, err := c.ListDevices(ctx, sandboxCustomer, "Zero touch 1")
	if err != nil || len(listed) != len(devices) {
		t.Fatalf("listed %d devices, %v", len(listed), err)
	}

	// A second batch of that name is refused.
	_, err = c.CreateDeviceBatch(ctx, sandboxCustomer, "zero TOUCH 1", devices)
	var re *wrapper.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusConflict {
		t.Errorf("duplicate batch: %v", err)
	}

	more := []wrapper.DeviceUpload{
		{SerialNumber: "OTHER-7731", OemManufacturerName: "Contoso", ModelName: "Laptop 5"},
		devices[1], // already registered: 806
		{SerialNumber: "NEW-1", OemManufacturerName: "Contoso", ModelName: "Laptop 5"},
		{SerialNumber: "NEW-1", OemManufacturerName: "Contoso", ModelName: "Laptop 5"},
	}
	tid, err = c.AddDevices(ctx, sandboxCustomer, "Zero touch 1", more)
	if err != nil {
		t.Fatal(err)
	}
	st, err = c.WaitForBatchUpload(ctx, sandboxCustomer, tid, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := outcomes(st)
	if st.Status != wrapper.UploadFinishedWithErrors || got["OTHER-7731"] != "failed 808" || got[devices[1].SerialNumber] == "" {
		t.Errorf("status %s, outcomes %v", st.Status, got)
	}
	var registered, failed int
	for _, d := range wrapper.UploadDevices(st) {
		if wrapper.DeviceRegistered(d) {
			registered++
		} else {
			failed++
		}
	}
	if registered < 2 || failed < 2 {
		t.Errorf("registered %d, failed %d: %v", registered, failed, got)
	}

	profiles, err := c.ListConfigurationPolicies(ctx, sandboxCustomer)
	if err != nil || len(profiles) == 0 {
		t.Fatalf("profiles %v, %v", profiles, err)
	}
	ids := []string{listed[0].Id, listed[1].Id}
	tid, err = c.AssignProfile(ctx, sandboxCustomer, profiles[0].Id, ids)
	if err != nil {
		t.Fatal(err)
	}
	if st, err = c.WaitForBatchUpload(ctx, sandboxCustomer, tid, nil); err != nil || !wrapper.UploadFinal(st.Status) {
		t.Fatalf("assignment %s, %v", st.Status, err)
	}
	after, err := c.ListDevices(ctx, sandboxCustomer, "Zero touch 1")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range after {
		if !slices.Contains(ids, d.Id) {
			continue
		}
		if len(d.Policies) == 0 {
			t.Fatalf("device %s has no policy", d.Id)
		}
		if v, _ := d.Policies[0].Value.Get(); v != profiles[0].Id {
			t.Errorf("device %s has profile %q, want %q", d.Id, v, profiles[0].Id)
		}
	}

	if err := c.DeleteDevice(ctx, sandboxCustomer, "Zero touch 1", ids[0]); err != nil {
		t.Fatal(err)
	}
	final, err := c.ListDevices(ctx, sandboxCustomer, "Zero touch 1")
	if err != nil || len(final) != len(after)-1 || slices.ContainsFunc(final, func(d wrapper.Device) bool { return d.Id == ids[0] }) {
		t.Errorf("after delete: %d devices (had %d), %v", len(final), len(after), err)
	}
	err = c.DeleteDevice(ctx, sandboxCustomer, "Zero touch 1", ids[0])
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound {
		t.Errorf("second delete: %v", err)
	}
}

// TestAppOnlyTokenAgainstSandbox: the sandbox refuses app-only tokens on
// createDeviceBatch as the service does; adding devices is allowed.
func TestAppOnlyTokenAgainstSandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tr := sandboxClient(t, fakeJWT(map[string]any{"idtyp": "app", "roles": []string{"x"}}))
	defer sandboxtest.CheckContract(t, tr)
	devs := []wrapper.DeviceUpload{{SerialNumber: "S-1", OemManufacturerName: "Contoso", ModelName: "M"}}
	_, err := c.CreateDeviceBatch(ctx, sandboxCustomer, "app only", devs)
	var su *wrapper.UserSignInRequiredError
	var re *wrapper.ResponseError
	if !errors.As(err, &su) || !errors.As(err, &re) || re.StatusCode != http.StatusForbidden {
		t.Fatalf("error %v (%T)", err, err)
	}
	if _, err := c.AddDevices(ctx, sandboxCustomer, "Test batch", devs); err != nil {
		t.Errorf("adding devices with an app-only token: %v", err)
	}
}

// TestHashOnlyDeviceUploads: a device with only a hardware hash is one of
// the combinations Partner Center's reference accepts ("HardwareHash
// only"): the CSV reader, the wrapper's checks and the sandbox take it,
// and the exchange matches the document.
func TestHashOnlyDeviceUploads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tr := sandboxClient(t, fakeJWT(map[string]any{"scp": "user_impersonation", "upn": "admin@contoso.com"}))
	defer sandboxtest.CheckContract(t, tr)
	hash := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("hash-only device ", 10)))
	file, err := autopilot.Read(strings.NewReader("Device Serial Number,Windows Product ID,Hardware Hash\r\n,,"+hash+"\r\n"), nil)
	if err != nil {
		t.Fatalf("the CSV reader refused a hash-only row: %v", err)
	}
	tid, err := c.CreateDeviceBatch(ctx, sandboxCustomer, "Hash only", wrapper.DeviceUploadsFromAutopilot(file.Devices))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.WaitForBatchUpload(ctx, sandboxCustomer, tid, nil)
	if err != nil || len(wrapper.UploadDevices(st)) != 1 {
		t.Fatalf("status %+v, err %v", st, err)
	}
}
