package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/errorcode"
)

// BatchUploadDetails is the status of an upload or a profile assignment,
// the answer of GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id}.
//
// Fields: BatchTrackingId; Status (unknown, queued, processing, finished or
// finished_with_errors; an open set, and a finished upload can still hold
// failed devices); StartedTime and CompletedTime (nullable DateTimes:
// StartedTime.Get()); DevicesStatus (nullable: DevicesStatus.Get() returns
// the devices once the service lists them).
type BatchUploadDetails = generated.BatchUploadDetails

// DeviceUploadDetails is the outcome of one device of an upload:
// DeviceId, SerialNumber, ProductKey, ErrorCode (a DeviceErrorCode) and
// ErrorDescription (each nullable: .Get() returns the text), and Status
// (such as success, in-progress or failed). See DeviceDone,
// DeviceRegistered and UploadErrorHint.
type DeviceUploadDetails = generated.DeviceUploadDetails

// DeviceErrorCode is a device's errorCode in the answer of
// GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id}: a string
// ("808", "ZtdDeviceDuplicated"), or a number the service sent, such as
// 806, which reads as its decimal text ("806") and is written back as a
// number by encoding/json; null and absent stay distinct (IsNull,
// IsSpecified).
type DeviceErrorCode = errorcode.Text

// ConfigurationPolicy is a customer's Windows Autopilot profile, an item of
// GET /v1/customers/{customer-id}/policies: Id (the value AssignProfile
// assigns), Name, Category ("o_o_b_e"), Description, DevicesAssigned,
// PolicySettings, CreatedDate and LastModifiedDate.
type ConfigurationPolicy = generated.ConfigurationPolicy

// Upload states of BatchUploadDetails.Status.
const (
	UploadUnknown            = "unknown"
	UploadQueued             = "queued"
	UploadProcessing         = "processing"
	UploadFinished           = "finished"
	UploadFinishedWithErrors = "finished_with_errors"
)

// UploadFinal reports whether a batch status (BatchUploadDetails.Status,
// from GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id}) is one
// the service documents as final: finished or finished_with_errors
// (compared case-insensitively). Every other value is not final by itself,
// a value the client does not know included: whether an upload is over is
// UploadDone's to say, from its devices.
func UploadFinal(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case UploadFinished, UploadFinishedWithErrors:
		return true
	}
	return false
}

// uploadPending tells a batch status saying the upload goes on: queued,
// processing (and the spellings of in-progress a device's status uses).
func uploadPending(status string) bool {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "", UploadQueued, UploadProcessing, "in-progress", "in_progress", "inprogress":
		return true
	}
	return false
}

// UploadDone reports whether an upload's status
// (GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id}) will not
// change any more, which is when WaitForBatchUpload stops:
//   - a final status (UploadFinished, UploadFinishedWithErrors; see
//     UploadFinal) is done, whatever its devices say;
//   - queued or processing is not done, whatever its devices say;
//   - any other status (unknown, or one the client does not know, such as
//     "failed") is done only when the service lists devices and every one
//     of them is done (DeviceDone); with no devices listed, or one still in
//     progress, it is not, and a wait goes on until its context ends.
//
// A done upload can still hold devices that are not registered: failed
// ones, and under a final status, ones not done (see DeviceRegistered).
func UploadDone(d BatchUploadDetails) bool {
	switch {
	case UploadFinal(d.Status):
		return true
	case uploadPending(d.Status):
		return false
	}
	devs := UploadDevices(d)
	for _, dev := range devs {
		if !DeviceDone(dev) {
			return false
		}
	}
	return len(devs) > 0
}

// GetBatchUploadStatus returns the status of an upload or profile
// assignment: GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id},
// where trackingID is what CreateDeviceBatch, AddDevices or AssignProfile
// returned. Invalid input fails with an *InvalidArgumentError before any
// request; service failures are *ResponseError, unreadable answers
// *DecodeError.
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-the-status-of-a-device-batch-upload
func (c *Client) GetBatchUploadStatus(ctx context.Context, customerID, trackingID string) (BatchUploadDetails, error) {
	d, _, err := c.uploadStatus(ctx, customerID, trackingID)
	return d, err
}

