package main

import (
	"errors"
	"math"
	"net"
	"strconv"
	"syscall"

	"github.com/partnercenter-go/devicebatches/cmd/devicebatches/internal/fullhook"
)

// checkSandboxFlags refuses sandbox flags out of range, naming the flag:
// the sandbox package's own checks speak of its Options fields, which the
// command line does not show. It uses fullhook's copies of the sandbox's
// bounds, so the lean build links no sandbox.
func checkSandboxFlags(f sandboxFlags) error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case f.throttleEvery < 0:
		return usagef("--throttle-every must be 0 (never) or more, not %d", f.throttleEvery)
	case f.throttleRate < 0 || !finite(f.throttleRate):
		return usagef("--throttle-rate must be 0 (no limit) or a positive number of requests per second, not %v", f.throttleRate)
	case f.errorRate < 0 || f.errorRate > 1 || !finite(f.errorRate):
		return usagef("--error-rate must be a fraction from 0 to 1, like 0.1, not %v", f.errorRate)
	case f.retryAfter < 0:
		return usagef("--retry-after must be 0 or more, like 1s, not %s", f.retryAfter)
	case f.latency < 0:
		return usagef("--latency must be 0 or more, like 200ms, not %s", f.latency)
	case f.customers < 0 || f.customers > fullhook.MaxCustomers:
		return usagef("--customers must be from 0 to %d, not %d", fullhook.MaxCustomers, f.customers)
	case f.rateLimit < 0 || !finite(f.rateLimit):
		return usagef("--rate-limit must be 0 (none) or a positive number of requests per second, not %v", f.rateLimit)
	case f.rateModel != fullhook.ModelBucket && f.rateModel != fullhook.ModelWindow:
		return usagef("--rate-model must be %s or %s, not %q", fullhook.ModelBucket, fullhook.ModelWindow, f.rateModel)
	case f.rateModel == fullhook.ModelWindow && f.rateLimit > 0 && f.rateLimit < 1:
		return usagef("--rate-limit %v with --rate-model window: a one-second window holds whole requests; use 1 or more", f.rateLimit)
	}
	return nil
}

// listenError explains a failure to listen on --addr: an occupied port is
// a usage error that says which port and how to choose another.
func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		host, port, _ := net.SplitHostPort(addr)
		next := "8080"
		if n, err := strconv.Atoi(port); err == nil && n > 0 && n < 65535 {
			next = strconv.Itoa(n + 1)
		}
		return usagef("--addr %s: port %s is already in use on %s: stop what uses it, or choose another port with --addr %s (or --addr %s for any free port)",
			addr, port, host, net.JoinHostPort(host, next), net.JoinHostPort(host, "0"))
	}
	return usagef("--addr %s: cannot listen: %s", addr, oneLine(err.Error()))
}
