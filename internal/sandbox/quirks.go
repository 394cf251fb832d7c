package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Quirk is a way the real Partner Center answers that the document allows
// but the sandbox's default answers never show, switched on so that a
// client (and contract validation) is exercised against it. Unlike Drift,
// an answer with quirks is still within the document.
type Quirk string

// The quirks.
const (
	// QuirkBOM starts every JSON answer with a UTF-8 byte order mark, as
	// live traffic does.
	QuirkBOM Quirk = "bom"
	// QuirkLinkShapes sends links (Link uris and an upload's Location) in
	// turn as an absolute URL on the sandbox's own origin, as
	// "/v1//v1/...", and without a leading slash, and writes "&" in a
	// link's query as "&amp;".
	QuirkLinkShapes Quirk = "link-shapes"
	// QuirkErrorV2 sends error answers in the newer shape {code, message,
	// errorName, isRetryable, parameters, errorMessageExtended}, with code
	// a string ("600").
	QuirkErrorV2 Quirk = "error-v2"
	// QuirkUpload200Body answers an upload or policy update 200 with the
	// status link in the body and no Location, as some reference pages
	// describe.
	QuirkUpload200Body Quirk = "upload-200-body"
	// QuirkGateway5xx answers the first try of every GET (by its
	// MS-RequestId, which a retry reuses) 502 or 504 in turn, as a gateway
	// in front of the service does; the retry is served.
	QuirkGateway5xx Quirk = "gateway-5xx"
)

// QuirkKinds are the quirks, in the order ParseQuirks documents them.
var QuirkKinds = []Quirk{QuirkBOM, QuirkLinkShapes, QuirkErrorV2, QuirkUpload200Body, QuirkGateway5xx}

// ParseQuirks reads a comma-separated list of quirks ("bom,error-v2");
// "all" names every quirk and "" none.
func ParseQuirks(s string) ([]Quirk, error) { return parseKinds(s, QuirkKinds, "quirk") }

func checkQuirks(qs []Quirk) error { return checkKinds(qs, QuirkKinds, "Quirk") }

func (s *Server) quirk(q Quirk) bool { return slices.Contains(s.quirks, q) }

// maxSeenRequests bounds the request ids QuirkGateway5xx remembers.
const maxSeenRequests = 10000

// gateway answers the first try of a GET with a gateway error when
// QuirkGateway5xx is on, with no Retry-After, as gateways send them. A GET
// changes nothing, so failing it is safe; clients retry GETs on 502 and
// 504.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request) (answer, bool) {
	if !s.quirk(QuirkGateway5xx) || r.Method != http.MethodGet {
		return answer{}, false
	}
	id := strings.ToLower(r.Header.Get("MS-RequestId"))
	s.mu.Lock()
	first := id == "" || !s.seen[id]
	if id != "" && first {
		if len(s.seen) >= maxSeenRequests {
			clear(s.seen)
		}
		s.seen[id] = true
	}
	if first {
		s.gateways++
	}
	n := s.gateways
	s.mu.Unlock()
	if !first || (id == "" && n%2 == 0) {
		return answer{}, false // without a request id, every other GET
	}
	if n%2 == 1 {
		return pcError(http.StatusBadGateway, 502, "Bad gateway: the service did not answer in time."), true
	}
	return pcError(http.StatusGatewayTimeout, 504, "Gateway timeout: the service did not answer in time."), true
}

// applyQuirks changes an answer as the quirks other than bom and
// gateway-5xx say (bom is written by write, gateway-5xx decided before the
// handler runs).
func (s *Server) applyQuirks(w http.ResponseWriter, r *http.Request, a answer) answer {
	if len(s.quirks) == 0 {
		return a
	}
	h := w.Header()
	if s.quirk(QuirkUpload200Body) && a.status == http.StatusAccepted && a.body == nil && h.Get("Location") != "" {
		a = answer{status: http.StatusOK, body: map[string]any{"uri": h.Get("Location"), "method": "GET", "headers": []any{}}}
		h.Del("Location")
	}
	if s.quirk(QuirkErrorV2) && a.status >= 400 {
		if m, ok := a.body.(map[string]any); ok && m["description"] != nil {
			a = answer{status: a.status, body: map[string]any{
				"code":                 fmt.Sprint(m["code"]),
				"message":              m["description"],
				"errorName":            strings.ReplaceAll(http.StatusText(a.status), " ", ""),
				"isRetryable":          a.status == http.StatusTooManyRequests || a.status >= 500,
				"parameters":           map[string]any{},
				"errorMessageExtended": "",
			}}
		}
	}
	if s.quirk(QuirkLinkShapes) {
		if loc := h.Get("Location"); loc != "" {
			h.Set("Location", s.reshape(r, loc))
		}
		if a.body != nil {
			raw := a.raw
			if raw == nil {
				raw, _ = json.Marshal(a.body)
			}
			var v any
			if raw != nil && json.Unmarshal(raw, &v) == nil {
				s.reshapeLinks(r, v, true)
				if b, err := json.Marshal(v); err == nil {
					a.raw = b
				}
			}
		}
	}
	return a
}

// reshapeLinks rewrites the uri of every link in v (an upload's status
// link is v itself).
func (s *Server) reshapeLinks(r *http.Request, v any, top bool) {
	switch v := v.(type) {
	case map[string]any:
		if uri, ok := v["uri"].(string); ok && (top || v["method"] != nil) {
			v["uri"] = s.reshape(r, uri)
		}
		for k, e := range v {
			if k != "uri" {
				s.reshapeLinks(r, e, false)
			}
		}
	case []any:
		for _, e := range v {
			s.reshapeLinks(r, e, false)
		}
	}
}

// reshape turns a link ("/customers/..." or "/v1/customers/...") into the
// next of the shapes the service is seen to send, and escapes "&" in its
// query as "&amp;".
func (s *Server) reshape(r *http.Request, uri string) string {
	s.mu.Lock()
	s.shapes++
	n := s.shapes
	s.mu.Unlock()
	path, query, hasQuery := strings.Cut(uri, "?")
	path = "/" + strings.TrimPrefix(strings.TrimPrefix(path, "/v1"), "/")
	switch n % 3 {
	case 1:
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		path = scheme + "://" + r.Host + "/v1" + path
	case 2:
		path = "/v1//v1" + path
	default:
		path = path[1:]
	}
	if hasQuery {
		path += "?" + strings.ReplaceAll(query, "&", "&amp;")
	}
	return path
}
