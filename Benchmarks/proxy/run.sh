#!/usr/bin/env bash
# Gateway and proxy benchmark, all on loopback: wrk against
#   direct  - the upstream (nginx serving static files, port 18081, upstream.conf)
#   nginx   - nginx as a CORS reverse proxy in front of it (port 18082, nginx.conf; its own processes)
#   gateway - cors serve --upstream http://127.0.0.1:18081 --threads 1 (port 18083)
#   proxy   - cors proxy --allow-private --threads 1, URL /http://127.0.0.1:18081/... (port 18084)
#   gateway-per-core, proxy-per-core - the same with the default, one event loop per core
#                                      (ports 18085, 18087)
#   nginx-isolated, gateway-isolated, proxy-isolated - nginx, gateway and proxy again, alone on the
#                                      last core, wrk and the upstream pinned to the others (taskset)
# with 1 KiB and 1 MiB bodies, in one run. Writes BENCHMARKS-proxy.md (or $OUT).
# Every row runs ROUNDS times, interleaved (round 1: every server and size, then round 2…), and
# the table shows each server's median: this machine is shared and single runs vary by ±15 %.
# One event loop is the main configuration because on this machine the server under test shares
# its cores with wrk and the upstream: measured, it keeps most of the throughput of one loop per
# core and its tail is steadier (BENCHMARKS.md). nginx keeps two workers: one measured worse for it.
# Usage: Benchmarks/proxy/run.sh [DURATION_SECONDS]   (env: ROUNDS, CONNECTIONS, THREADS, SCRATCH, OUT)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DURATION=${1:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-$ROOT/.build-release-proxy}
OUT=${OUT:-$ROOT/BENCHMARKS-proxy.md}
WORK=$(mktemp -d /tmp/cors-proxy-bench.XXXXXX)
ORIGIN="http://localhost:3000"

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx-light wrk >/dev/null 2>&1 \
        || $SUDO apt-get install -y -qq nginx wrk
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "building cors (release, $SCRATCH)…" >&2
swift build -c release --scratch-path "$SCRATCH" --product cors >&2
CORS="$SCRATCH/release/cors"

PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pidfile in "$WORK/nginx.pid" "$WORK/upstream.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'a' > "$WORK/www/1k"
head -c 1048576 /dev/zero | tr '\0' 'a' > "$WORK/www/1m"
# nginx's workers run unprivileged: mktemp's 0700 folder would turn every answer into a 403.
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/1k" "$WORK/www/1m"
cat > "$WORK/policy.json" <<JSON
{ "origins": ["$ORIGIN"], "methods": ["GET", "HEAD", "POST"], "allowedHeaders": ["Content-Type"] }
JSON

"$NGINX" -p "$WORK" -c "$ROOT/Benchmarks/proxy/upstream.conf" -g "daemon on;"
"$NGINX" -p "$WORK" -c "$ROOT/Benchmarks/proxy/nginx.conf" -g "daemon on;"

wait_for() { # port
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on $1" >&2
    exit 1
}
"$CORS" serve --upstream http://127.0.0.1:18081 --policy "$WORK/policy.json" --port 18083 --threads 1 \
    --log-level error >"$WORK/gateway.out" 2>&1 &
PIDS+=($!)
"$CORS" proxy --allow-private --port 18084 --threads 1 --log-level error >"$WORK/proxy.out" 2>&1 &
PIDS+=($!)
"$CORS" serve --upstream http://127.0.0.1:18081 --policy "$WORK/policy.json" --port 18085 --log-level error \
    >"$WORK/gateway-per-core.out" 2>&1 &
PIDS+=($!)
"$CORS" proxy --allow-private --port 18087 --log-level error >"$WORK/proxy-per-core.out" 2>&1 &
PIDS+=($!)
wait_for 18081; wait_for 18082; wait_for 18083; wait_for 18084; wait_for 18085; wait_for 18087

