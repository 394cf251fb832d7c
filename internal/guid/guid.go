// Package guid checks Partner Center ids (customer tenant ids, request and
// correlation ids) for the canonical GUID form the service puts in URLs and
// headers: 8-4-4-4-12 hexadecimal digits, no braces, no "urn:uuid:".
package guid

// Pattern is the same rule as Valid, for OpenAPI tooling and documentation.
const Pattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

// Valid reports whether s is a GUID in canonical 8-4-4-4-12 form. Any version
// and variant is accepted: tenant ids are not guaranteed to be RFC 4122 v4.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
