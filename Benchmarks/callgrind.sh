#!/usr/bin/env bash
# Instructions per engine operation, exact: callgrind over N runs minus callgrind over 0 runs.
# usage: callgrind.sh DRIVER [N] [MODE...]   (prints: mode<TAB>index<TAB>name<TAB>instructions/op)
set -euo pipefail
driver=$1
n=${2:-20000}
shift 2 || shift $#
modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(decide apply)
export SWIFT_DETERMINISTIC_HASHING=1 # the same hash seeds in both runs: setup costs cancel exactly
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

total() { # total Ir of one callgrind run
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$@" >/dev/null 2>"$work/err" || {
        cat "$work/err" >&2
        return 1
    }
    grep -E '^(summary|totals):' "$work/out" | tail -1 | awk '{print $2}'
}

"$driver" list | while IFS=$'\t' read -r index name; do
    for mode in "${modes[@]}"; do
        base=$(total "$driver" "$mode" "$index" 0)
        full=$(total "$driver" "$mode" "$index" "$n")
        printf '%s\t%s\t%s\t%s\n' "$mode" "$index" "$name" "$(((full - base) / n))"
    done
done
