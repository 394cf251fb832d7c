#!/usr/bin/env bash
# Whole-process benchmark behind BENCHMARKS.md (make bench-cli): the CLI
# against bench/plain (net/http + encoding/json + bufio) and, for the
# before/after columns, the CLI built from REF (default: the commit before
# the performance work), all against bench/server, interleaved round by
# round, output into a pipe. Prints one line per run and then medians of
# wall time, CPU (user+sys) and peak RSS, with ratios to plain. Also checks
# that the CLI's output is byte-identical to REF's for every command.
#
# usage: bench/run.sh [rounds]   (env REF=<commit>, default c453250)
set -euo pipefail
rounds=${1:-5}
calls=${CALLS:-40}
ref=${REF:-c453250}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
	git worktree remove --force "$tmp/ref" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/cli" ./cmd/devicebatches
go build -o "$tmp/plain" ./bench/plain
go build -o "$tmp/server" ./bench/server
git worktree add --detach -q "$tmp/ref" "$ref"
(cd "$tmp/ref" && go build -o "$tmp/ref-cli" ./cmd/devicebatches)

"$tmp/server" >"$tmp/url" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
export PARTNER_CENTER_BASE_URL=$(cat "$tmp/url") PARTNER_CENTER_TOKEN=bench-token
small=47021739-3426-40bf-9601-61b4b6d7c793
large=00000000-0000-4000-8000-000000100000

# case name | CLI arguments | plain arguments
cases=(
	"one-call|list --customer $small -o json|-what batches -customer $small -o json"
	"batches-json|list --customer $large -o json|-what batches -customer $large -o json"
	"batches-table|list --customer $large -o table|-what batches -customer $large -o table"
	"batches-jsonl|list --customer $large -o jsonl|-what batches -customer $large -o jsonl"
	"devices-json|devices --customer $large --batch batch -o json|-what devices -customer $large -batch batch -o json"
	"devices-table|devices --customer $large --batch batch -o table|-what devices -customer $large -batch batch -o table"
	"devices-jsonl|devices --customer $large --batch batch -o jsonl|-what devices -customer $large -batch batch -o jsonl"
	"customers-json|customers -o json|-what customers -o json"
	"customers-table|customers -o table|-what customers -o table"
	"customers-jsonl|customers -o jsonl|-what customers -o jsonl"
)

echo "# output identical to $ref's CLI?"
for c in "${cases[@]}"; do
	IFS='|' read -r name cli _ <<<"$c"
	# shellcheck disable=SC2086
	a=$("$tmp/cli" $cli | sha256sum)
	# shellcheck disable=SC2086
	b=$("$tmp/ref-cli" $cli 2>/dev/null | sha256sum) || true
	if [ "$a" = "$b" ]; then echo "$name: identical"; else echo "$name: DIFFERS (or $ref lacks the format)"; fi
done

echo "# case impl wall_s cpu_s maxrss_KiB"
for r in $(seq "$rounds"); do
	for c in "${cases[@]}"; do
		IFS='|' read -r name cli plain <<<"$c"
		for impl in plain cli ref; do
			case $impl in
			plain) cmd="$tmp/plain $plain" ;;
			cli) cmd="$tmp/cli $cli" ;;
			ref) cmd="$tmp/ref-cli $cli" ;;
			esac
			# One small call is below /usr/bin/time's 10 ms resolution: time
			# $calls of them in a row and report the mean.
			n=1
			[ "$name" = one-call ] && n=$calls
			# shellcheck disable=SC2086
			if /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" sh -c "for i in \$(seq $n); do $cmd; done" 2>/dev/null | cat >/dev/null; then
				read -r e u s m <"$tmp/t"
				echo "$name $impl $(echo "scale=4; $e / $n" | bc) $(echo "scale=4; ($u + $s) / $n" | bc) $m"
			fi
		done
	done
done | tee "$tmp/runs"

echo
echo "# medians of $rounds rounds (ratio = impl / plain)"
awk -f bench/median.awk -f <(cat <<'AWK'
{ k = $1 SUBSEP $2; w[k] = w[k] " " $3; c[k] = c[k] " " $4; m[k] = m[k] " " $5; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
END {
	printf "%-14s %-5s %9s %9s %10s %7s %7s\n", "case", "impl", "wall_s", "cpu_s", "rss_MiB", "wall/p", "cpu/p"
	for (i = 1; i <= n; i++) {
		name = order[i]
		pw = median(w[name SUBSEP "plain"]); pc = median(c[name SUBSEP "plain"])
		split("plain cli ref", impls, " ")
		for (j = 1; j <= 3; j++) {
			k = name SUBSEP impls[j]
			if (!(k in w)) continue
			mw = median(w[k]); mc = median(c[k]); mm = median(m[k])
			printf "%-14s %-5s %9.3f %9.3f %10.1f %7.2f %7.2f\n", name, impls[j], mw, mc, mm / 1024, mw / pw, (pc > 0 ? mc / pc : 0)
		}
	}
}
AWK
) "$tmp/runs"
