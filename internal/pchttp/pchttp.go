// Package pchttp holds the HTTP-level quirks of Partner Center that the
// wrapper's pipeline policies need: reading Retry-After in all its forms,
// resolving the service's links, and bounding and cleaning response bodies.
// It has no knowledge of the operations or the models.
package pchttp

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxRetryAfter clamps every wait the service asks for; anything longer
// than the retry policy's cap fails the call anyway.
const MaxRetryAfter = 24 * time.Hour

// RetryAfter reads how long the service asked to wait: retry-after-ms,
// x-ms-retry-after-ms, or Retry-After in seconds or as an HTTP date (RFC
// 9110 §10.2.3), clamped to MaxRetryAfter. Zero when it did not say.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	for _, name := range []string{"Retry-After-Ms", "X-Ms-Retry-After-Ms"} {
		if ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64); err == nil && ms > 0 {
			return min(time.Duration(min(ms, int64(MaxRetryAfter/time.Millisecond)))*time.Millisecond, MaxRetryAfter)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	// delay-seconds is 1*DIGIT: no sign, fraction, exponent or "Inf".
	if strings.Trim(v, "0123456789") == "" {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), MaxRetryAfter)
	}
	return 0
}

// tryAgainRE is compiled on first use: only a throttled call needs it,
// and a one-call run of the CLI should not pay for it at start-up.
var tryAgainRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)try again in (\d{1,7}) seconds?`)
})

// TryAgainSeconds reads the wait from the gateway's throttling message
// ("Rate limit is exceeded. Try again in 57 seconds."), as a Retry-After
// value; empty when the body says none.
func TryAgainSeconds(body []byte) string {
	if m := tryAgainRE().FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}

// ResolveLink turns a link's URI into a URL on base. Partner Center's links
// are relative and usually lack /v1 ("/customers/{id}/deviceBatches/Test
// batch/devices", the batch id not escaped), the official SDK prepends /v1,
// a past link-format change produced "/v1//v1/...", and some links arrive
// HTML-escaped ("&amp;" between query parameters): so empty and leading
// "v1" segments are dropped, /v1 is put back once, "&amp;" is read as "&",
// and every segment is escaped again. An absolute URI must name base's
// scheme and host: the token goes nowhere else. A dot segment is refused,
// escaped or not, and so is one a server would make of a segment by
// decoding its "%2F" or reading its "\" as a slash ("..%2Fadmin").
//
// A segment is taken as already escaped only when it is a valid escaped
// segment (nothing in it but '%' needs escaping, and its escapes decode);
// otherwise ("Test batch", "50% off") it is taken literally. A batch id is
// ambiguous all the same ("100%25" may be escaped or literal, "a/b" is two
// segments): known lists ids the caller knows (the batch being listed);
// right after a "deviceBatches" segment, a known id, literal or escaped,
// is taken as that one segment, byte for byte.
func ResolveLink(base *url.URL, uri string, known ...string) (*url.URL, error) {
	raw := strings.TrimSpace(uri)
	if raw == "" {
		return nil, errors.New("the link has no uri")
	}
	path, query, _ := strings.Cut(raw, "?")
	path, _, _ = strings.Cut(path, "#")
	query, _, _ = strings.Cut(query, "#")
	if i := strings.Index(path, "://"); i >= 0 && !strings.Contains(path[:i], "/") {
		abs, err := url.Parse(path[:i] + "://" + strings.SplitN(path[i+3:], "/", 2)[0])
		if err != nil || abs.User != nil || !SameOrigin(abs, base) {
			return nil, fmt.Errorf("the link points to %q, not to the configured service %s", shorten(raw), base.Host)
		}
		path = strings.TrimPrefix(strings.TrimPrefix(path[i+3:], abs.Host), base.Path)
	}
	var segs []string
	for rest := path; rest != ""; {
		if n := len(segs); n > 0 && strings.EqualFold(segs[n-1], "deviceBatches") {
			if k, l := knownAt(rest, known); l > 0 {
				segs = append(segs, k)
				rest = rest[l:]
				continue
			}
		}
		if rest[0] == '/' {
			rest = rest[1:]
			continue
		}
		var s string
		s, rest, _ = strings.Cut(rest, "/")
		if len(segs) == 0 && strings.EqualFold(s, "v1") {
			continue
		}
		s = segment(s)
		// Checked after unescaping: "%2e%2e" is a dot segment too, and so
		// is a dot part beside an escaped slash or a backslash ("..%2Fx",
		// "..\x"), which a server or proxy that decodes %2F (or reads "\"
		// as "/") before normalising would climb out of /v1 on.
		if hasDotPart(s) {
			return nil, fmt.Errorf("the link %q has a dot segment", shorten(raw))
		}
		segs = append(segs, s)
	}
	if len(segs) == 0 {
		return nil, fmt.Errorf("the link %q has no path", shorten(raw))
	}
	u := *base
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = url.PathEscape(s)
	}
	u.Path = base.Path + "/v1/" + strings.Join(segs, "/")
	u.RawPath = base.Path + "/v1/" + strings.Join(escaped, "/")
	if query != "" {
		q, err := url.ParseQuery(strings.ReplaceAll(query, "&amp;", "&"))
		if err != nil {
			return nil, fmt.Errorf("the link %q has a malformed query", shorten(raw))
		}
		u.RawQuery = q.Encode()
	}
	return &u, nil
}

// knownAt returns the known id that path starts with, as sent or escaped,
// ending at a segment boundary, and how many bytes of path it takes.
func knownAt(path string, known []string) (string, int) {
	for _, k := range known {
		if k == "" || k == "." || k == ".." {
			continue
		}
		for _, form := range []string{k, url.PathEscape(k)} {
			if strings.HasPrefix(path, form) && (len(path) == len(form) || path[len(form)] == '/') {
				return k, len(form)
			}
		}
	}
	return "", 0
}

// segment decodes one path segment of a link: escaped when it is a valid
// escaped segment, literal otherwise.
func segment(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if strings.ReplaceAll(url.PathEscape(s), "%25", "%") != s {
		return s // holds characters that an escaped segment cannot: text
	}
	if un, err := url.PathUnescape(s); err == nil {
		return un
	}
	return s
}

// hasDotPart reports whether the unescaped segment s is "." or "..", or
// holds one between slashes or backslashes.
func hasDotPart(s string) bool {
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == "." || part == ".." {
			return true
		}
	}
	return false
}

// SameOrigin reports whether u has base's scheme and host (with port).
func SameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) && strings.EqualFold(u.Host, base.Host)
}

func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// forbiddenLinkHeaders may not be set by a link: the service's own links
// never need them, and a tampered link must not replace the token or the
// call's ids.
var forbiddenLinkHeaders = map[string]bool{
	"Authorization": true, "Host": true, "Cookie": true, "Proxy-Authorization": true,
	"Ms-Requestid": true, "Ms-Correlationid": true, "Content-Length": true, "Transfer-Encoding": true,
}

// SetLinkHeader sets a header a link asked for, unless it is one a link may
// not set or its value would break the request.
func SetLinkHeader(h http.Header, key, value string) {
	k := http.CanonicalHeaderKey(strings.TrimSpace(key))
	if k == "" || forbiddenLinkHeaders[k] || strings.ContainsAny(value, "\r\n") {
		return
	}
	h.Set(k, value)
}

// ErrBodyTooLarge is returned when a successful answer is larger than the
// limit Bound was given.
var ErrBodyTooLarge = errors.New("the answer is larger than the client reads")

// Bound wraps a response body: it strips a leading UTF-8 byte order mark
// (some Microsoft services send one, and encoding/json refuses it) and stops
// after limit bytes, at EOF when truncate is set (an error answer is cut
// there), with ErrBodyTooLarge otherwise. A body that keeps returning
// nothing fails with io.ErrNoProgress.
func Bound(rc io.ReadCloser, limit int64, truncate bool) io.ReadCloser {
	return &boundedBody{rc: rc, left: limit, truncate: truncate}
}

type boundedBody struct {
	rc       io.ReadCloser
	left     int64
	truncate bool
	started  bool
	head     []byte // bytes read while looking for the mark
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		var buf [3]byte
		n, err := ReadFull(b.rc, buf[:])
		if n == 3 && bytes.Equal(buf[:], []byte{0xEF, 0xBB, 0xBF}) {
			n = 0
		}
		b.head = append(b.head, buf[:n]...)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return 0, err
		}
	}
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		b.left -= int64(n)
		return n, nil
	}
	if b.left <= 0 {
		if b.truncate {
			return 0, io.EOF
		}
		// One byte more tells a body of exactly the limit from a larger one.
		if n, _ := b.rc.Read(make([]byte, 1)); n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	// A body that keeps returning nothing ends with io.ErrNoProgress
	// after 100 reads (bufio's rule) rather than spinning its reader,
	// io.ReadAll and bytes.Buffer.ReadFrom among them, forever.
	for range 100 {
		n, err := b.rc.Read(p)
		b.left -= int64(n)
		if n > 0 || err != nil || len(p) == 0 {
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}

// ReadFull is io.ReadFull, except that a reader that keeps returning
// nothing (a caller's transport, say) fails with io.ErrNoProgress after
// 100 reads instead of being read forever. Shared with internal/pcjson.
func ReadFull(r io.Reader, buf []byte) (int, error) {
	n, empty := 0, 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		switch {
		case n == len(buf):
			return n, nil
		case err == io.EOF && n > 0:
			return n, io.ErrUnexpectedEOF
		case err != nil:
			return n, err
		case m > 0:
			empty = 0
		default:
			if empty++; empty == 100 {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

func (b *boundedBody) Close() error { return b.rc.Close() }

// Gunzip returns a reader of rc's gzip stream, decompressed as it is read;
// a stream that is not gzip fails on the first read. Bound the result, not
// rc: a small compressed body can inflate to gigabytes.
func Gunzip(rc io.ReadCloser) io.ReadCloser { return &gunzip{rc: rc} }

type gunzip struct {
	rc  io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (g *gunzip) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.rc)
		if err != nil {
			g.err = fmt.Errorf("the answer says Content-Encoding gzip but is not: %w", err)
			return 0, g.err
		}
		g.zr = zr
	}
	return g.zr.Read(p)
}

func (g *gunzip) Close() error { return g.rc.Close() }

// TokenProblem describes the first character a bearer token cannot hold
// by position (and code point), never the token: RFC 6750's b64token is
// letters, digits, - . _ ~ + and /, then any number of '=' at the end. A
// quote (PARTNER_CENTER_TOKEN='"eyJ..."'), a space ("Bearer eyJ..."), a
// control character or anything outside ASCII is refused, and so is a
// character after the '=' padding. It returns "" for a well-formed token,
// and for an empty one too (callers say "empty" themselves). The client,
// the CLI, doctor and the contract's check share it.
func TokenProblem(tok string) string {
	pad := 0 // the position of the first '=', once seen
	for i, r := range []rune(tok) {
		switch {
		case r == ' ':
			return fmt.Sprintf("character %d is a space", i+1)
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("character %d is a control character (%U)", i+1, r)
		case r > 0x7e:
			return fmt.Sprintf("character %d is not ASCII (%U)", i+1, r)
		case r == '=':
			if pad == 0 {
				pad = i + 1
			}
		case pad > 0:
			return fmt.Sprintf("character %d follows the '=' at character %d, and '=' may only end a token", i+1, pad)
		case !b64tokenChar(r):
			return fmt.Sprintf("character %d is %q (%U), which no bearer token holds (letters, digits, - . _ ~ + / and a trailing =)", i+1, r, r)
		}
	}
	return ""
}

// b64tokenChar reports whether r is one of RFC 6750's b64token characters
// before the '=' padding.
func b64tokenChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '-' || r == '.' || r == '_' || r == '~' || r == '+' || r == '/'
}
