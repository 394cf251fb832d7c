package wrapper

import (
	"cmp"
	"fmt"
	"strconv"

	"github.com/partnercenter-go/devicebatches/internal/pcjson"
)

// Default limits: generous for any real tenant, small enough that a broken
// or hostile server cannot exhaust memory or loop forever.
const (
	// DefaultMaxBodyBytes bounds one successful answer's body (after
	// decompression).
	DefaultMaxBodyBytes = 512 << 20
	// DefaultMaxStringBytes bounds any one JSON string of an answer (as
	// sent, escapes included).
	DefaultMaxStringBytes = 1 << 20
	// DefaultMaxPageItems bounds the items of one page.
	DefaultMaxPageItems = 1_000_000
	// DefaultMaxPages bounds the pages one listing follows.
	DefaultMaxPages = 10_000
	// DefaultMaxListItems bounds the items a slice-returning listing
	// (ListDeviceBatches, ListDevices, FollowDevicesLink, ListCustomers,
	// ListConfigurationPolicies) collects.
	DefaultMaxListItems = 1_000_000
	// DefaultMaxUploadStatusBytes bounds an upload status's body (GET
	// /v1/customers/{customer-id}/batchJobStatus/{tracking-id}), which is
	// held whole: at about 250 bytes a device, far more devices than any
	// upload holds.
	DefaultMaxUploadStatusBytes = 64 << 20
)

// Limits bounds what a server can make the client read and hold. A zero
// field takes its default; a negative one is refused by NewClient. Going
// past a limit ends the call with a *DecodeError (body, upload status,
// string, items of a page), a *PagingError (pages) or a
// *TooManyItemsError (items of a slice) that names the limit, never with
// running out of memory. An error answer's body is read up to 1 MiB and
// cut there. The …Iter and …JSON listings hold one page at a time, so
// only MaxPages × MaxPageItems bounds how many items they yield.
type Limits struct {
	// MaxBodyBytes of one successful answer, counted after a gzip
	// Content-Encoding is undone. Default DefaultMaxBodyBytes (512 MiB).
	MaxBodyBytes int64
	// MaxStringBytes of any one JSON string kept in memory. Default
	// DefaultMaxStringBytes (1 MiB).
	MaxStringBytes int
	// MaxPageItems in one page of a listing. Default DefaultMaxPageItems.
	MaxPageItems int
	// MaxPages one listing follows. Default DefaultMaxPages (10,000; at
	// Partner Center's 100 devices per page, a million devices).
	MaxPages int
	// MaxListItems a slice-returning listing collects (ListDeviceBatches,
	// ListDevices, FollowDevicesLink, ListCustomers,
	// ListConfigurationPolicies): one more ends the call with a
	// *TooManyItemsError. Default DefaultMaxListItems (1,000,000; a
	// million items with the documented properties hold about 400 MiB as
	// batches, 550 MiB as customers, 800 MiB as devices, and the heap
	// peaks near twice that while the slice grows). The …Iter and …JSON
	// forms stream and are not bounded by it.
	MaxListItems int
	// MaxUploadStatusBytes of an upload status's body (GET
	// /v1/customers/{customer-id}/batchJobStatus/{tracking-id}, read by
	// GetBatchUploadStatus and WaitForBatchUpload), which is read whole to
	// be kept as sent; MaxBodyBytes bounds it too. Default
	// DefaultMaxUploadStatusBytes (64 MiB).
	MaxUploadStatusBytes int64
}

// withDefaults checks l and fills in the defaults.
func (l Limits) withDefaults() (Limits, error) {
	for _, f := range []struct {
		name string
		v    int64
	}{{"Limits.MaxBodyBytes", l.MaxBodyBytes}, {"Limits.MaxStringBytes", int64(l.MaxStringBytes)}, {"Limits.MaxPageItems", int64(l.MaxPageItems)}, {"Limits.MaxPages", int64(l.MaxPages)}, {"Limits.MaxListItems", int64(l.MaxListItems)}, {"Limits.MaxUploadStatusBytes", l.MaxUploadStatusBytes}} {
		if f.v < 0 {
			return l, &InvalidArgumentError{Argument: f.name, Value: strconv.FormatInt(f.v, 10), Problem: "is negative: use 0 for the default or a positive limit"}
		}
	}
	l.MaxBodyBytes = cmp.Or(l.MaxBodyBytes, DefaultMaxBodyBytes)
	l.MaxStringBytes = cmp.Or(l.MaxStringBytes, DefaultMaxStringBytes)
	l.MaxPageItems = cmp.Or(l.MaxPageItems, DefaultMaxPageItems)
	l.MaxPages = cmp.Or(l.MaxPages, DefaultMaxPages)
	l.MaxListItems = cmp.Or(l.MaxListItems, DefaultMaxListItems)
	l.MaxUploadStatusBytes = cmp.Or(l.MaxUploadStatusBytes, DefaultMaxUploadStatusBytes)
	return l, nil
}

// json is what the decoding seam must enforce.
func (l Limits) json() pcjson.Limits {
	return pcjson.Limits{MaxString: l.MaxStringBytes, MaxItems: l.MaxPageItems}
}

// ErrLimit is wrapped by every error that ends a call at one of the
// client's Limits: errors.Is(err, wrapper.ErrLimit).
var ErrLimit = pcjson.ErrLimit

func tooManyPages(max int) string {
	return fmt.Sprintf("the listing has more than %d pages (raise ClientOptions.Limits.MaxPages to read more)", max)
}

// TooManyItemsError is returned by a slice-returning listing
// (ListDeviceBatches, ListDevices, FollowDevicesLink, ListCustomers,
// ListConfigurationPolicies) whose items pass Limits.MaxListItems; the
// …Iter form of the same operation streams them instead. It wraps
// ErrLimit.
type TooManyItemsError struct {
	// Operation is the listing, such as "ListDeviceBatches".
	Operation string
	// Limit is Limits.MaxListItems.
	Limit int
}

// Error returns one line naming the limit and the iterator that streams.
func (e *TooManyItemsError) Error() string {
	return fmt.Sprintf("%s: the listing has more than %d items, more than a slice is allowed to hold: range over %sIter, which streams them, or raise ClientOptions.Limits.MaxListItems", e.Operation, e.Limit, e.Operation)
}

// Unwrap returns ErrLimit.
func (e *TooManyItemsError) Unwrap() error { return ErrLimit }

// defaultLimits is Limits{} with every default filled in.
func defaultLimits() Limits {
	l, _ := Limits{}.withDefaults()
	return l
}
