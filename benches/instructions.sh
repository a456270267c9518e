#!/bin/sh
# Instructions per operation of the main `benches/throughput.rs` cases, counted by callgrind:
# unlike times, these counts do not move with the load of a shared machine, so the ratios
# between cases can be compared from run to run (docs/benchmarks.md). Needs valgrind. Not for
# the plain memcpy case: valgrind replaces memcpy with a slow one of its own.
#
#   sh benches/instructions.sh            # the cases below
#   sh benches/instructions.sh "cycle"    # any case-name filter of the bench
set -eu
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install valgrind)"; exit 2; }
bin=$(cargo bench --bench throughput --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*throughput[^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "bench binary not found"; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [ $# -gt 0 ]; then set -- "$@"; else set -- \
    "httparse::Response::parse" \
    "cycle: GET" \
    "ureq-proto 0.7 cycle" \
    "by-value builder" \
    "from a slice of fields" \
    "same response, 1-byte reads" \
    "64 × 1 KiB chunks, one read, handle_input_buf" \
    "Content-Length 1 MiB, handle_input_buf"
fi
printf '%-66s %14s\n' "case" "instructions/op"
for filter in "$@"; do
    # Only what runs inside `measured` (one call per operation) is counted.
    stats=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        --toggle-collect='*measured*' "$bin" --bench --profile "$filter" 2>&1 >"$out" |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    name=$(sed -n '2p' "$out" | sed 's/  *[0-9.]* ns\/op.*//')
    calls=$(sed -n 's/^  calls \([0-9]*\)$/\1/p' "$out" | head -1)
    if [ -z "$calls" ] || [ -z "$stats" ]; then
        echo "$filter: no case ran"
        continue
    fi
    printf '%-66s %14d\n' "$name" $((stats / calls))
done
