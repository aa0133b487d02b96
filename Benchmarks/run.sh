#!/usr/bin/env bash
# Builds the benchmarks in release mode, runs them, and writes BENCHMARKS.md at the repository root.
#
#   Benchmarks/run.sh                 everything (~15 min after the first release build)
#   RUNS=7 DURATION=5 Benchmarks/run.sh   more or longer wrk runs
#   SKIP_ORDO=1 / SKIP_CALLGRIND=1 / SKIP_WRK=1   leave a part out (its section says so)
#
# Whole-server verdicts are CPU per request (the server's user + system time from /proc over the
# requests wrk completed), as ratios against the baseline of the same interleaved run; req/s beside.
# Only loopback traffic: the bench server binds 127.0.0.1 and wrk targets it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench="$root/Benchmarks"
scratch="$bench/.build-release"
out="$scratch/results"
runs=${RUNS:-5}
duration=${DURATION:-3}
connections=${CONNECTIONS:-16}
cd "$root"

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v valgrind >/dev/null || need+=(valgrind)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}" >&2
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

# User plus system time of a process and all its threads, in clock ticks: /proc/PID/stat's fields
# 14 and 15, counted after the command name (in parentheses, may hold spaces).
cpu_ticks() { # pid
    local stat
    stat=$(cat "/proc/$1/stat") || {
        echo "the benchmarked server (pid $1) is gone" >&2
        exit 1
    }
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

echo "== release build" >&2
swift build -c release --package-path "$bench" --scratch-path "$scratch" 2>&1 | grep -E "error|warning: .*Benchmarks|Compiling|Build" | tail -3 >&2
bin=$(swift build -c release --package-path "$bench" --scratch-path "$scratch" --show-bin-path)
rm -rf "$out" && mkdir -p "$out"

if [ -z "${SKIP_ORDO:-}" ]; then
    echo "== ordo-one/benchmark" >&2
    swift package --package-path "$bench" --scratch-path "$scratch" benchmark \
        --format markdown --no-progress >"$out/ordo.md" 2>"$out/ordo.log" || {
        tail -30 "$out/ordo.log" >&2
        exit 1
    }
fi

if [ -z "${SKIP_CALLGRIND:-}" ]; then
    echo "== callgrind (instructions per operation)" >&2
    "$bench/callgrind.sh" "$bin/cors-callgrind-driver" 20000 decide apply >"$out/callgrind.tsv"
fi

if [ -z "${SKIP_WRK:-}" ]; then
    echo "== wrk: $runs rounds x ${duration}s, $connections connections, configurations interleaved" >&2
    : >"$out/wrk.tsv"
    port=18080
    for round in $(seq 1 "$runs"); do
        for framework in hummingbird vapor; do
            for middleware in none builtin ours; do
                port=$((port + 1))
                log="$out/server-$framework-$middleware.log"
                "$bin/cors-bench-server" --framework "$framework" --middleware "$middleware" --port "$port" >"$log" 2>&1 &
                server=$!
                for _ in $(seq 1 100); do
                    grep -q "listening on" "$log" 2>/dev/null && break
                    sleep 0.1
                done
                # Check the policy answers as intended before loading it.
                acao=$(curl -s -D - -o /dev/null -H "Origin: http://localhost:3000" "http://127.0.0.1:$port/" |
                    tr -d '\r' | grep -i '^access-control-allow-origin:' | cut -d' ' -f2 || true)
                before=$(cpu_ticks "$server")
                report=$(wrk -t1 -c"$connections" -d"${duration}s" -s "$bench/wrk/origin.lua" "http://127.0.0.1:$port/")
                after=$(cpu_ticks "$server")
                rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
                requests=$(awk '/ requests in / {print $1}' <<<"$report")
                # The server's CPU (user + system, every thread) per request wrk completed: steadier than
                # req/s on a shared machine, and what the verdicts compare.
                cpu=$(awk -v t=$((after - before)) -v us="$TICK_US" -v n="${requests:-0}" \
                    'BEGIN { if (n > 0) printf "%.2f", t * us / n; else print "-" }')
                kill "$server" 2>/dev/null || true
                sleep 0.2
                kill -9 "$server" 2>/dev/null || true
                wait "$server" 2>/dev/null || true
                printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$framework" "$middleware" "$round" "$rps" "${acao:--}" "$cpu" \
                    >>"$out/wrk.tsv"
                echo "   round $round $framework $middleware: $rps req/s, CPU $cpu µs/request (ACAO: ${acao:--})" >&2
            done
        done
    done
fi

python3 "$bench/report.py" --results "$out" --output "$root/BENCHMARKS.md" \
    --command "Benchmarks/run.sh (RUNS=$runs DURATION=$duration CONNECTIONS=$connections)"
echo "wrote BENCHMARKS.md" >&2
