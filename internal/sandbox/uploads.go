package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultProcessingDelay is how long an upload takes in the CLI's sandbox
// (Options.ProcessingDelay; zero there means instantly).
const DefaultProcessingDelay = 3 * time.Second

// Per-device outcomes of an upload or policy update (DeviceUploadDetails).
// 806 and 808 are the numeric codes Microsoft documents; for the others no
// number is documented, so errorCode repeats the name. DeviceNotFound and
// PolicyNotFound are the sandbox's own names.
const (
	statusSuccess    = "success"
	statusFailed     = "failed"
	statusInProgress = "in-progress"
	otherTenantHint  = "OTHER-" // serial numbers with this prefix belong to another tenant
)

type outcome struct{ code, name string }

var (
	alreadyAssigned   = outcome{"806", "ZtdDeviceAlreadyAssigned"}
	otherTenant       = outcome{"808", "ZtdDeviceAssignedToOtherTenant"}
	duplicated        = outcome{"ZtdDeviceDuplicated", "ZtdDeviceDuplicated"}
	invalidHash       = outcome{"InvalidZtdHardwareHash", "InvalidZtdHardwareHash"}
	policyNotFound    = outcome{"PolicyNotFound", "PolicyNotFound"}
	deviceNotFound    = outcome{"DeviceNotFound", "DeviceNotFound"}
	sequenceNoElement = "Sequence contains no matching element"
)

// uploadDevice is a device of an upload request. encoding/json matches
// field names case-insensitively, like the service's request binding.
type uploadDevice struct {
	HardwareHash        string         `json:"hardwareHash"`
	SerialNumber        string         `json:"serialNumber"`
	ProductKey          string         `json:"productKey"`
	ModelName           string         `json:"modelName"`
	OemManufacturerName string         `json:"oemManufacturerName"`
	Policies            []policyAssign `json:"policies"`
}

type policyAssign struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type policyUpdate struct {
	ID       string         `json:"id"`
	Policies []policyAssign `json:"policies"`
}

// job is an upload or a policy update: accepted at once, processed when
// the clock reaches due. Its state is computed from the clock when read, so
// tests with an injected clock see every state deterministically.
type job struct {
	id       string
	customer *customer
	batch    *batch // uploads only
	accepted time.Time
	due      time.Time
	uploads  []uploadDevice
	updates  []policyUpdate
	results  []map[string]any // per device, set when processed
	done     bool
	failed   bool
	user     string
}

// status is the job's BatchUploadDetails status at now.
func (j *job) status(now time.Time, delay time.Duration) string {
	switch {
	case j.done && j.failed:
		return "finished_with_errors"
	case j.done:
		return "finished"
	case now.Sub(j.accepted) < delay/4:
		return "queued"
	}
	return "processing"
}

// identity reports whether d has an identity Partner Center accepts: a
// hardware hash (alone, or with a serial number and/or product key), a
// product key alone, or serial number, manufacturer and model.
func (d uploadDevice) identity() bool {
	if d.HardwareHash != "" || d.ProductKey != "" {
		return true
	}
	return d.SerialNumber != "" && d.OemManufacturerName != "" && d.ModelName != ""
}

// key identifies a device within one upload, for ZtdDeviceDuplicated.
func (d uploadDevice) key() string {
	switch {
	case d.HardwareHash != "":
		return "h\x00" + d.HardwareHash
	case d.ProductKey != "":
		return "p\x00" + d.ProductKey
	}
	return "t\x00" + d.SerialNumber + "\x00" + d.OemManufacturerName + "\x00" + d.ModelName
}

// caller is what the sandbox reads from the bearer token.
type caller struct {
	appOnly bool
	user    string
}

