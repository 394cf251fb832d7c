package sandbox

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/partnercenter-go/devicebatches/internal/contract"
	"github.com/partnercenter-go/devicebatches/internal/guid"
)

// defaultData is the data set the sandbox serves when no file is given: the
// customer and "Test batch" of Partner Center's documented example, a batch
// of 250 generated devices (three pages), and two more customers.
//
//go:embed data/default.json
var defaultData []byte

// maxGenerated bounds generateDevices so a typo cannot exhaust memory.
const maxGenerated = 100000

// Data is the sandbox's store of customers, their device batches, the
// batches' devices and the customers' Autopilot profiles, as loaded from a
// data file. A Server works on its own copy: uploads and deletes never
// change a Data.
//
// The data file is JSON:
//
//	{"customers": [
//	  {"id": "<customer tenant id, a GUID>",
//	   "companyName": "Contoso", "domain": "contoso.onmicrosoft.com",
//	   "policies": [{"id": "...", "name": "...", "category": "o_o_b_e", ...}],
//	   "batches": [
//	     {"id": "Test batch", "status": "finished", "creationDate": "2017-07-25T01:51:00",
//	      "devices": [{"id": "...", "serialNumber": "...", ...}],
//	      "generateDevices": 250}]}]}
//
// companyName and domain make the customer's companyProfile (listCustomers);
// without them they derive from the id. "policies" are ConfigurationPolicy
// objects (the document's schema), ids unique within the customer;
// devicesAssigned is always computed from the devices' o_o_b_e policies.
// A batch holds DeviceBatch fields as the service names them (the document's
// DeviceBatch schema) plus "devices", a list of Device objects (the Device
// schema), and "generateDevices", a count of devices generated
// deterministically from the customer and batch ids and appended to
// "devices". The sandbox fills in what the service computes: devicesCount
// (when given it must equal the number of devices), devicesLink and
// attributes. Customer ids must be GUIDs and unique (case-insensitively);
// batch ids must be unique within a customer (case-insensitively, as
// createDeviceBatch compares names) and device ids within a batch.
type Data struct {
	customers []*customer
}

type customer struct {
	id          string
	companyName string
	domain      string
	batches     []*batch
	policies    []map[string]any // ConfigurationPolicy fields; devicesAssigned is computed
}

type batch struct {
	id      string
	fields  map[string]any // DeviceBatch fields, devicesCount/devicesLink/attributes included
	devices []map[string]any
	pending *job // the upload being processed into this batch, if any
}

type fileCustomer struct {
	ID          *string           `json:"id"`
	CompanyName *string           `json:"companyName"`
	Domain      *string           `json:"domain"`
	Batches     []json.RawMessage `json:"batches"`
	Policies    []json.RawMessage `json:"policies"`
}

type fileData struct {
	Customers []fileCustomer `json:"customers"`
}

// DataError is a data file the sandbox cannot serve: File names the file,
// Where the place in it (line:col for malformed JSON, a JSON path such as
// customers[0].batches[1].devices[3] otherwise) and Problem what is wrong.
type DataError struct {
	File    string
	Where   string
	Problem string
}

// Error returns one line: the file, the place and the problem.
func (e *DataError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("sandbox data %s: %s", e.File, e.Problem)
	}
	return fmt.Sprintf("sandbox data %s: at %s: %s", e.File, e.Where, e.Problem)
}

// DefaultData returns the embedded data set (see Data for its contents).
func DefaultData() *Data {
	d, err := ParseData("default.json", defaultData)
	if err != nil {
		// The embedded file is tested; failing here is a build defect.
		panic(err)
	}
	return d
}

// MaxDataFile bounds a data file's size (64 MiB): the sandbox holds the
// whole file and what it describes in memory, so a wrong path such as
// /dev/zero must fail at once rather than exhaust memory.
const MaxDataFile = 64 << 20