// GetBatchUploadStatusJSON is GetBatchUploadStatus (GET
// /v1/customers/{customer-id}/batchJobStatus/{tracking-id}) returning also
// the answer's JSON exactly as the service sent it (a leading byte order
// mark removed), for output that must be faithful. An answer the document
// does not allow is a *DecodeError.
func (c *Client) GetBatchUploadStatusJSON(ctx context.Context, customerID, trackingID string) ([]byte, BatchUploadDetails, error) {
	d, raw, err := c.uploadStatus(ctx, customerID, trackingID)
	return raw, d, err
}

func (c *Client) uploadStatus(ctx context.Context, customerID, trackingID string) (d BatchUploadDetails, raw []byte, err error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return d, nil, err
	}
	if err := checkSegment("tracking id", trackingID, "the tracking id an upload or profile assignment returned"); err != nil {
		return d, nil, err
	}
	ctx, end, err := c.begin(ctx, "GetBatchUploadStatus")
	if err != nil {
		return d, nil, err
	}
	defer func() { end(err) }()
	resp, err := c.result(c.gen.GetBatchUploadStatus(ctx, id, trackingID, &generated.GetBatchUploadStatusParams{}))
	if err != nil {
		return d, nil, err
	}
	defer resp.Body.Close()
	limit := min(c.limits.MaxUploadStatusBytes, math.MaxInt64-1) // one byte past it tells a larger body
	raw, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		return d, nil, c.readError(ctx, resp, err, fmt.Errorf("reading the answer: %w", err))
	case int64(len(raw)) > limit:
		return d, nil, c.decodeError(resp, fmt.Errorf("%w: the upload status is more than %d bytes (raise ClientOptions.Limits.MaxUploadStatusBytes to read more): %w", ErrBodyTooLarge, limit, ErrLimit))
	}
	if err := decodeUploadStatus(bytes.NewReader(raw), c.limits, &d); err != nil {
		return d, nil, c.decodeError(resp, err)
	}
	if d.Status == "" {
		return d, nil, c.decodeError(resp, fmt.Errorf(`the status has no "status", which the contract requires`))
	}
	return d, raw, nil
}

// WaitOptions tunes WaitForBatchUpload. A nil *WaitOptions, and every zero
// field, means the default.
type WaitOptions struct {
	// Progress, when set, is called with every status read, done or not.
	Progress func(BatchUploadDetails)
	// Interval is the wait after the first status that is not done
	// (default 2 s); each later wait doubles, up to MaxInterval (default
	// 30 s). Partner Center sends no Retry-After on this operation.
	Interval, MaxInterval time.Duration
}

// Defaults of WaitOptions.
const (
	DefaultWaitInterval    = 2 * time.Second
	DefaultWaitMaxInterval = 30 * time.Second
)

// WaitForBatchUpload reads the status of an upload or profile assignment
// (GET /v1/customers/{customer-id}/batchJobStatus/{tracking-id}) at once,
// then again after 2 s, 4 s, 8 s, 16 s and every 30 s (see WaitOptions),
// until it is done (UploadDone: a final status, or a status the client does
// not know with every device done) or ctx ends, and returns the last status
// read. When ctx ends first, the error wraps ctx.Err() and the last status
// read (if any) is returned with it. A failed read ends the wait with its
// error (each read is itself retried as a GET).
func (c *Client) WaitForBatchUpload(ctx context.Context, customerID, trackingID string, opts *WaitOptions) (BatchUploadDetails, error) {
	d, _, err := c.wait(ctx, customerID, trackingID, opts)
	return d, err
}

