package main

import (
	"os"
	"runtime/debug"
)

// streamGCPercent is the garbage collector's target while a listing is
// streamed as JSON or JSON lines. Those outputs hold one page's read
// window (256 KiB) and the 64 KiB stdout buffer, about 1 MB live however
// long the listing, so at the
// default GOGC=100 the heap goal sits at the runtime's 4 MB floor. Since
// batches are scanned in place (internal/pcjson), a page of them allocates
// almost nothing per item; what still allocates is per request (devices:
// 1,000 pages of 100, each a new request and answer through azcore), and
// there 300 gives a quarter of the collections, with peak RSS still
// constant in the number of items and pages (about 30 MiB; BENCHMARKS.md;
// 400 once overshot to 48 MiB on the loaded bench machine). Table and CSV
// output hold every row, so they keep the default.
const streamGCPercent = 300

// streamingGC raises the collector's target for a streamed listing unless
// the user chose one with GOGC; the returned func restores it.
func streamingGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	old := debug.SetGCPercent(streamGCPercent)
	return func() { debug.SetGCPercent(old) }
}