// LoadData reads and checks a data file (format described on Data): a
// regular file of at most MaxDataFile bytes. Any problem is one *DataError
// naming the file, the place and the problem.
func LoadData(path string) (*Data, error) {
	cannot := func(err error) error {
		problem := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			problem = pe.Err.Error()
		}
		return &DataError{File: path, Problem: "cannot read: " + problem}
	}
	// Stat before opening: opening a FIFO blocks until a writer comes.
	st, err := os.Stat(path)
	if err != nil {
		return nil, cannot(err)
	}
	if err := checkDataFile(path, st); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, cannot(err)
	}
	defer f.Close()
	// The path may have been replaced since the Stat.
	if st, err = f.Stat(); err != nil {
		return nil, cannot(err)
	}
	if err := checkDataFile(path, st); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxDataFile+1))
	if err != nil {
		return nil, cannot(err)
	}
	if len(b) > MaxDataFile {
		return nil, tooLarge(path)
	}
	return ParseData(path, b)
}

// checkDataFile refuses what is not a regular file of at most MaxDataFile
// bytes.
func checkDataFile(path string, st os.FileInfo) error {
	switch {
	case st.IsDir():
		return &DataError{File: path, Problem: "is a directory, not a JSON data file"}
	case !st.Mode().IsRegular():
		return &DataError{File: path, Problem: "is not a regular file (a device, pipe or socket): give a JSON data file"}
	case st.Size() > MaxDataFile:
		return tooLarge(path)
	}
	return nil
}

func tooLarge(path string) error {
	return &DataError{File: path, Problem: fmt.Sprintf("is larger than %d MiB, the most the sandbox loads: use fewer devices or generateDevices", MaxDataFile>>20)}
}