// WaitForBatchUploadJSON is WaitForBatchUpload (GET
// /v1/customers/{customer-id}/batchJobStatus/{tracking-id} until done)
// returning the last status's JSON exactly as the service sent it, with
// the decoded status. When the wait ends early, the last status read and
// its JSON (nil if none was read) come with the error, so that a caller
// can still show how far the upload got.
func (c *Client) WaitForBatchUploadJSON(ctx context.Context, customerID, trackingID string, opts *WaitOptions) ([]byte, BatchUploadDetails, error) {
	d, raw, err := c.wait(ctx, customerID, trackingID, opts)
	return raw, d, err
}

func (c *Client) wait(ctx context.Context, customerID, trackingID string, opts *WaitOptions) (BatchUploadDetails, []byte, error) {
	var o WaitOptions
	if opts != nil {
		o = *opts
	}
	if o.Interval <= 0 {
		o.Interval = DefaultWaitInterval
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultWaitMaxInterval
	}
	o.MaxInterval = max(o.MaxInterval, o.Interval)
	var last BatchUploadDetails
	var lastRaw []byte
	started := time.Now()
	for interval := o.Interval; ; interval = min(2*interval, o.MaxInterval) {
		d, raw, err := c.uploadStatus(ctx, customerID, trackingID)
		if err != nil {
			if ctx.Err() != nil && last.Status != "" {
				return last, lastRaw, fmt.Errorf("%s: %w", notDone(trackingID, last, time.Since(started)), err)
			}
			return last, lastRaw, err
		}
		last, lastRaw = d, raw
		if o.Progress != nil {
			o.Progress(d)
		}
		if UploadDone(d) {
			return d, raw, nil
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, lastRaw, fmt.Errorf("%s: %w", notDone(trackingID, last, time.Since(started)), ctx.Err())
		case <-t.C:
		}
	}
}

// notDone says how far an upload got when a wait for it ended early.
func notDone(trackingID string, last BatchUploadDetails, waited time.Duration) string {
	waited = waited.Round(time.Second)
	if uploadPending(last.Status) {
		return fmt.Sprintf("upload %s still %s after %s", trackingID, last.Status, waited)
	}
	devs := UploadDevices(last)
	done := 0
	for _, d := range devs {
		if DeviceDone(d) {
			done++
		}
	}
	return fmt.Sprintf("upload %s not done after %s: status %s, %d of %d devices done", trackingID, waited, last.Status, done, len(devs))
}

// UploadDevices returns the devices of a status (nil when the service
// listed none yet).
func UploadDevices(d BatchUploadDetails) []DeviceUploadDetails {
	devs, _ := d.DevicesStatus.Get()
	return devs
}

// DeviceRegistered reports whether a device of an upload (an entry of
// BatchUploadDetails.DevicesStatus, GET
// /v1/customers/{customer-id}/batchJobStatus/{tracking-id}) is registered:
// it is done (DeviceDone) and its status is success with no error, or its
// error is 806 ZtdDeviceAlreadyAssigned (it was already registered to this
// customer, which is what was asked). A device not done is not registered,
// even when its upload is (UploadDone).
func DeviceRegistered(d DeviceUploadDetails) bool {
	if !DeviceDone(d) {
		return false
	}
	code, _ := d.ErrorCode.Get()
	desc, _ := d.ErrorDescription.Get()
	if code == "806" || strings.EqualFold(desc, "ZtdDeviceAlreadyAssigned") || strings.EqualFold(code, "ZtdDeviceAlreadyAssigned") {
		return true
	}
	return deviceState(d.Status) == deviceSucceeded && code == ""
}

// DeviceDone reports whether a device of an upload (an entry of
// BatchUploadDetails.DevicesStatus, GET
// /v1/customers/{customer-id}/batchJobStatus/{tracking-id}) has an
// outcome: its status is success or failed (or a synonym: succeeded,
// completed, finished; failure, error), or is one the client does not know
// and the device carries an error code. A status saying it goes on
// (in-progress, queued, processing, pending, unknown, empty) is not done,
// nor is a status the client does not know without an error code.
func DeviceDone(d DeviceUploadDetails) bool {
	switch deviceState(d.Status) {
	case deviceSucceeded, deviceFailed:
		return true
	case devicePending:
		return false
	}
	code, _ := d.ErrorCode.Get()
	return code != ""
}

