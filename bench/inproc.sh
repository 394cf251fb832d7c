#!/usr/bin/env bash
# In-process benchmarks behind BENCHMARKS.md (make bench-inproc): the
# wrapper's BenchmarkList (one call) and BenchmarkDecode (100,000 batches)
# built from three commits, OLD (7378d4d, before the azcore refactor), REF
# (c453250, before the performance work) and this tree, run round by round
# interleaved; then the decoder (internal/pcjson, before/after in one
# binary) and the indenter (internal/jsonout). Compared with benchstat.
#
# usage: bench/inproc.sh [rounds]
set -euo pipefail
rounds=${1:-6}
old=${OLD:-7378d4d}
ref=${REF:-c453250}
cd "$(dirname "$0")/.."
here=$PWD
tmp=$(mktemp -d)
out=${OUT:-$tmp/results}  # OUT=dir keeps the raw results
mkdir -p "$out"
cleanup() {
	git worktree remove --force "$tmp/old" 2>/dev/null || true
	git worktree remove --force "$tmp/ref" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --detach -q "$tmp/old" "$old"
git worktree add --detach -q "$tmp/ref" "$ref"
for t in old ref; do (cd "$tmp/$t" && go test -c -o "$tmp/$t.test" ./wrapper/); done
go test -c -o "$tmp/new.test" ./wrapper/
go test -c -o "$tmp/pcjson.test" ./internal/pcjson/
go test -c -o "$tmp/jsonout.test" ./internal/jsonout/
rm -f "$out"/*.txt
for r in $(seq "$rounds"); do
	for t in old ref new; do
		dir=$here/wrapper
		[ "$t" != new ] && dir=$tmp/$t/wrapper
		(cd "$dir" && "$tmp/$t.test" -test.run '^$' -test.bench 'BenchmarkList$|BenchmarkDecode/n=100000/' -test.benchmem -test.count 1) >>"$out/$t.txt"
	done
	(cd internal/pcjson && "$tmp/pcjson.test" -test.run '^$' -test.bench 'BenchmarkCollection' -test.benchmem -test.count 1) >>"$out/pcjson.txt"
	(cd internal/jsonout && "$tmp/jsonout.test" -test.run '^$' -test.bench 'BenchmarkIndent' -test.benchmem -test.count 1) >>"$out/jsonout.txt"
	echo "round $r done" >&2
done
bs="go run golang.org/x/perf/cmd/benchstat@latest"
echo "## wrapper: $old (before the refactor) vs $ref (before this work) vs this tree"
$bs "$old=$out/old.txt" "$ref=$out/ref.txt" "this=$out/new.txt"
echo "## decoder before/after"
$bs -col /impl "$out/pcjson.txt"
echo "## indenter before/after"
$bs -col /impl "$out/jsonout.txt"
