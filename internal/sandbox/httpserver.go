package sandbox

import (
	"net/http"
	"time"
)

// Timeouts of the *http.Server returned by HTTPServer. A sandbox may be
// served with --allow-remote, so a slow or idle client must not hold a
// connection forever.
const (
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, body included (uploads
	// of thousands of devices stay well within it).
	ReadTimeout = time.Minute
	// WriteTimeout bounds writing an answer; HTTPServer adds the injected
	// Faults.Latency so delayed answers are not cut.
	WriteTimeout = time.Minute
	// IdleTimeout bounds how long a keep-alive connection waits for its
	// next request.
	IdleTimeout = 2 * time.Minute
)

// HTTPServer returns an *http.Server serving s with the timeouts above;
// set Addr or call Serve with a listener.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout + s.faults.Latency,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    1 << 20,
	}
}
