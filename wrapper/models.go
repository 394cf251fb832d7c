package wrapper

import (
	"github.com/partnercenter-go/devicebatches/generated"
	"github.com/partnercenter-go/devicebatches/internal/pctime"
)

// The models are the generated types, named here so users learn one package.
// They are aliases: the OpenAPI document stays their single source of truth.

// DeviceBatch is a named group of devices enrolled in zero-touch deployment,
// an item of GET /v1/customers/{customer-id}/deviceBatches.
type DeviceBatch = generated.DeviceBatch

// DeviceBatchCollection is one page of GET /v1/customers/{customer-id}/deviceBatches.
type DeviceBatchCollection = generated.DeviceBatchCollection

// Link is a link to a related resource, such as DeviceBatch.DevicesLink.
// Its URI is relative and usually lacks /v1; the client resolves it.
type Link = generated.Link

// KeyValuePair is a header of a Link.
type KeyValuePair = generated.KeyValuePair

// ResourceLinks holds a collection's self, next and previous links.
type ResourceLinks = generated.ResourceLinks

// ResourceAttributes holds a resource's objectType and etag.
type ResourceAttributes = generated.ResourceAttributes

// DateTime is a Partner Center date-time (DeviceBatch.CreationDate), which
// the service may send without a zone. Raw keeps the value as sent.
type DateTime = pctime.DateTime

// ParseDateTime parses a Partner Center date-time, with or without a zone
// (a zone-less value is UTC).
func ParseDateTime(s string) (DateTime, error) { return pctime.Parse(s) }

// Device is a device enrolled in zero-touch deployment, an item of
// GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices.
// UploadedDate keeps the value as sent (with its offset) in Raw.
type Device = generated.Device

// DeviceCollection is one page of
// GET /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices
// (100 devices per page).
type DeviceCollection = generated.DeviceCollection