// ParseData checks data file contents b; name is used in errors.
func ParseData(name string, b []byte) (*Data, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	fail := func(where, format string, a ...any) error {
		return &DataError{File: name, Where: where, Problem: fmt.Sprintf(format, a...)}
	}
	var f fileData
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(name, b, err)
	}
	if dec.More() {
		return nil, fail(lineCol(b, dec.InputOffset()), "unexpected data after the top-level object")
	}
	if f.Customers == nil {
		return nil, fail("", `no "customers" list`)
	}
	doc, err := contract.Load()
	if err != nil {
		return nil, err
	}
	batchSchema := doc.Components.Schemas["DeviceBatch"].Value
	deviceSchema := doc.Components.Schemas["Device"].Value
	policySchema := doc.Components.Schemas["ConfigurationPolicy"].Value
	sopts := contract.SchemaOptions()

	d := &Data{}
	seenCustomer := map[string]bool{}
	for ci, fc := range f.Customers {
		at := fmt.Sprintf("customers[%d]", ci)
		if fc.ID == nil {
			return nil, fail(at, `no "id"`)
		}
		if !guid.Valid(*fc.ID) {
			return nil, fail(at+".id", "%q is not a GUID (8-4-4-4-12 hexadecimal digits)", *fc.ID)
		}
		key := strings.ToLower(*fc.ID)
		if seenCustomer[key] {
			return nil, fail(at+".id", "customer %s appears twice", *fc.ID)
		}
		seenCustomer[key] = true
		c := &customer{id: *fc.ID, companyName: deref(fc.CompanyName), domain: deref(fc.Domain)}
		if c.companyName == "" {
			c.companyName = "Customer " + c.id[:8]
		}
		if c.domain == "" {
			c.domain = strings.ToLower(c.id[:8]) + ".onmicrosoft.com"
		}
		seenPolicy := map[string]bool{}
		for pi, raw := range fc.Policies {
			pat := fmt.Sprintf("%s.policies[%d]", at, pi)
			var pol map[string]any
			if err := decodeNumbers(raw, &pol); err != nil || pol == nil {
				return nil, fail(pat, "a policy must be a JSON object")
			}
			if err := policySchema.VisitJSON(pol, sopts...); err != nil {
				return nil, fail(pat, "does not match the ConfigurationPolicy schema: %s", schemaProblem(err))
			}
			pid := strings.ToLower(pol["id"].(string))
			if pid == "" || seenPolicy[pid] {
				return nil, fail(pat+".id", "policy %q is empty or appears twice in customer %s", pol["id"], c.id)
			}
			seenPolicy[pid] = true
			if _, ok := pol["attributes"]; !ok {
				pol["attributes"] = map[string]any{"objectType": "ConfigurationPolicy"}
			}
			c.policies = append(c.policies, pol)
		}
		seenBatch := map[string]int{} // foldKey of a batch id → its index
		for bi, raw := range fc.Batches {
			bat := fmt.Sprintf("%s.batches[%d]", at, bi)
			var fields map[string]any
			if err := decodeNumbers(raw, &fields); err != nil || fields == nil {
				return nil, fail(bat, "a batch must be a JSON object")
			}
			var devicesRaw []json.RawMessage
			if v, ok := fields["devices"]; ok {
				rb, _ := json.Marshal(v)
				if err := json.Unmarshal(rb, &devicesRaw); err != nil {
					return nil, fail(bat+".devices", "must be a list of devices")
				}
				delete(fields, "devices")
			}
			gen := 0
			if v, ok := fields["generateDevices"]; ok {
				f, ok := v.(float64)
				i := int64(f)
				if !ok || float64(i) != f || i < 0 || i > maxGenerated {
					return nil, fail(bat+".generateDevices", "must be a whole number from 0 to %d", maxGenerated)
				}
				gen = int(i)
				delete(fields, "generateDevices")
			}
			if err := batchSchema.VisitJSON(fields, sopts...); err != nil {
				return nil, fail(bat, "does not match the DeviceBatch schema: %s", schemaProblem(err))
			}
			id := fields["id"].(string)
			if id == "" || strings.ContainsAny(id, "/?#") {
				return nil, fail(bat+".id", "batch id %q must be non-empty and contain no / ? or #", id)
			}
			if first, ok := seenBatch[foldKey(id)]; ok {
				if prev := c.batches[first].id; prev != id {
					// createDeviceBatch matches names case-insensitively, so
					// the sandbox could not tell these batches apart.
					return nil, fail(bat+".id", "batch %q and batch %q (batches[%d]) differ only in case in customer %s: batch ids are unique case-insensitively", id, prev, first, c.id)
				}
				return nil, fail(bat+".id", "batch %q appears twice in customer %s", id, c.id)
			}
			seenBatch[foldKey(id)] = len(c.batches)
			b := &batch{id: id, fields: fields}
			seenDevice := map[string]bool{}
			for di, rd := range devicesRaw {
				dat := fmt.Sprintf("%s.devices[%d]", bat, di)
				var dev map[string]any
				if err := decodeNumbers(rd, &dev); err != nil || dev == nil {
					return nil, fail(dat, "a device must be a JSON object")
				}
				if err := deviceSchema.VisitJSON(dev, sopts...); err != nil {
					return nil, fail(dat, "does not match the Device schema: %s", schemaProblem(err))
				}
				did := dev["id"].(string)
				if seenDevice[did] {
					return nil, fail(dat+".id", "device %q appears twice in batch %q", did, id)
				}
				seenDevice[did] = true
				b.devices = append(b.devices, dev)
			}
			for i := range gen {
				dev := generateDevice(c.id, id, len(b.devices)+1, i)
				if seenDevice[dev["id"].(string)] {
					return nil, fail(bat+".generateDevices", "a generated device id collides with a listed one")
				}
				b.devices = append(b.devices, dev)
			}
			if v, ok := fields["devicesCount"]; ok {
				n, _ := v.(float64)
				if n != float64(len(b.devices)) {
					return nil, fail(bat+".devicesCount", "is %v but the batch has %d devices", n, len(b.devices))
				}
			}
			fields["devicesCount"] = len(b.devices)
			if _, ok := fields["devicesLink"]; !ok {
				// Relative, without /v1 and with the batch id unescaped,
				// exactly as the real service writes it.
				fields["devicesLink"] = map[string]any{
					"uri":     "/customers/" + c.id + "/deviceBatches/" + id + "/devices",
					"method":  "GET",
					"headers": []any{},
				}
			}
			if _, ok := fields["attributes"]; !ok {
				fields["attributes"] = map[string]any{"objectType": "DeviceBatch"}
			}
			c.batches = append(c.batches, b)
		}
		d.customers = append(d.customers, c)
	}
	return d, nil
}

