package wrapper

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/partnercenter-go/devicebatches/internal/safetext"
)

// Redacted replaces a secret in every error and --debug line.
const Redacted = "REDACTED"

// jwtPattern matches anything shaped like a JSON Web Token (a base64url
// JSON header and payload, then a signature): a server that echoes a token
// (the Authorization header in an error description, a data entry, a
// header) must not make this client print it. Compiled on first use, not
// at start-up: most runs never see "eyJ" in an error.
var jwtPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)
})

// minSecretLen: shorter tokens are not searched for, so that a test token
// such as "tok" does not mangle ordinary words; real tokens are far longer.
const minSecretLen = 8

// secretSet remembers the bearer tokens this client was recently given, so
// that its errors can be cleaned of them. It keeps the last few (a token is
// renewed about hourly), and is safe for concurrent use.
type secretSet struct {
	mu     sync.RWMutex
	recent []string
}

const keptSecrets = 4

// add remembers tok.
func (s *secretSet) add(tok string) {
	if len(tok) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.recent {
		if t == tok {
			return
		}
	}
	if len(s.recent) == keptSecrets {
		s.recent = s.recent[1:]
	}
	s.recent = append(s.recent, tok)
}

// redact returns text with every remembered token and every JWT-shaped
// string replaced by Redacted.
func (s *secretSet) redact(text string) string {
	if s != nil {
		s.mu.RLock()
		for _, t := range s.recent {
			if strings.Contains(text, t) {
				text = strings.ReplaceAll(text, t, Redacted)
			}
		}
		s.mu.RUnlock()
	}
	if strings.Contains(text, "eyJ") {
		text = jwtPattern().ReplaceAllLiteralString(text, Redacted)
	}
	return text
}

// line returns text redacted, then folded into one line of at most max
// bytes (safetext.Line). In that order: a bound that cut a token first
// would leave a prefix that neither the remembered token nor the JWT
// pattern matches, and it would be shown.
func (s *secretSet) line(text string, max int) string {
	return safetext.Line(s.redact(text), max)
}

// oneLine is line for an error line: at most safetext.MaxLine bytes.
func (s *secretSet) oneLine(text string) string { return s.line(text, safetext.MaxLine) }

// holds reports whether text holds a remembered token or anything shaped
// like a JWT.
func (s *secretSet) holds(text string) bool { return s.redact(text) != text }

// redactBody returns a failed answer's body with its secrets replaced by
// Redacted. A server can hide a token from a byte search by escaping it
// (JSON's \u002B or \/, HTML's &#43;), which any reader or decoder undoes:
// when a secret shows only once those escapes are decoded, a JSON body is
// re-encoded with every string (keys included) cleaned, and any other
// body is replaced by its decoded, cleaned text. Either way the body is
// then not byte-exact.
func (s *secretSet) redactBody(body []byte) []byte {
	if clean := s.redact(string(body)); clean != string(body) {
		body = []byte(clean)
	}
	if bytes.IndexByte(body, '\\') < 0 && bytes.IndexByte(body, '&') < 0 {
		return body // nothing escaped: the byte search saw everything
	}
	view := html.UnescapeString(unescapeJSON(string(body)))
	if !s.holds(view) {
		return body
	}
	if json.Valid(body) {
		if out, ok := s.redactJSON(body); ok && !s.holds(html.UnescapeString(unescapeJSON(string(out)))) {
			return out
		}
	}
	return []byte(s.redact(view))
}

// cleanString is a JSON string of a body cleaned of secrets, in clear or
// HTML-escaped (the error decoder unescapes HTML entities).
func (s *secretSet) cleanString(v string) string {
	v = s.redact(v)
	if u := html.UnescapeString(v); u != v && s.holds(u) {
		return s.redact(u)
	}
	return v
}

// redactJSON re-encodes the valid JSON document body token by token, in
// its order, with every string cleaned (cleanString); ok is false when it
// cannot be read that way.
func (s *secretSet) redactJSON(body []byte) (out []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// Per open object or array: how many tokens it has had (in an
	// object, keys and values alike).
	var open []int
	var inObject []bool
	for {
		tok, err := dec.Token()
		if err == io.EOF && len(open) == 0 {
			return b.Bytes(), true
		}
		if err != nil {
			return nil, false
		}
		if d, isDelim := tok.(json.Delim); isDelim && (d == '}' || d == ']') {
			b.WriteByte(byte(d))
			open, inObject = open[:len(open)-1], inObject[:len(inObject)-1]
			continue
		}
		if n := len(open); n > 0 {
			switch {
			case open[n-1] > 0 && inObject[n-1] && open[n-1]%2 == 1:
				b.WriteByte(':')
			case open[n-1] > 0:
				b.WriteByte(',')
			}
			open[n-1]++
		}
		switch t := tok.(type) {
		case json.Delim:
			b.WriteByte(byte(t))
			open, inObject = append(open, 0), append(inObject, t == '{')
		case string:
			if err := enc.Encode(s.cleanString(t)); err != nil {
				return nil, false
			}
			b.Truncate(b.Len() - 1) // Encode's newline
		case json.Number:
			b.WriteString(t.String())
		case bool:
			b.WriteString(strconv.FormatBool(t))
		case nil:
			b.WriteString("null")
		}
	}
}

// unescapeJSON decodes JSON's backslash escapes wherever they are in s,
// leaving anything malformed as it is: what a reader of the body, or a
// lenient decoder, would see.
func unescapeJSON(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch e := s[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
			i++
		case 'b', 'f', 'n', 'r', 't':
			b.WriteByte("\b\f\n\r\t"[strings.IndexByte("bfnrt", e)])
			i++
		case 'u':
			r, n := hex4(s[i+2:])
			if n == 0 {
				b.WriteByte(s[i])
				continue
			}
			if utf16.IsSurrogate(r) && strings.HasPrefix(s[i+6:], `\u`) {
				if r2, n2 := hex4(s[i+8:]); n2 > 0 {
					if p := utf16.DecodeRune(r, r2); p != '\uFFFD' {
						r, n = p, 10
					}
				}
			}
			b.WriteRune(r)
			i += 1 + n
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// hex4 reads the four hex digits of a \u escape: the rune and 4, or 0, 0.
func hex4(s string) (rune, int) {
	if len(s) < 4 {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[:4], 16, 16)
	if err != nil {
		return 0, 0
	}
	return rune(v), 4
}

// redactedError is an error whose text was cleaned of secrets; errors.Is
// and errors.As still see the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr returns err with its text cleaned of secrets (err itself when
// there was nothing to clean).
func (s *secretSet) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := s.redact(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}
