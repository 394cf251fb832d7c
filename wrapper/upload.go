package wrapper

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/safetext"
	"github.com/partnercenter-go/devicebatches/wrapper/autopilot"
)

// The zero-touch write path: uploads (createDeviceBatch, addDevices),
// device deletion and profile assignment; which of their failures are
// retried is shouldRetry's (policy_throttle.go).

// DeviceUpload is one device to register, an item of the body of
// POST /v1/customers/{customer-id}/deviceBatches (DeviceBatchCreationRequest)
// and of POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices.
//
// Fields: HardwareHash (the 4K hardware hash, base64), ProductKey (the
// Windows Product ID), SerialNumber, OemManufacturerName and ModelName
// (case-sensitive, as the OEM gives them), Policies (such as
// {Key: "o_o_b_e", Value: an Autopilot profile id}). Empty fields are left
// out of the request, never sent as "" or []: the service answers
// "policies": [] with 500 "Sequence contains no matching element".
//
// A device needs one accepted identity: HardwareHash with SerialNumber
// and/or ProductKey, ProductKey alone, or SerialNumber with
// OemManufacturerName and ModelName (the "tuple").
type DeviceUpload = generated.DeviceCreationRequest

// PolicyAssignment is a policy of a DeviceUpload: Key is the category
// ("o_o_b_e" for an Autopilot profile), Value the policy's id.
type PolicyAssignment = generated.PolicyAssignment

// DeviceBatchCreationRequest is the body of
// POST /v1/customers/{customer-id}/deviceBatches: BatchId (the new batch's
// name) and Devices.
type DeviceBatchCreationRequest = generated.DeviceBatchCreationRequest

// ProfilePolicyKey is the policy category of Windows Autopilot profiles
// (out-of-box experience).
const ProfilePolicyKey = "o_o_b_e"

// DeviceUploadsFromAutopilot converts the devices of an Autopilot CSV file
// (autopilot.Read) into the devices of an upload, field by field; values
// the file left empty stay empty and are not sent. No policy is set.
func DeviceUploadsFromAutopilot(devices []autopilot.Device) []DeviceUpload {
	out := make([]DeviceUpload, len(devices))
	for i, d := range devices {
		out[i] = DeviceUpload{
			HardwareHash:        strings.TrimSpace(d.HardwareHash),
			ProductKey:          strings.TrimSpace(d.ProductKey),
			SerialNumber:        strings.TrimSpace(d.SerialNumber),
			OemManufacturerName: strings.TrimSpace(d.ManufacturerName),
			ModelName:           strings.TrimSpace(d.ModelName),
		}
	}
	return out
}

// CheckBatchID reports, as an *InvalidArgumentError, a batch id (name) that
// cannot name a batch: empty, blank, "." or "..". Every operation checks
// its batch id this way before any network I/O.
func CheckBatchID(id string) error {
	return checkSegment("batch id", id, `the batch's id as listed by ListDeviceBatches, like "Test batch"`)
}

// CreateDeviceBatch creates a device batch named batchID holding devices:
// POST /v1/customers/{customer-id}/deviceBatches. The service processes the
// upload asynchronously; the returned tracking id is for
// GetBatchUploadStatus and WaitForBatchUpload.
//
// Creating a batch needs App+User (delegated) authentication: when the
// service refuses the token (401 or 403), the error says so and wraps the
// *ResponseError (inspect it with errors.As).
//
// The call is retried only after 429, 503 and a connection that could not
// be made (never once it may have reached the service: ErrMaybeCarriedOut), each
// try with the same MS-RequestId; a 500 is not retried, as the batch may
// have been created. Invalid input (customer id, batch name, an empty
// device list, a device with no accepted identity, an empty policy) fails
// with an *InvalidArgumentError before any request. Partner Center
// publishes no limit on devices per call; none is imposed here.
//
// Reference: https://learn.microsoft.com/partner-center/developer/upload-a-list-of-devices-to-create-a-new-batch-for-the-specified-customer
func (c *Client) CreateDeviceBatch(ctx context.Context, customerID, batchID string, devices []DeviceUpload) (trackingID string, err error) {
	id, devs, err := checkUpload(customerID, batchID, devices)
	if err != nil {
		return "", err
	}
	ctx, end, err := c.begin(ctx, "CreateDeviceBatch")
	if err != nil {
		return "", err
	}
	defer func() { end(err) }()
	body := generated.DeviceBatchCreationRequest{BatchId: batchID, Devices: devs}
	tid, err := c.accepted(c.gen.CreateDeviceBatch(ctx, id, &generated.CreateDeviceBatchParams{}, body))
	var re *ResponseError
	if err != nil && errors.As(err, &re) && (re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden) {
		return "", &UserSignInRequiredError{Operation: "creating a device batch", Err: err}
	}
	return tid, err
}