# Whose CPU time a row counts: nginx's workers (not the idle master), each cors process. nginx
# listens before it writes its pid file and starts its workers: wait for both.
workers_of() { # pidfile
    for _ in $(seq 1 100); do
        if [ -s "$1" ]; then
            local workers
            workers=$(pgrep -P "$(cat "$1")" | tr '\n' ' ' || true)
            if [ "$(wc -w <<<"$workers")" -ge 2 ]; then
                echo "$workers"
                return 0
            fi
        fi
        sleep 0.1
    done
    echo "nginx's two workers did not start (pid file $1)" >&2
    exit 1
}
declare -A SERVES
SERVES[direct]=$(workers_of "$WORK/upstream.pid")
SERVES[nginx]=$(workers_of "$WORK/nginx.pid")
SERVES[gateway]=${PIDS[0]}
SERVES[proxy]=${PIDS[1]}
SERVES[gateway-per-core]=${PIDS[2]}
SERVES[proxy-per-core]=${PIDS[3]}
# User plus system time of processes, in clock ticks: /proc/PID/stat's fields 14 and 15, counted
# after the command name (which is in parentheses and may hold spaces).
cpu_ticks() { # pids...
    local total=0 pid stat
    for pid in "$@"; do
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || {
            echo "process $pid, measured by this benchmark, is gone" >&2
            exit 1
        }
        stat=${stat##*) }
        total=$((total + $(awk '{ print $12 + $13 }' <<<"$stat")))
    done
    echo "$total"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# wrk prints latency in us/ms/s; normalise to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

declare -A RPS P50 P99 CPU ALL_RPS ALL_P50 ALL_P99 ALL_CPU
WRK_PREFIX=""
DETAILS=""
run() { # name size url round
    local out rps p50 p99 requests before after cpu
    # shellcheck disable=SC2086 # SERVES holds space-separated pids
    before=$(cpu_ticks ${SERVES[$1]})
    out=$($WRK_PREFIX wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Origin: $ORIGIN" "$3")
    # shellcheck disable=SC2086
    after=$(cpu_ticks ${SERVES[$1]})
    if grep -q "Non-2xx or 3xx responses" <<<"$out"; then
        echo "$1 $2: wrk saw error responses; the figures would be meaningless:" >&2
        echo "$out" >&2
        exit 1
    fi
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    # The server's own CPU per request (user + system, all its threads): what it costs, apart from
    # how the shared cores were divided among wrk, the upstream and it.
    cpu=$(awk -v t=$((after - before)) -v us="$TICK_US" -v n="${requests:-0}" \
        'BEGIN { if (n > 0) printf "%.1f", t * us / n; else print "-" }')
    ALL_RPS[$1/$2]+="$rps "
    ALL_P50[$1/$2]+="$p50 "
    ALL_P99[$1/$2]+="$p99 "
    ALL_CPU[$1/$2]+="$cpu "
    DETAILS+="| $4 | $2 | $1 | $rps | $p50 | $p99 | $cpu |"$'\n'
    echo "round $4: $1 $2: $rps req/s, p50 $p50 ms, p99 $p99 ms, CPU $cpu µs/request" >&2
}
median() { # numbers...
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The answers must be right before they are fast: one ACAO, the policy's.
check_one_acao() { # url
    local count
    count=$(curl -s -D - -o /dev/null -H "Origin: $ORIGIN" "$1" | grep -ci '^access-control-allow-origin:' || true)
    [ "$count" = 1 ] || { echo "expected one Access-Control-Allow-Origin from $1, got $count" >&2; exit 1; }
}
# ... and whole: 200 with the full body, on every server and size.
check_body() { # url bytes
    local got
    got=$(curl -s -o /dev/null -w "%{http_code} %{size_download}" -H "Origin: $ORIGIN" "$1")
    [ "$got" = "200 $2" ] || { echo "expected '200 $2' from $1, got '$got'" >&2; exit 1; }
}
if command -v curl >/dev/null; then
    check_one_acao http://127.0.0.1:18082/1k
    check_one_acao http://127.0.0.1:18083/1k
    check_one_acao http://127.0.0.1:18084/http://127.0.0.1:18081/1k
    check_one_acao http://127.0.0.1:18085/1k
    check_one_acao http://127.0.0.1:18087/http://127.0.0.1:18081/1k
    for pair in "1k 1024" "1m 1048576"; do
        set -- $pair
        check_body "http://127.0.0.1:18081/$1" "$2"
        check_body "http://127.0.0.1:18082/$1" "$2"
        check_body "http://127.0.0.1:18083/$1" "$2"
        check_body "http://127.0.0.1:18084/http://127.0.0.1:18081/$1" "$2"
        check_body "http://127.0.0.1:18085/$1" "$2"
        check_body "http://127.0.0.1:18087/http://127.0.0.1:18081/$1" "$2"
    done
fi

for round in $(seq 1 "$ROUNDS"); do
    for size in 1k 1m; do
        run direct $size "http://127.0.0.1:18081/$size" "$round"
        run nginx $size "http://127.0.0.1:18082/$size" "$round"
        run gateway $size "http://127.0.0.1:18083/$size" "$round"
        run proxy $size "http://127.0.0.1:18084/http://127.0.0.1:18081/$size" "$round"
        run gateway-per-core $size "http://127.0.0.1:18085/$size" "$round"
        run proxy-per-core $size "http://127.0.0.1:18087/http://127.0.0.1:18081/$size" "$round"
    done
done
# Then the server under test on a core of its own: wrk and the upstream pinned to the other
# cores, nginx's two workers or our process (every thread) to the last one. This separates what
# the server costs from how it fares against wrk and the upstream for the same cores.
ISOLATED=""
CORES=$(nproc)
if [ "$CORES" -ge 2 ] && command -v taskset >/dev/null; then
    ISOLATED=yes
    LOAD_CPUS="0-$((CORES - 2))"
    SERVER_CPU=$((CORES - 1))
    pin() { # cpus pids... (every thread of each)
        local cpus=$1 pid task
        shift
        for pid in "$@"; do
            # A thread may end meanwhile: then there is nothing to pin.
            for task in /proc/"$pid"/task/*; do taskset -p -c "$cpus" "${task##*/}" >/dev/null 2>&1 || true; done
        done
    }
    # shellcheck disable=SC2086 # space-separated pids
    pin "$LOAD_CPUS" ${SERVES[direct]}
    # shellcheck disable=SC2086
    pin "$SERVER_CPU" ${SERVES[nginx]} "${PIDS[0]}" "${PIDS[1]}"
    SERVES[nginx-isolated]=${SERVES[nginx]}
    SERVES[gateway-isolated]=${PIDS[0]}
    SERVES[proxy-isolated]=${PIDS[1]}
    WRK_PREFIX="taskset -c $LOAD_CPUS"
    for round in $(seq 1 "$ROUNDS"); do
        for size in 1k 1m; do
            run nginx-isolated $size "http://127.0.0.1:18082/$size" "$round"
            run gateway-isolated $size "http://127.0.0.1:18083/$size" "$round"
            run proxy-isolated $size "http://127.0.0.1:18084/http://127.0.0.1:18081/$size" "$round"
        done
    done
fi
for key in "${!ALL_RPS[@]}"; do
    # shellcheck disable=SC2086 # the lists are space-separated numbers
    RPS[$key]=$(median ${ALL_RPS[$key]})
    # shellcheck disable=SC2086
    P50[$key]=$(median ${ALL_P50[$key]})
    # shellcheck disable=SC2086
    P99[$key]=$(median ${ALL_P99[$key]})
    # shellcheck disable=SC2086
    CPU[$key]=$(median ${ALL_CPU[$key]})
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
{
    echo "## Gateway and proxy"
    echo
    echo "wrk on loopback, $THREADS threads, $CONNECTIONS connections, ${DURATION} s per run, median of $ROUNDS interleaved rounds,"
    echo "release build, $(nproc) cores (shared by wrk, the upstream and the server under test),"
    echo "$(date -u +%Y-%m-%d). Upstream: nginx serving static files (\`Benchmarks/proxy/upstream.conf\`); \`nginx\` is"
    echo "nginx as a CORS reverse proxy (\`Benchmarks/proxy/nginx.conf\`, its own two workers); \`gateway\` is"
    echo "\`cors serve --upstream … --threads 1\`; \`proxy\` is \`cors proxy --threads 1\`; the \`-per-core\` rows are the same"
    echo "with the default, one event loop per core. Each is a separate process in front of the same upstream."
    echo "Reproduce: \`ROUNDS=$ROUNDS Benchmarks/proxy/run.sh $DURATION\`."
    echo
    echo "| body | server | req/s | × direct | × nginx | p50 ms | p99 ms | p99 × nginx | CPU µs/req | CPU × nginx |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for size in 1k 1m; do
        label=$([ $size = 1k ] && echo "1 KiB" || echo "1 MiB")
        names="direct nginx gateway proxy gateway-per-core proxy-per-core"
        [ -n "$ISOLATED" ] && names+=" nginx-isolated gateway-isolated proxy-isolated"
        for name in $names; do
            # Each layout against nginx in the same layout; the isolated rows have no direct run.
            base=nginx direct_ratio=$(ratio "${RPS[$name/$size]}" "${RPS[direct/$size]}")
            case $name in *-isolated) base=nginx-isolated direct_ratio="-" ;; esac
            echo "| $label | $name | ${RPS[$name/$size]} | $direct_ratio |" \
                "$(ratio "${RPS[$name/$size]}" "${RPS[$base/$size]}") | ${P50[$name/$size]} | ${P99[$name/$size]} |" \
                "$(ratio "${P99[$name/$size]}" "${P99[$base/$size]}") | ${CPU[$name/$size]} |" \
                "$(ratio "${CPU[$name/$size]}" "${CPU[$base/$size]}") |"
        done
    done
    echo
    echo "Target (issue 5): the gateway and the proxy at ≥ 0.60 × nginx's requests per second with p99 ≤ 2 × nginx's."
    echo "\`CPU µs/req\` is the server's own user + system time per request (all its processes and threads,"
    echo "from \`/proc/PID/stat\` around each wrk run): unlike req/s it does not depend on how the shared cores"
    echo "were divided. \`direct\` counts the upstream's workers, \`nginx\` the proxy's workers (not the upstream)."
    if [ -n "$ISOLATED" ]; then
        echo "The \`-isolated\` rows ran after the others with the server under test alone on CPU $SERVER_CPU (nginx's"
        echo "two workers, or every thread of ours) and wrk and the upstream on CPUs $LOAD_CPUS (\`taskset\`); their"
        echo "ratios are to \`nginx-isolated\`. There nginx is held back by the load side, not by its own core."
    fi
    echo
    echo "<details><summary>Every run</summary>"
    echo
    echo "| round | body | server | req/s | p50 ms | p99 ms | CPU µs/req |"
    echo "| --: | --- | --- | --: | --: | --: | --: |"
    printf '%s' "$DETAILS"
    echo
    echo "</details>"
} >"$OUT"
cat "$OUT"
