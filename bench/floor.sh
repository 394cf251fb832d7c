#!/usr/bin/env bash
# The floor under one small call: what a process costs that links only the
# libraries the design requires of the CLI and does nothing, side by side
# with the plain client's whole call and the lean CLI's.
#
#   plain     bench/plain: the documented example, one GET, -o json
#   lean      the lean CLI, the same call
#   empty     `func main() {}`: the cost of any Go process here
#   required  an empty main linking azcore/runtime (the pipeline), azidentity
#             (tokens) and cobra (the CLI): nothing runs but their inits
#   +jq       required plus gojq (--jq)
#
# plain's call less empty's process is the work of the call; required plus
# that work is the least a CLI built on the required libraries can cost, so
# required_floor ÷ plain is the lowest one-call ratio reachable without
# dropping one of them. Each round runs CALLS of each program in a row, the
# programs interleaved round by round; medians per call.
#
# usage: bench/floor.sh [rounds] [calls]
set -euo pipefail
rounds=${1:-9}
calls=${2:-20}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
src=$(mktemp -d ./bench/.floor.XXXXXX) # inside the module, for its go.mod
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	rm -rf "$tmp" "$src"
}
trap cleanup EXIT

mkprog() { # name imports...
	local name=$1
	shift
	mkdir -p "$src/$name"
	{
		echo "package main"
		for i in "$@"; do echo "import _ \"$i\""; done
		echo "func main() {}"
	} >"$src/$name/main.go"
	go build -o "$tmp/$name" "./$src/$name"
}
go build -o "$tmp/plain" ./bench/plain
go build -o "$tmp/server" ./bench/server
go build -o "$tmp/lean" ./cmd/devicebatches
mkprog empty
required=(github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime github.com/Azure/azure-sdk-for-go/sdk/azidentity github.com/spf13/cobra)
mkprog required "${required[@]}"
mkprog jq "${required[@]}" github.com/itchyny/gojq
rm -rf "$src"

"$tmp/server" >"$tmp/url" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
export PARTNER_CENTER_BASE_URL=$(cat "$tmp/url") PARTNER_CENTER_TOKEN=bench-token
small=47021739-3426-40bf-9601-61b4b6d7c793
cmd() {
	case $1 in
	plain) echo "$tmp/plain -what batches -customer $small -o json" ;;
	lean) echo "$tmp/lean list --customer $small -o json" ;;
	*) echo "$tmp/$1" ;;
	esac
}
impls=(plain lean empty required jq)
now() { date +%s%N; }
for r in $(seq "$rounds"); do
	for i in "${impls[@]}"; do
		c=$(cmd "$i")
		s=$(now)
		for _ in $(seq "$calls"); do $c >/dev/null; done
		e=$(now)
		echo "$i $(((e - s) / calls / 1000))"
	done
done >"$tmp/runs"

awk -f bench/median.awk -f <(cat <<'AWK'
{ w[$1] = w[$1] " " $2 }
END {
	p = median(w["plain"]); e = median(w["empty"]); work = p - e
	printf "# medians of per-call times (ms); ratio = ÷ plain's whole call\n"
	printf "%-22s %8s %7s\n", "program", "ms", "÷plain"
	printf "%-22s %8.2f %7.2f\n", "plain (whole call)", p / 1000, 1
	printf "%-22s %8.2f %7.2f\n", "lean CLI (whole call)", median(w["lean"]) / 1000, median(w["lean"]) / p
	printf "%-22s %8.2f %7.2f\n", "empty main", e / 1000, e / p
	printf "%-22s %8.2f %7.2f\n", "required libs, no work", median(w["required"]) / 1000, median(w["required"]) / p
	printf "%-22s %8.2f %7.2f\n", "required + gojq", median(w["jq"]) / 1000, median(w["jq"]) / p
	printf "%-22s %8.2f %7.2f\n", "required floor", (median(w["required"]) + work) / 1000, (median(w["required"]) + work) / p
	printf "%-22s %8.2f %7.2f\n", "required+gojq floor", (median(w["jq"]) + work) / 1000, (median(w["jq"]) + work) / p
}
AWK
) "$tmp/runs"