// foldKey maps s to a key equal for exactly the strings strings.EqualFold
// finds equal: each rune becomes the smallest of its case-folding orbit.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// decodeNumbers decodes into v with numbers as float64, the only number
// type kin-openapi's VisitJSON checks.
func decodeNumbers(raw []byte, v any) error {
	return json.Unmarshal(raw, v)
}

// schemaProblem shortens kin-openapi's multi-line schema errors to one line.
func schemaProblem(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		p := se.JSONPointer()
		reason := se.Reason
		if len(p) > 0 {
			return fmt.Sprintf("field %q: %s", strings.Join(p, "."), reason)
		}
		return reason
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

func jsonError(name string, b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &DataError{File: name, Where: lineCol(b, se.Offset), Problem: "malformed JSON: " + se.Error()}
	case errors.As(err, &te):
		where := lineCol(b, te.Offset)
		if te.Field != "" {
			where += " (" + te.Field + ")"
		}
		return &DataError{File: name, Where: where, Problem: fmt.Sprintf("expected %s, found a JSON %s", te.Type, te.Value)}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &DataError{File: name, Problem: "malformed JSON: the file is empty or ends too early"}
	default:
		return &DataError{File: name, Problem: "malformed JSON: " + err.Error()}
	}
}

// lineCol turns a byte offset into "line L, column C" (1-based).
func lineCol(b []byte, off int64) string {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col := 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// generateDevice makes device number n (1-based within the batch) of a
// generated batch. Everything derives from the ids and n, so every load of
// the same file serves the same devices.
func generateDevice(customerID, batchID string, n, i int) map[string]any {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d", strings.ToLower(customerID), batchID, n)))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	id := fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
	models := []struct{ model, oem string }{
		{"Surface Laptop 5", "Microsoft Corporation"},
		{"Latitude 7440", "Dell Inc."},
		{"EliteBook 840 G10", "HP Inc."},
		{"ThinkPad T14 Gen 4", "Lenovo"},
	}
	m := models[i%len(models)]
	loc := time.FixedZone("", -7*3600)
	uploaded := time.Date(2024, 3, 11, 9, 30, 0, 0, loc).Add(time.Duration(i)*time.Second + time.Duration(n%9973)*100*time.Microsecond)
	return map[string]any{
		"id":                  id,
		"serialNumber":        fmt.Sprintf("SBX-%05d", n),
		"productKey":          fmt.Sprintf("00329-%05d-%04d-AA%04d", n/10000, n%10000, (n*37)%10000),
		"hardwareHash":        fmt.Sprintf("%X", h[16:32]),
		"modelName":           m.model,
		"oemManufacturerName": m.oem,
		"policies":            []any{map[string]any{"key": "o_o_b_e", "value": nil}},
		"uploadedDate":        uploaded.Format("2006-01-02T15:04:05.0000000-07:00"),
		"allowedOperations":   []any{"GET", "PATCH", "DELETE"},
		"attributes":          map[string]any{"objectType": "Device"},
	}
}

// customer finds a customer by id; tenant ids compare case-insensitively.
func (d *Data) customer(id string) *customer {
	for _, c := range d.customers {
		if strings.EqualFold(c.id, id) {
			return c
		}
	}
	return nil
}

func (c *customer) batch(id string) *batch {
	for _, b := range c.batches {
		if b.id == id {
			return b
		}
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// clone copies d deeply enough that a Server may change its copy (add and
// remove batches and devices, replace a device's policies, update counts)
// without touching d, which callers may share between servers.
func (d *Data) clone() *Data {
	out := &Data{customers: make([]*customer, len(d.customers))}
	for i, c := range d.customers {
		nc := *c
		nc.batches = make([]*batch, len(c.batches))
		for j, b := range c.batches {
			nb := &batch{id: b.id, fields: maps.Clone(b.fields), devices: make([]map[string]any, len(b.devices))}
			for k, dev := range b.devices {
				nb.devices[k] = maps.Clone(dev)
			}
			nc.batches[j] = nb
		}
		nc.policies = make([]map[string]any, len(c.policies))
		for j, p := range c.policies {
			nc.policies[j] = maps.Clone(p)
		}
		out.customers[i] = &nc
	}
	return out
}

// MaxCustomers bounds Options.Customers so a typo cannot exhaust memory.
const MaxCustomers = 10000

// companies name generated customers, after Microsoft's fictitious ones.
var companies = []string{
	"Contoso", "Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys", "Wide World Importers",
	"Litware", "Proseware", "Woodgrove Bank", "Alpine Ski House", "Coho Winery", "Lamna Healthcare",
}

// generateCustomers makes n customers from seed, the same for the same
// seed: a company name and domain, no batch for every fourth customer and
// one to three small batches (one to five devices) for the others, and an
// Autopilot profile for every other customer, so a many-customer listing
// shows every case.
func generateCustomers(n int, seed int64) []*customer {
	out := make([]*customer, n)
	for i := range n {
		h := sha256.Sum256([]byte(fmt.Sprintf("customer\x00%d\x00%d", seed, i)))
		id := guidFrom(h[:16])
		name := fmt.Sprintf("%s %04d", companies[i%len(companies)], i+1)
		c := &customer{
			id:          id,
			companyName: name,
			domain:      strings.ToLower(strings.ReplaceAll(companies[i%len(companies)], " ", "")) + fmt.Sprintf("%04d", i+1) + ".onmicrosoft.com",
		}
		if i%2 == 0 {
			c.policies = append(c.policies, map[string]any{
				"id": guidFrom(h[16:32]), "name": "Autopilot default", "category": "o_o_b_e",
				"description": "Generated by the sandbox.", "devicesAssigned": 0,
				"policySettings":   []any{"skip_express_settings", "oobe_user_not_local_admin"},
				"createdDate":      "2024-01-15T10:00:00.0000000-08:00",
				"lastModifiedDate": "2024-01-15T10:00:00.0000000-08:00",
				"attributes":       map[string]any{"objectType": "ConfigurationPolicy"},
			})
		}
		if i%4 != 3 {
			for j := range 1 + i%3 {
				bid := fmt.Sprintf("Wave %d", j+1)
				b := &batch{id: bid, fields: map[string]any{
					"id": bid, "status": "finished", "createdBy": "sandbox@" + c.domain,
					"creationDate": time.Date(2024, 2, 1+j, 9, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05"),
				}}
				for k := range 1 + (i+j)%5 {
					b.devices = append(b.devices, generateDevice(id, bid, k+1, k))
				}
				b.fields["devicesCount"] = len(b.devices)
				b.fields["devicesLink"] = map[string]any{"uri": "/customers/" + id + "/deviceBatches/" + bid + "/devices", "method": "GET", "headers": []any{}}
				b.fields["attributes"] = map[string]any{"objectType": "DeviceBatch"}
				c.batches = append(c.batches, b)
			}
		}
		out[i] = c
	}
	return out
}

// guidFrom formats 16 bytes as a version 4 GUID.
func guidFrom(b []byte) string {
	var g [16]byte
	copy(g[:], b)
	g[6] = g[6]&0x0f | 0x40
	g[8] = g[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", g[0:4], g[4:6], g[6:8], g[8:10], g[10:16])
}

// findBatch finds a batch by name as createDeviceBatch's uniqueness check
// does: case-insensitively, as the PowerShell module matches names.
func (c *customer) findBatchFold(id string) *batch {
	for _, b := range c.batches {
		if strings.EqualFold(b.id, id) {
			return b
		}
	}
	return nil
}

func (c *customer) policy(id string) map[string]any {
	for _, p := range c.policies {
		if strings.EqualFold(p["id"].(string), id) {
			return p
		}
	}
	return nil
}
