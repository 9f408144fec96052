#!/usr/bin/env bash
# Instructions per decoded event, from callgrind, for every case of the
# `icount` example (see examples/icount.rs): exact and repeatable on a
# shared, noisy machine where wall time is not.
#
#   cargo build --release -p bench-harness --example icount
#   crates/bench-harness/icount.sh [case ...]
#
# Prints "case  instructions/event". Set ICOUNT_BIN to measure another build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${ICOUNT_BIN:-$here/../../target/release/examples/icount}
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    cases=(reference reference-json reference-scanner gen pyyaml-flow pyyaml-block ruamel go-yaml-v3 crlf
        gen-scanner crlf-scanner)
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for c in "${cases[@]}"; do
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='icount::measured*' \
        --callgrind-out-file="$out/$c.cg" "$bin" "$c" 1 >"$out/$c.log" 2>&1 || {
        cat "$out/$c.log" >&2
        exit 1
    }
    n=$(grep -o '[0-9]* decodes measured' "$out/$c.log" | cut -d' ' -f1)
    total=$(grep '^summary:' "$out/$c.cg" | awk '{print $2}')
    printf '%-20s %10d\n' "$c" $((total / n))
    if [ -n "${ICOUNT_KEEP:-}" ]; then cp "$out/$c.cg" "$ICOUNT_KEEP/$c.cg"; fi
done
