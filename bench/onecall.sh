#!/usr/bin/env bash
# One small call (the documented example: one customer, one page, two
# batches, -o json), whole process, side by side: the plain client
# (bench/plain), the lean CLI (the default build of ./cmd/devicebatches), the
# full CLI (-tags full: the sandbox and contract validation linked in) and,
# with REF set, the CLI built from that commit. Each round runs CALLS calls
# of each program in a row, the programs interleaved round by round; it
# prints the median time per call and its ratio to plain, then each build's
# package initialisation (GODEBUG=inittrace=1: total clock time and bytes,
# medians over the rounds). Output is checked identical across programs.
#
# usage: bench/onecall.sh [rounds] [calls]   (env REF=<commit> adds a column)
set -euo pipefail
rounds=${1:-15}
calls=${2:-20}
ref=${REF:-}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	[ -n "$ref" ] && git worktree remove --force "$tmp/ref" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/plain" ./bench/plain
go build -o "$tmp/server" ./bench/server
go build -o "$tmp/lean" ./cmd/devicebatches
go build -tags full -o "$tmp/full" ./cmd/devicebatches
impls=(plain lean full)
if [ -n "$ref" ]; then
	git worktree add --detach -q "$tmp/ref" "$ref"
	(cd "$tmp/ref" && go build -o "$tmp/ref-cli" ./cmd/devicebatches)
	impls+=(ref)
fi

"$tmp/server" >"$tmp/url" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
export PARTNER_CENTER_BASE_URL=$(cat "$tmp/url") PARTNER_CENTER_TOKEN=bench-token
small=47021739-3426-40bf-9601-61b4b6d7c793

cmd() { # impl -> the command line of one small call
	case $1 in
	plain) echo "$tmp/plain -what batches -customer $small -o json" ;;
	lean) echo "$tmp/lean list --customer $small -o json" ;;
	full) echo "$tmp/full list --customer $small -o json" ;;
	ref) echo "$tmp/ref-cli list --customer $small -o json" ;;
	esac
}

want=$($(cmd plain) | sha256sum)
for i in "${impls[@]}"; do
	[ "$($(cmd "$i") | sha256sum)" = "$want" ] || { echo "$i: output differs from plain's" >&2; exit 1; }
done
echo "# output identical across ${impls[*]}"

now() { date +%s%N; }
echo "# round impl us_per_call init_ms init_bytes"
for r in $(seq "$rounds"); do
	for i in "${impls[@]}"; do
		c=$(cmd "$i")
		s=$(now)
		for _ in $(seq "$calls"); do $c >/dev/null; done
		e=$(now)
		# Package initialisation of one more run, summed from inittrace.
		init=$(GODEBUG=inittrace=1 $c 2>&1 >/dev/null | awk '/^init / {ms += $5; b += $8} END {printf "%.3f %d", ms, b}')
		echo "$r $i $(((e - s) / calls / 1000)) $init"
	done
done | tee "$tmp/runs"

echo
echo "# medians of $rounds rounds of $calls calls (ratio = impl / plain)"
awk -f bench/median.awk -f <(cat <<'AWK'
{ w[$2] = w[$2] " " $3; im[$2] = im[$2] " " $4; ib[$2] = ib[$2] " " $5; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
END {
	printf "%-6s %12s %7s %10s %12s\n", "impl", "ms_per_call", "÷plain", "init_ms", "init_KiB"
	p = median(w["plain"])
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "%-6s %12.2f %7.2f %10.2f %12.0f\n", k, median(w[k]) / 1000, median(w[k]) / p, median(im[k]), median(ib[k]) / 1024
	}
}
AWK
) "$tmp/runs"