// The states a device's status tells, compared case-insensitively.
const (
	deviceUnknownState = iota
	devicePending
	deviceSucceeded
	deviceFailed
)

func deviceState(status string) int {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "success", "succeeded", "completed", "finished":
		return deviceSucceeded
	case "failed", "failure", "error":
		return deviceFailed
	case "", UploadUnknown, UploadQueued, UploadProcessing, "pending", "in-progress", "in_progress", "inprogress":
		return devicePending
	}
	return deviceUnknownState
}

// UploadErrorHint explains a device's error code or description in plain
// language, saying what to do; "" for an error it does not know.
func UploadErrorHint(code, description string) string {
	is := func(num, name string) bool {
		return (num != "" && code == num) || strings.EqualFold(code, name) || strings.EqualFold(description, name)
	}
	switch {
	case is("806", "ZtdDeviceAlreadyAssigned"):
		return "already registered to this customer; nothing to do"
	case is("808", "ZtdDeviceAssignedToOtherTenant"):
		return "registered to another tenant: its previous owner must deregister it first"
	case is("", "ZtdDeviceDuplicated"):
		return "the same device is twice in this upload; remove the repeated row"
	case is("", "InvalidZtdHardwareHash"):
		return "the hardware hash is not valid; capture it again with Get-WindowsAutopilotInfo"
	}
	return ""
}

// ListConfigurationPolicies returns a customer's Windows Autopilot
// profiles, reading all pages: GET /v1/customers/{customer-id}/policies.
// customerID must be a GUID, else the call fails with an
// *InvalidArgumentError before any request. Service failures are
// *ResponseError, unreadable answers *DecodeError.
//
// Reference: https://learn.microsoft.com/partner-center/developer/get-a-list-of-all-configuration-policies-for-the-specified-customer
func (c *Client) ListConfigurationPolicies(ctx context.Context, customerID string) ([]ConfigurationPolicy, error) {
	first, err := c.policiesRequest(customerID)
	return all(ctx, c, "ListConfigurationPolicies", first, err, "", validPolicy)
}

// ListConfigurationPoliciesIter returns an iterator over a customer's
// Autopilot profiles, GET /v1/customers/{customer-id}/policies, requesting
// pages as the loop consumes them. On failure it yields one error and stops.
func (c *Client) ListConfigurationPoliciesIter(ctx context.Context, customerID string) iter.Seq2[ConfigurationPolicy, error] {
	first, err := c.policiesRequest(customerID)
	return items(ctx, c, "ListConfigurationPolicies", first, err, "", validPolicy)
}

// ListConfigurationPoliciesJSON is ListConfigurationPoliciesIter (GET
// /v1/customers/{customer-id}/policies) yielding each profile's JSON
// exactly as the service sent it. The bytes are valid until the loop
// continues.
func (c *Client) ListConfigurationPoliciesJSON(ctx context.Context, customerID string) iter.Seq2[[]byte, error] {
	first, err := c.policiesRequest(customerID)
	return rawItems[ConfigurationPolicy](ctx, c, "ListConfigurationPolicies", first, err, "")
}

func (c *Client) policiesRequest(customerID string) (pageRequest, error) {
	id, err := customerUUID(customerID)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, token string) (*http.Response, error) {
		// The document names no continuation for this operation; should the
		// service page it anyway, the token travels as for other listings.
		withToken := func(_ context.Context, req *http.Request) error {
			if token != "" {
				req.Header.Set("MS-ContinuationToken", token)
			}
			return nil
		}
		return c.gen.ListConfigurationPolicies(ctx, id, &generated.ListConfigurationPoliciesParams{}, withToken)
	}, nil
}

func validPolicy(p *ConfigurationPolicy) error { return needID(p.Id != "", "a configuration policy") }
