package wrapper

import (
	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/pctime"
)

// The models are the generated types, named here so users learn one
// package; the OpenAPI document stays their single source of truth.
// Optional properties are plain values: a property the service left out
// reads as its zero value, never as a nil pointer.

// DeviceBatch is a named group of devices enrolled in zero-touch
// deployment, an item of GET /v1/customers/{customer-id}/deviceBatches.
//
// Fields: Id (the name the partner chose, such as "Test batch"; not a
// GUID), Status (such as "finished"; an open set), CreatedBy, CreationDate
// (a DateTime; Raw is the text as sent), DevicesCount, DevicesLink (follow
// it with FollowDevicesLink) and Attributes.
//
// json.Marshal of a DeviceBatch is not what the service sent: every field
// is omitzero, so a zero, empty or null value the service sent
// ("devicesCount": 0, "createdBy": "" or null) is dropped, properties the
// model does not know are gone, and the order changes. For faithful output
// use ListDeviceBatchesJSON (or FanOutOptions.JSON), which yields each
// batch's bytes as sent.
type DeviceBatch = generated.DeviceBatch

// Device is a device enrolled in zero-touch deployment, an item of
// GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices.
//
// Fields: Id, SerialNumber, ProductKey, HardwareHash, ModelName,
// OemManufacturerName, Policies (such as {Key: "o_o_b_e", Value: the
// Autopilot profile id, or null}), UploadedBy, UploadedDate (a DateTime
// with the service's offset and 7 fractional digits kept in Raw),
// AllowedOperations (such as GET, PATCH, DELETE) and Attributes.
//
// json.Marshal of a Device is not what the service sent: every field is
// omitzero, so an empty or null value the service sent ("serialNumber": ""
// or null, "uploadedDate": "") is dropped, properties the model does not
// know are gone, and the order changes. For faithful output use
// ListDevicesJSON, which yields each device's bytes as sent.
type Device = generated.Device

// Link is a link to a related resource, such as DeviceBatch.DevicesLink:
// Uri (relative, usually without /v1; the client resolves it), Method,
// Headers and Body.
type Link = generated.Link

// KeyValuePair is a header of a Link or a policy of a Device. Value is a
// nullable.Nullable[string]: Value.Get() returns the text, Value.IsNull()
// tells a JSON null from an absent value.
type KeyValuePair = generated.KeyValuePair

// ResourceLinks holds a collection's self, next and previous links.
type ResourceLinks = generated.ResourceLinks

// ResourceAttributes holds a resource's ObjectType and Etag.
type ResourceAttributes = generated.ResourceAttributes

// DateTime is a Partner Center date-time (DeviceBatch.CreationDate,
// Device.UploadedDate), which the service may send without a zone. Raw
// keeps the text as sent; Time is the instant (UTC when no zone was sent).
// A date sent as "" is no date: the zero DateTime (IsZero), written back
// as "". String and MarshalJSON write Raw while it still denotes Time;
// set Time to another instant and they write Time (RFC 3339) instead.
type DateTime = pctime.DateTime

// ParseDateTime parses a Partner Center date-time, with or without a zone
// (a zone-less value is UTC).
func ParseDateTime(s string) (DateTime, error) { return pctime.Parse(s) }
