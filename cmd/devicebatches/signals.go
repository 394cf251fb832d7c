package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// signalCause is the cause of a context cancelled by a signal.
type signalCause struct{ sig os.Signal }

func (s signalCause) Error() string { return "interrupted by " + s.sig.String() }

// signalContext is cancelled, with a signalCause, by the first SIGINT or
// SIGTERM; a second one kills the process the default way.
func signalContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch) // a second Ctrl-C ends the process at once
			cancel(signalCause{s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// signalExit returns the exit code of a command stopped by a signal:
// 130 for SIGINT, 143 for SIGTERM, as a shell reports a process the
// signal killed.
func signalExit(ctx context.Context) (int, bool) {
	var sc signalCause
	if !errors.As(context.Cause(ctx), &sc) {
		return 0, false
	}
	if sc.sig == syscall.SIGTERM {
		return exitTerminated, true
	}
	return exitInterrupted, true
}

// crashed reports a panic on stderr and returns exitSoftware, so that a
// bug never exits 2 (Go's own exit status for a panic), which scripts
// would take for a usage error. Only panics on the command's goroutine are
// caught; the library does its work there.
func crashed(stderr interface{ Write([]byte) (int, error) }, r any) int {
	fmt.Fprintf(stderr, "devicebatches: internal error (a bug; please report it with this message): %v\n%s", r, debug.Stack())
	return exitSoftware
}
