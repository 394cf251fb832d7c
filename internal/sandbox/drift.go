package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Drift is a way the sandbox can make its successful answers differ from
// the OpenAPI document, so that contract validation (package wrapper/drift,
// the CLI's --validate-contract) can be shown to catch each kind. Every kind
// changes the first item of a collection (or the answer itself when it is
// not a collection), so the JSON path of the deviation is predictable.
type Drift string

// The kinds of drift.
const (
	// DriftUnknownField adds a property the document does not name,
	// "sandboxDrift", to the first item (/items/0/sandboxDrift), or to the
	// answer itself. The document allows unknown properties, so a tolerant
	// client decodes the answer as before.
	DriftUnknownField Drift = "unknown-field"
	// DriftMissingRequired drops the first item's required "id"
	// (/items/0/id), or the collection's "items" when it has no item.
	DriftMissingRequired Drift = "missing-required"
	// DriftWrongType sends the first item's devicesCount as a string
	// (/items/0/devicesCount), or else totalCount (/totalCount).
	DriftWrongType Drift = "wrong-type"
	// DriftUnknownEnum sends the first link's method, a closed set of HTTP
	// methods in the document, as "SEEK" (/items/0/devicesLink/method in a
	// batch listing, /links/next/method in a paged one).
	DriftUnknownEnum Drift = "unknown-enum"
	// DriftLinkShape sends every link as its bare uri string instead of a
	// Link object (/items/0/devicesLink, /links/next).
	DriftLinkShape Drift = "link-shape"
)

// DriftKinds are the kinds of drift, in the order ParseDrift documents them.
var DriftKinds = []Drift{DriftUnknownField, DriftMissingRequired, DriftWrongType, DriftUnknownEnum, DriftLinkShape}

// ParseDrift reads a comma-separated list of drift kinds ("unknown-field,
// wrong-type"); "all" names every kind and "" none.
func ParseDrift(s string) ([]Drift, error) { return parseKinds(s, DriftKinds, "drift") }

func checkDrift(ds []Drift) error { return checkKinds(ds, DriftKinds, "Drift") }

// parseKinds reads a comma-separated list of kinds (of drift, of quirk:
// what), each once, in the order given; "all" is every one of all and ""
// none.
func parseKinds[K ~string](s string, all []K, what string) ([]K, error) {
	var out []K
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "all":
			return slices.Clone(all), nil
		case slices.Contains(all, K(f)):
			if !slices.Contains(out, K(f)) {
				out = append(out, K(f))
			}
		default:
			return nil, fmt.Errorf("unknown %s %q: use all or a comma-separated list of %s", what, f, joinKinds(all))
		}
	}
	return out, nil
}

// checkKinds refuses, in Options, a kind that is not one of all (typ
// names its type: Drift, Quirk).
func checkKinds[K ~string](ks, all []K, typ string) error {
	for _, k := range ks {
		if !slices.Contains(all, k) {
			return fmt.Errorf("sandbox: unknown %s %q: use one of %s", typ, k, joinKinds(all))
		}
	}
	return nil
}

func joinKinds[K ~string](ks []K) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// applyDrift changes a successful JSON answer as s.drift says. Errors and
// empty answers pass unchanged: the faults of Options.Faults cover those.
func (s *Server) applyDrift(a answer) answer {
	if len(s.drift) == 0 || a.status < 200 || a.status > 299 || a.body == nil {
		return a
	}
	raw := a.raw
	if raw == nil {
		b, err := json.Marshal(a.body)
		if err != nil {
			return a
		}
		raw = b
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return a
	}
	top, ok := v.(map[string]any)
	if !ok {
		return a
	}
	target := top
	items, isCollection := top["items"].([]any)
	if isCollection && len(items) > 0 {
		if first, ok := items[0].(map[string]any); ok {
			target = first
		}
	}
	for _, d := range s.drift {
		switch d {
		case DriftUnknownField:
			target["sandboxDrift"] = "a property the document does not name"
		case DriftMissingRequired:
			switch {
			case target["id"] != nil:
				delete(target, "id")
			case isCollection:
				delete(top, "items")
			default:
				delete(target, "batchTrackingId")
			}
		case DriftWrongType:
			if n, ok := target["devicesCount"].(float64); ok {
				target["devicesCount"] = fmt.Sprint(n)
			} else if n, ok := top["totalCount"].(float64); ok {
				top["totalCount"] = fmt.Sprint(n)
			}
		case DriftUnknownEnum:
			if l := firstLink(target, top); l != nil {
				l["method"] = "SEEK"
			}
		case DriftLinkShape:
			bareLinks(v)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return a
	}
	a.raw = b
	return a
}

// firstLink is the first item's devicesLink, else the collection's next or
// self link.
func firstLink(target, top map[string]any) map[string]any {
	if l, ok := target["devicesLink"].(map[string]any); ok {
		return l
	}
	if links, ok := top["links"].(map[string]any); ok {
		for _, k := range []string{"next", "self", "previous"} {
			if l, ok := links[k].(map[string]any); ok {
				return l
			}
		}
	}
	return nil
}

// bareLinks replaces every Link object (devicesLink, links.next, ...) by
// its uri.
func bareLinks(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if l, ok := e.(map[string]any); ok && isLinkKey(k) {
				if uri, ok := l["uri"].(string); ok {
					v[k] = uri
					continue
				}
			}
			bareLinks(e)
		}
	case []any:
		for _, e := range v {
			bareLinks(e)
		}
	}
}

func isLinkKey(k string) bool {
	switch k {
	case "devicesLink", "self", "next", "previous":
		return true
	}
	return false
}