// checkUpload checks an upload's input, before any I/O, the same way for
// CreateDeviceBatch and AddDevices.
func checkUpload(customerID, batchID string, devices []DeviceUpload) (uuid.UUID, []generated.DeviceCreationRequest, error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return id, nil, err
	}
	if err := CheckBatchID(batchID); err != nil {
		return id, nil, err
	}
	devs, err := checkDevices(devices)
	return id, devs, err
}

// AddDevices adds devices to the existing batch batchID:
// POST /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices, with
// the devices as a bare JSON array. The service processes the upload
// asynchronously; the returned tracking id is for GetBatchUploadStatus and
// WaitForBatchUpload. App-only authentication is accepted.
//
// The call is retried only after 429, 503 and a connection that could not
// be made (never once it may have reached the service: ErrMaybeCarriedOut), each
// try with the same MS-RequestId; a 500 is not retried. Invalid input fails
// with an *InvalidArgumentError before any request, as for
// CreateDeviceBatch.
//
// Reference: https://learn.microsoft.com/partner-center/developer/upload-a-list-of-devices-to-an-existing-batch-for-the-specified-customer
func (c *Client) AddDevices(ctx context.Context, customerID, batchID string, devices []DeviceUpload) (trackingID string, err error) {
	id, devs, err := checkUpload(customerID, batchID, devices)
	if err != nil {
		return "", err
	}
	ctx, end, err := c.begin(ctx, "AddDevices")
	if err != nil {
		return "", err
	}
	defer func() { end(err) }()
	return c.accepted(c.gen.AddDevices(ctx, id, batchID, &generated.AddDevicesParams{}, devs))
}

// DeleteDevice removes the device deviceID (its id, as listed by
// ListDevices) from the batch batchID:
// DELETE /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices/{device-id}.
// Invalid input fails with an *InvalidArgumentError before any request;
// service failures are *ResponseError.
//
// Reference: https://learn.microsoft.com/partner-center/developer/delete-a-device-for-the-specified-customer
func (c *Client) DeleteDevice(ctx context.Context, customerID, batchID, deviceID string) (err error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return err
	}
	if err := CheckBatchID(batchID); err != nil {
		return err
	}
	if err := checkSegment("device id", deviceID, "the device's id as listed by ListDevices"); err != nil {
		return err
	}
	ctx, end, err := c.begin(ctx, "DeleteDevice")
	if err != nil {
		return err
	}
	defer func() { end(err) }()
	resp, err := c.result(c.gen.DeleteDevice(ctx, id, batchID, deviceID, &generated.DeleteDeviceParams{}))
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// AssignProfile assigns the Autopilot profile profileID (as listed by
// ListConfigurationPolicies) to the devices deviceIDs (as listed by
// ListDevices): PATCH /v1/customers/{customer-id}/DevicePolicyUpdates with
// {devices: [{id, policies: [{key: "o_o_b_e", value: profileID}]}]}. The
// service applies it asynchronously; the returned tracking id is for
// GetBatchUploadStatus and WaitForBatchUpload.
//
// The call is retried only after 429, 503 and a connection that could not
// be made (never once it may have reached the service: ErrMaybeCarriedOut), each
// try with the same MS-RequestId. An empty profile id, an empty list, an
// empty or repeated device id, or an id with spaces around it (ids are sent
// as given) fail with an *InvalidArgumentError before any request.
//
// Reference: https://learn.microsoft.com/partner-center/developer/update-a-list-of-devices-with-a-configuration-policy
func (c *Client) AssignProfile(ctx context.Context, customerID, profileID string, deviceIDs []string) (trackingID string, err error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return "", err
	}
	if err := checkBodyID("profile id", profileID, "the profile's id as listed by ListConfigurationPolicies"); err != nil {
		return "", err
	}
	if len(deviceIDs) == 0 {
		return "", &InvalidArgumentError{Argument: "device ids", Problem: "are missing: give at least one device id as listed by ListDevices"}
	}
	body := generated.DevicePolicyUpdateRequest{Devices: make([]generated.DevicePolicyUpdate, len(deviceIDs))}
	seen := make(map[string]int, len(deviceIDs))
	for i, d := range deviceIDs {
		if err := checkBodyID(fmt.Sprintf("device id #%d", i+1), d, "the device's id as listed by ListDevices"); err != nil {
			return "", err
		}
		if j, dup := seen[d]; dup {
			return "", &InvalidArgumentError{Argument: fmt.Sprintf("device id #%d", i+1), Value: d, Problem: fmt.Sprintf("repeats device id #%d: give each device once", j+1)}
		}
		seen[d] = i
		body.Devices[i] = generated.DevicePolicyUpdate{Id: d, Policies: []generated.PolicyAssignment{{Key: ProfilePolicyKey, Value: profileID}}}
	}
	ctx, end, err := c.begin(ctx, "AssignProfile")
	if err != nil {
		return "", err
	}
	defer func() { end(err) }()
	return c.accepted(c.gen.UpdateDevicePolicies(ctx, id, &generated.UpdateDevicePoliciesParams{}, body))
}

