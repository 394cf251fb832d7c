// Command devicebatches lists Microsoft Partner Center zero-touch deployment
// (Windows Autopilot) device batches from the shell. It is a thin shell over
// package wrapper: flags, output and exit codes only.
//
// Exit codes: 0 success; 1 a service, network or authentication failure,
// or a --jq expression that failed on the output; 2 invalid input, found
// before any request (unknown command or flag, stray arguments, invalid
// values, an empty or malformed --jq, missing credentials); 70 an internal
// error (a bug); 130 interrupted by SIGINT (Ctrl-C); 143 stopped by
// SIGTERM. The sandbox server (`devicebatches sandbox`) runs until it is
// stopped: SIGINT or SIGTERM is its normal end, and it exits 0 once it has
// shut down.
package main

import (
	"context"
	"os"
)

func main() {
	ctx, stop := signalContext(context.Background())
	code := run(ctx, os.Args[1:], streams{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	stop()
	os.Exit(code)
}
