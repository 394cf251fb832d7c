package sandbox

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// DefaultCustomerPageSize is the page size of listCustomers when the
// request gives no size; 500 is also the most a request may ask for.
const DefaultCustomerPageSize = 500

// customerFilter is listCustomers' filter parameter, decoded.
type customerFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

func (f *customerFilter) keep(c *customer) bool {
	if f == nil {
		return true
	}
	v := c.companyName
	if strings.EqualFold(f.Field, "Domain") {
		v = c.domain
	}
	return strings.HasPrefix(strings.ToLower(v), strings.ToLower(f.Value))
}

func parseFilter(raw string) (*customerFilter, error) {
	if raw == "" {
		return nil, nil
	}
	var f customerFilter
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		return nil, fmt.Errorf("not a JSON object like {\"Field\":\"CompanyName\",\"Value\":\"Contoso\",\"Operator\":\"starts_with\"}")
	}
	if !strings.EqualFold(f.Field, "CompanyName") && !strings.EqualFold(f.Field, "Domain") {
		return nil, fmt.Errorf("the filter's Field %q is not CompanyName or Domain", f.Field)
	}
	if !strings.EqualFold(f.Operator, "starts_with") {
		return nil, fmt.Errorf("the filter's Operator %q is not starts_with", f.Operator)
	}
	return &f, nil
}

// listCustomers answers GET /v1/customers, paged like the service: the next
// link's uri carries /v1 and seekOperation=Next, and its headers the
// MS-ContinuationToken. The token carries the offset and the filter, so the
// next link needs neither.
func (s *Server) listCustomers(_ http.ResponseWriter, r *http.Request, p params) answer {
	q := r.URL.Query()
	size := DefaultCustomerPageSize
	if v := q.Get("size"); v != "" {
		// The document (1 to 500) was checked before this handler.
		size, _ = strconv.Atoi(v)
	}
	seek := q.Get("seekOperation")
	if seek != "" && !strings.EqualFold(seek, "Next") {
		return pcError(http.StatusBadRequest, 400, fmt.Sprintf("The seekOperation %q is not supported; use Next with an MS-ContinuationToken.", seek))
	}
	if (seek != "") != (p.token != "") {
		return pcError(http.StatusBadRequest, 400, "seekOperation=Next and the MS-ContinuationToken header go together: send both (as links.next says) or neither.")
	}
	off := 0
	rawFilter := q.Get("filter")
	if p.token != "" {
		var ok bool
		off, rawFilter, ok = s.openCustomerToken(p.token)
		if !ok {
			return invalidToken()
		}
	}
	f, err := parseFilter(rawFilter)
	if err != nil {
		return pcError(http.StatusBadRequest, 400, "The filter is invalid: "+err.Error()+".")
	}
	var kept []*customer
	for _, c := range s.data.customers {
		if f.keep(c) {
			kept = append(kept, c)
		}
	}
	if off > len(kept) {
		return invalidToken()
	}
	end := min(off+size, len(kept))
	items := make([]any, 0, end-off)
	for _, c := range kept[off:end] {
		items = append(items, customerJSON(c))
	}
	body := map[string]any{
		"totalCount": len(items),
		"items":      items,
		"links": map[string]any{"self": map[string]any{
			"uri": "/customers?size=" + strconv.Itoa(size), "method": "GET", "headers": []any{},
		}},
		"attributes": map[string]any{"objectType": "Collection"},
	}
	if end < len(kept) {
		tok := s.sealCustomerToken(end, rawFilter)
		body["continuationToken"] = tok
		body["links"].(map[string]any)["next"] = map[string]any{
			"uri":     "/v1/customers?size=" + strconv.Itoa(size) + "&seekOperation=Next",
			"method":  "GET",
			"headers": []any{map[string]any{"key": "MS-ContinuationToken", "value": tok}},
		}
	}
	return answer{status: http.StatusOK, body: body}
}

func customerJSON(c *customer) map[string]any {
	return map[string]any{
		"id": c.id,
		"companyProfile": map[string]any{
			"tenantId":    c.id,
			"domain":      c.domain,
			"companyName": c.companyName,
			"attributes":  map[string]any{"objectType": "CustomerCompanyProfile"},
		},
		"relationshipToPartner": "reseller",
		"allowDelegatedAccess":  true,
		"links": map[string]any{"self": map[string]any{
			"uri": "/customers/" + c.id, "method": "GET", "headers": []any{},
		}},
		"attributes": map[string]any{"objectType": "Customer"},
	}
}

// Customer continuation tokens look like the service's: opaque, with '+',
// ':', '~', '#', commas, slashes and '=' (padded standard base64), so a
// client that puts one in a query string, or re-encodes it, breaks here as
// it would against Partner Center. The payload is the offset and the
// filter, sealed with an HMAC.
const customerTokenPrefix = "+RID:~"

func (s *Server) sealCustomerToken(off int, filter string) string {
	payload := binary.BigEndian.AppendUint64(nil, uint64(off))
	payload = append(payload, filter...)
	return customerTokenPrefix + base64.StdEncoding.EncodeToString(payload) +
		"#RT:1#TRC:" + strconv.Itoa(off) + ",/" + base64.StdEncoding.EncodeToString(s.mac("customers", payload))
}

func (s *Server) openCustomerToken(tok string) (off int, filter string, ok bool) {
	rest, found := strings.CutPrefix(tok, customerTokenPrefix)
	i, j := strings.Index(rest, "#RT:"), strings.LastIndex(rest, ",/")
	if !found || i < 0 || j < i {
		return 0, "", false
	}
	payload, err1 := base64.StdEncoding.DecodeString(rest[:i])
	mac, err2 := base64.StdEncoding.DecodeString(rest[j+2:])
	if err1 != nil || err2 != nil || len(payload) < 8 || !hmac.Equal(mac, s.mac("customers", payload)) {
		return 0, "", false
	}
	n := binary.BigEndian.Uint64(payload[:8])
	if n > math.MaxInt32 || !bytes.Equal([]byte(rest[i:j]), []byte("#RT:1#TRC:"+strconv.FormatUint(n, 10))) {
		return 0, "", false
	}
	return int(n), string(payload[8:]), true
}