// checkDevices validates an upload's devices and returns them as sent:
// surrounding spaces trimmed, an empty policy list left out.
func checkDevices(devices []DeviceUpload) ([]DeviceUpload, error) {
	if len(devices) == 0 {
		return nil, &InvalidArgumentError{Argument: "devices", Problem: "are missing: an upload needs at least one device"}
	}
	out := make([]DeviceUpload, len(devices))
	for i, d := range devices {
		d.HardwareHash = strings.TrimSpace(d.HardwareHash)
		d.ProductKey = strings.TrimSpace(d.ProductKey)
		d.SerialNumber = strings.TrimSpace(d.SerialNumber)
		d.OemManufacturerName = strings.TrimSpace(d.OemManufacturerName)
		d.ModelName = strings.TrimSpace(d.ModelName)
		arg := fmt.Sprintf("device #%d", i+1)
		switch {
		case d.ProductKey != "", d.HardwareHash != "":
		case d.SerialNumber != "" && d.OemManufacturerName != "" && d.ModelName != "":
		default:
			return nil, &InvalidArgumentError{Argument: arg, Value: d.SerialNumber, Problem: "has no accepted identity: give a hardware hash (with a serial number or product key if you have them), a product key, or a serial number with manufacturer and model names"}
		}
		if len(d.Policies) == 0 {
			d.Policies = nil // never "policies": []
		}
		for _, p := range d.Policies {
			if strings.TrimSpace(p.Key) == "" || strings.TrimSpace(p.Value) == "" {
				return nil, &InvalidArgumentError{Argument: arg, Value: d.SerialNumber, Problem: "has a policy with an empty key or value: give both, like {o_o_b_e, profile id}, or no policy"}
			}
		}
		out[i] = d
	}
	return out, nil
}

// checkBodyID refuses an id for a request body that is empty, or has
// spaces around it: ids are sent as given, never trimmed (as
// CheckCustomerID refuses a customer id with spaces), so that what is
// checked, compared for repeats and sent is the same text.
func checkBodyID(what, id, hint string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return &InvalidArgumentError{Argument: what, Value: id, Problem: "is empty: give " + hint}
	case strings.TrimSpace(id) != id:
		return &InvalidArgumentError{Argument: what, Value: id, Problem: "has spaces around it: give " + hint + ", without them"}
	}
	return nil
}

// checkSegment refuses an id that cannot be one path segment: empty, or
// "." and "..", which URL resolution would turn into other paths.
func checkSegment(what, id, hint string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return &InvalidArgumentError{Argument: what, Value: id, Problem: "is empty: give " + hint}
	case id == "." || id == "..":
		return &InvalidArgumentError{Argument: what, Value: id, Problem: "is a dot segment, which no id can be"}
	}
	return nil
}

