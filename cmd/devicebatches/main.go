// Command devicebatches lists Microsoft Partner Center zero-touch deployment
// (Windows Autopilot) device batches from the shell. It is a thin shell over
// package wrapper: flags, output and exit codes only.
//
// Exit codes: 0 success, 1 a service, network or authentication failure,
// 2 invalid input (flags, ids, files, missing credentials).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