// callerOf decodes the bearer token as a JWT WITHOUT verifying it (the
// sandbox accepts any token): app-only when idtyp is "app" or there is no
// scp claim (delegated tokens carry scopes, app tokens roles). A token that
// is not a JWT, such as "sandbox-token", counts as App+User.
func callerOf(r *http.Request) caller {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	parts := strings.Split(strings.TrimSpace(tok), ".")
	if len(parts) != 3 {
		return caller{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return caller{}
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil || claims == nil {
		return caller{}
	}
	c := caller{}
	scp, _ := claims["scp"].(string)
	c.appOnly = claims["idtyp"] == "app" || strings.TrimSpace(scp) == ""
	for _, k := range []string{"upn", "unique_name", "preferred_username"} {
		if v, ok := claims[k].(string); ok && v != "" {
			c.user = v
			break
		}
	}
	return c
}

// emptyPolicies reports whether an upload body holds a device with
// "policies": [], which the service answers with a 500.
func emptyPolicies(opID string, body []byte) bool {
	var devices []any
	switch opID {
	case "createDeviceBatch":
		var req map[string]any
		if json.Unmarshal(body, &req) != nil {
			return false
		}
		for k, v := range req {
			if strings.EqualFold(k, "devices") {
				devices, _ = v.([]any)
			}
		}
	case "addDevices":
		if json.Unmarshal(body, &devices) != nil {
			return false
		}
	default:
		return false
	}
	for _, d := range devices {
		m, _ := d.(map[string]any)
		for k, v := range m {
			if p, ok := v.([]any); ok && len(p) == 0 && strings.EqualFold(k, "policies") {
				return true
			}
		}
	}
	return false
}

// checkIdentities answers 400 for the first device without an accepted
// identity.
func checkIdentities(devices []uploadDevice) *answer {
	for i, d := range devices {
		if !d.identity() {
			a := pcError(http.StatusBadRequest, 400, fmt.Sprintf(
				"Device %d has no accepted identity: give a hardware hash (alone, or with a serial number and/or a product key), a product key alone, or a serial number with the manufacturer and model names.", i+1))
			return &a
		}
	}
	return nil
}

// createDeviceBatch answers POST /v1/customers/{customer-id}/deviceBatches.
func (s *Server) createDeviceBatch(w http.ResponseWriter, r *http.Request, p params) answer {
	c := s.data.customer(p.path["customer-id"])
	if c == nil {
		return customerNotFound()
	}
	who := callerOf(r)
	if who.appOnly {
		return pcError(http.StatusForbidden, 3000, "Creating a device batch requires App+User authentication: the access token is app-only. Sign in as a user (App+User) to create batches; app-only tokens may list them and add devices to existing ones.")
	}
	var req struct {
		BatchID string         `json:"batchId"`
		Devices []uploadDevice `json:"devices"`
	}
	if err := json.Unmarshal(p.body, &req); err != nil {
		return pcError(http.StatusBadRequest, 400, "The request body is not a device batch creation request.")
	}
	if a := checkIdentities(req.Devices); a != nil {
		return *a
	}
	if b := c.findBatchFold(req.BatchID); b != nil {
		return pcError(http.StatusConflict, 409, fmt.Sprintf("A device batch named %q already exists.", b.id))
	}
	now := s.now()
	b := &batch{id: req.BatchID, fields: map[string]any{
		"id":           req.BatchID,
		"status":       "queued",
		"createdBy":    firstNonEmpty(who.user, "sandbox-user@contoso.example"),
		"creationDate": now.UTC().Format("2006-01-02T15:04:05"),
		"devicesCount": 0,
		// Relative, without /v1 and with the batch id unescaped, as the
		// service writes it.
		"devicesLink": map[string]any{"uri": "/customers/" + c.id + "/deviceBatches/" + req.BatchID + "/devices", "method": "GET", "headers": []any{}},
		"attributes":  map[string]any{"objectType": "DeviceBatch"},
	}}
	c.batches = append(c.batches, b)
	return s.accept(w, c, b, req.Devices, nil, who.user, now)
}

// addDevices answers POST
// /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices. App-only
// tokens may add devices.
func (s *Server) addDevices(w http.ResponseWriter, r *http.Request, p params) answer {
	c, b, missing := s.batchOf(p)
	if b == nil {
		return missing
	}
	var devices []uploadDevice
	if err := json.Unmarshal(p.body, &devices); err != nil {
		return pcError(http.StatusBadRequest, 400, "The request body is not a list of devices.")
	}
	if a := checkIdentities(devices); a != nil {
		return *a
	}
	return s.accept(w, c, b, devices, nil, callerOf(r).user, s.now())
}

// updateDevicePolicies answers PATCH
// /v1/customers/{customer-id}/DevicePolicyUpdates. It is processed at once:
// its status is final when the 202 is sent.
func (s *Server) updateDevicePolicies(w http.ResponseWriter, r *http.Request, p params) answer {
	c := s.data.customer(p.path["customer-id"])
	if c == nil {
		return customerNotFound()
	}
	var req struct {
		Devices []policyUpdate `json:"devices"`
	}
	if err := json.Unmarshal(p.body, &req); err != nil {
		return pcError(http.StatusBadRequest, 400, "The request body is not a device policy update request.")
	}
	for i, d := range req.Devices {
		for _, pol := range d.Policies {
			if !strings.EqualFold(pol.Key, "o_o_b_e") {
				return pcError(http.StatusBadRequest, 400, fmt.Sprintf("Device %d: the policy category %q is not supported; use o_o_b_e.", i+1, pol.Key))
			}
		}
	}
	return s.accept(w, c, nil, nil, req.Devices, callerOf(r).user, s.now())
}

// accept records a job and answers 202 with its Location, relative and
// without /v1 like the service's.
func (s *Server) accept(w http.ResponseWriter, c *customer, b *batch, uploads []uploadDevice, updates []policyUpdate, user string, now time.Time) answer {
	j := &job{id: s.newGUID(), customer: c, batch: b, accepted: now, due: now.Add(s.delay), uploads: uploads, updates: updates, user: user}
	s.jobs[j.id] = j
	if updates != nil {
		// Final at once, never queued behind uploads still processing.
		j.due = now
		s.applyPolicies(j)
		j.done = true
	} else {
		s.pending = append(s.pending, j)
		b.pending = j
		s.settle(now)
	}
	w.Header().Set("Location", "/customers/"+c.id+"/batchJobStatus/"+j.id)
	return answer{status: http.StatusAccepted}
}

// settle processes, in the order they were accepted, the jobs whose time
// has come. Every handler runs it first, so what a request sees depends
// only on the clock.
func (s *Server) settle(now time.Time) {
	for len(s.pending) > 0 && !now.Before(s.pending[0].due) {
		j := s.pending[0]
		s.pending = s.pending[1:]
		s.applyUpload(j, j.due)
		j.done = true
		if j.batch.pending == j {
			j.batch.pending = nil
			j.batch.fields["status"] = j.status(now, s.delay)
		}
	}
}

func (s *Server) applyUpload(j *job, at time.Time) {
	c, b := j.customer, j.batch
	hashes, serials := map[string]bool{}, map[string]bool{}
	for _, ob := range c.batches {
		for _, d := range ob.devices {
			if h, _ := d["hardwareHash"].(string); h != "" {
				hashes[h] = true
			}
			if sn, _ := d["serialNumber"].(string); sn != "" {
				serials[sn] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, d := range j.uploads {
		res := map[string]any{"status": statusFailed}
		if d.SerialNumber != "" {
			res["serialNumber"] = d.SerialNumber
		}
		if d.ProductKey != "" {
			res["productKey"] = d.ProductKey
		}
		var fail *outcome
		switch {
		case seen[d.key()]:
			fail = &duplicated
		case d.HardwareHash != "" && !validHash(d.HardwareHash):
			fail = &invalidHash
		case strings.HasPrefix(strings.ToUpper(d.SerialNumber), otherTenantHint):
			fail = &otherTenant
		case hashes[d.HardwareHash] || serials[d.SerialNumber]:
			fail = &alreadyAssigned
		}
		seen[d.key()] = true
		policies := []any{map[string]any{"key": "o_o_b_e", "value": nil}}
		if fail == nil && len(d.Policies) > 0 {
			policies = policies[:0]
			for _, pol := range d.Policies {
				if strings.EqualFold(pol.Key, "o_o_b_e") && c.policy(pol.Value) == nil {
					fail = &policyNotFound
				}
				policies = append(policies, map[string]any{"key": pol.Key, "value": pol.Value})
			}
		}
		if fail != nil {
			res["errorCode"], res["errorDescription"] = fail.code, fail.name
			j.failed = true
			j.results = append(j.results, res)
			continue
		}
		id := s.newGUID()
		dev := map[string]any{"id": id}
		for k, v := range map[string]string{"serialNumber": d.SerialNumber, "productKey": d.ProductKey, "hardwareHash": d.HardwareHash, "modelName": d.ModelName, "oemManufacturerName": d.OemManufacturerName, "uploadedBy": j.user} {
			if v != "" {
				dev[k] = v
			}
		}
		dev["policies"] = policies
		// With an offset and seven fractional digits, as the service
		// writes uploadedDate.
		dev["uploadedDate"] = at.In(serviceZone).Format("2006-01-02T15:04:05.0000000-07:00")
		dev["allowedOperations"] = []any{"GET", "PATCH", "DELETE"}
		dev["attributes"] = map[string]any{"objectType": "Device"}
		b.devices = append(b.devices, dev)
		if d.HardwareHash != "" {
			hashes[d.HardwareHash] = true
		}
		if d.SerialNumber != "" {
			serials[d.SerialNumber] = true
		}
		res["deviceId"], res["status"], res["errorCode"], res["errorDescription"] = id, statusSuccess, nil, nil
		j.results = append(j.results, res)
	}
	b.fields["devicesCount"] = len(b.devices)
}

func (s *Server) applyPolicies(j *job) {
	c := j.customer
	for _, u := range j.updates {
		res := map[string]any{"deviceId": u.ID, "status": statusFailed}
		dev := c.device(u.ID)
		var fail *outcome
		if dev == nil {
			fail = &deviceNotFound
		}
		for _, pol := range u.Policies {
			if fail == nil && c.policy(pol.Value) == nil {
				fail = &policyNotFound
			}
		}
		if fail != nil {
			res["errorCode"], res["errorDescription"] = fail.code, fail.name
			j.failed = true
			j.results = append(j.results, res)
			continue
		}
		if sn, ok := dev["serialNumber"].(string); ok {
			res["serialNumber"] = sn
		}
		if pk, ok := dev["productKey"].(string); ok {
			res["productKey"] = pk
		}
		// Replace, never change in place: listings marshal these maps.
		policies := []any{}
		for _, pol := range u.Policies {
			policies = append(policies, map[string]any{"key": "o_o_b_e", "value": pol.Value})
		}
		dev["policies"] = policies
		res["status"], res["errorCode"], res["errorDescription"] = statusSuccess, nil, nil
		j.results = append(j.results, res)
	}
}

// validHash reports whether a hardware hash is base64, as real hashes are.
func validHash(h string) bool {
	_, err := base64.StdEncoding.DecodeString(h)
	return err == nil
}

// serviceZone is the offset of the uploadedDate values Partner Center
// documents (-07:00).
var serviceZone = time.FixedZone("", -7*3600)

// getBatchUploadStatus answers GET
// /v1/customers/{customer-id}/batchJobStatus/{tracking-id}.
func (s *Server) getBatchUploadStatus(_ http.ResponseWriter, _ *http.Request, p params) answer {
	c := s.data.customer(p.path["customer-id"])
	if c == nil {
		return customerNotFound()
	}
	j := s.jobs[strings.ToLower(p.path["tracking-id"])]
	if j == nil || j.customer != c {
		return pcError(http.StatusNotFound, 404, fmt.Sprintf("The batch upload %q was not found.", p.path["tracking-id"]))
	}
	now := s.now()
	status := j.status(now, s.delay)
	body := map[string]any{
		"batchTrackingId": j.id,
		"status":          status,
		"startedTime":     nil,
		"completedTime":   nil,
		"attributes":      map[string]any{"objectType": "BatchUploadDetails"},
	}
	// Times without a zone, in UTC, like creationDate.
	const layout = "2006-01-02T15:04:05.0000000"
	if status != "queued" {
		body["startedTime"] = j.accepted.Add((j.due.Sub(j.accepted)) / 4).UTC().Format(layout)
	}
	if j.done {
		body["completedTime"] = j.due.UTC().Format(layout)
		body["devicesStatus"] = j.results
	} else {
		pending := make([]any, 0, len(j.uploads))
		for _, d := range j.uploads {
			m := map[string]any{"status": statusInProgress}
			if d.SerialNumber != "" {
				m["serialNumber"] = d.SerialNumber
			}
			if d.ProductKey != "" {
				m["productKey"] = d.ProductKey
			}
			pending = append(pending, m)
		}
		body["devicesStatus"] = pending
	}
	return answer{status: http.StatusOK, body: body}
}

// deleteDevice answers DELETE
// /v1/customers/{customer-id}/deviceBatches/{batch-id}/devices/{device-id}.
func (s *Server) deleteDevice(_ http.ResponseWriter, _ *http.Request, p params) answer {
	_, b, missing := s.batchOf(p)
	if b == nil {
		return missing
	}
	for i, d := range b.devices {
		if strings.EqualFold(d["id"].(string), p.path["device-id"]) {
			b.devices = append(b.devices[:i:i], b.devices[i+1:]...)
			b.fields["devicesCount"] = len(b.devices)
			return answer{status: http.StatusNoContent}
		}
	}
	return pcError(http.StatusNotFound, 404, fmt.Sprintf("The device %q was not found in device batch %q.", p.path["device-id"], b.id))
}

// listConfigurationPolicies answers GET
// /v1/customers/{customer-id}/policies. devicesAssigned counts the
// customer's devices whose o_o_b_e policy is the profile.
func (s *Server) listConfigurationPolicies(_ http.ResponseWriter, _ *http.Request, p params) answer {
	c := s.data.customer(p.path["customer-id"])
	if c == nil {
		return customerNotFound()
	}
	counts := map[string]int{}
	for _, b := range c.batches {
		for _, d := range b.devices {
			pols, _ := d["policies"].([]any)
			for _, pol := range pols {
				m, _ := pol.(map[string]any)
				if v, ok := m["value"].(string); ok && strings.EqualFold(fmt.Sprint(m["key"]), "o_o_b_e") {
					counts[strings.ToLower(v)]++
				}
			}
		}
	}
	items := make([]any, len(c.policies))
	for i, pol := range c.policies {
		out := make(map[string]any, len(pol)+1)
		for k, v := range pol {
			out[k] = v
		}
		out["devicesAssigned"] = counts[strings.ToLower(pol["id"].(string))]
		items[i] = out
	}
	return collection(items, nil, "")
}

// device finds a device of the customer by id, in any batch.
func (c *customer) device(id string) map[string]any {
	for _, b := range c.batches {
		for _, d := range b.devices {
			if strings.EqualFold(d["id"].(string), id) {
				return d
			}
		}
	}
	return nil
}

func batchNotFound(id string) answer {
	return pcError(http.StatusNotFound, 404, fmt.Sprintf("The device batch %q was not found.", id))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