// accepted reads the answer to an upload or policy update: a 202 whose
// Location names the status (relative without /v1, with /v1, or absolute
// on the configured service), or a 200 or 202 whose body is the status
// link (Location wins when both are present). The tracking id is the
// link's last path segment, unescaped.
func (c *Client) accepted(resp *http.Response, err error) (string, error) {
	resp, err = c.result(resp, err)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	// Every error past this point follows a 2xx: the request was accepted,
	// and sending it again would upload or assign the devices twice.
	refused := func(problem string, why error) error {
		de := c.decodeError(resp, fmt.Errorf("%w; do not send the request again: %s", why, acceptedHint(resp.Request)))
		de.problem = problem
		return de
	}
	unusable := func(why error) error {
		return refused("says the request was accepted, but its upload status link cannot be used", why)
	}
	link := resp.Header.Get("Location")
	var bodyErr error
	if link == "" && (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusAccepted) {
		body := bufio.NewReader(resp.Body)
		if _, err := body.Peek(1); err != io.EOF { // an empty body holds no link
			var l generated.BatchJobStatusLink
			if bodyErr = decodeValue(body, c.limits, &l); bodyErr == nil {
				link = l.Uri
			}
		}
	}
	if strings.TrimSpace(link) == "" {
		why := errors.New("no Location header and no status link in the body")
		if bodyErr != nil {
			why = fmt.Errorf("no Location header and no status link in the body (the body: %w)", bodyErr)
		}
		return "", refused("says the request was accepted, but names no upload status", why)
	}
	u, err := c.resolveLink(Link{Uri: link})
	if err != nil {
		return "", unusable(err)
	}
	// The last segment of the escaped path, unescaped: "t%2F5" is the
	// tracking id "t/5", not "5".
	id, err := url.PathUnescape(path.Base(u.EscapedPath()))
	if err != nil {
		return "", unusable(err)
	}
	// The id is printed and sent back: a server that put the client's
	// token (or a JWT) in the link, or characters a terminal acts on in the
	// id, gets an error, never an id. The request was accepted all the
	// same, so the error says not to send it again.
	if c.secrets.holds(link) || c.secrets.holds(u.Path) || c.secrets.holds(id) {
		return "", unusable(errors.New("it holds the client's token or a JWT, so no tracking id is returned"))
	}
	if err := checkTrackingID(id); err != nil {
		// Its text, not the *InvalidArgumentError: the service is at
		// fault, not the caller's input.
		return "", unusable(errors.New("its " + err.Error()))
	}
	return id, nil
}

// checkTrackingID refuses, as an *InvalidArgumentError, a tracking id that
// cannot be one path segment (checkSegment) or that holds control or
// bidi characters (safetext.Dangerous): no tracking id has them, and
// printed as is they would drive the terminal.
func checkTrackingID(id string) error {
	if err := checkSegment("tracking id", id, "the tracking id an upload or profile assignment returned"); err != nil {
		return err
	}
	if strings.IndexFunc(id, safetext.Dangerous) >= 0 || !utf8.ValidString(id) {
		return &InvalidArgumentError{Argument: "tracking id", Value: id, Problem: "has control, bidi or invisible characters, which no tracking id has"}
	}
	return nil
}

// UserSignInRequiredError is returned when Partner Center refuses an
// operation that needs App+User (delegated) authentication, such as
// creating a device batch (CreateDeviceBatch: POST
// /v1/customers/{customer-id}/deviceBatches), to the token it was given
// (401 or 403). The answer does not say why; the likely causes are an
// app-only token (sign a user in instead, with azidentity's
// DeviceCodeCredential, InteractiveBrowserCredential or
// AzureCLICredential) and a user without a Partner Center role or GDAP
// access to the customer. Err is the *ResponseError.
type UserSignInRequiredError struct {
	// Operation names what was refused, such as "creating a device batch".
	Operation string
	// Err is the service's answer, a *ResponseError.
	Err error
}

// Error returns one line saying what is needed and the likely causes of
// the refusal, without claiming to know which.
func (e *UserSignInRequiredError) Error() string {
	return e.Operation + " needs an App+User (delegated) token, and Partner Center refused this one; " +
		"the likely causes: an app-only token, or a user without a Partner Center role or GDAP access to the customer: " + errText(e.Err)
}

// Unwrap returns the service's answer.
func (e *UserSignInRequiredError) Unwrap() error { return e.Err }

// acceptedHint says what to look at after an accepted request whose status
// cannot be followed: the devices of an upload, or their profiles after an
// assignment (the only PATCH).
func acceptedHint(req *http.Request) string {
	if req != nil && req.Method == http.MethodPatch {
		return "list the batch's devices (ListDevices) and check their profiles to see its outcome"
	}
	return "list the batch's devices (ListDevices) to see its outcome"
}
