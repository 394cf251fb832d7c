package wrapper

import (
	"regexp"
	"strings"
	"sync"
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
