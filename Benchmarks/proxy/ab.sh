#!/usr/bin/env bash
# A/B of two `cors` binaries on the 1 KiB gateway (or proxy) path: CPU per request, user and
# system apart, alternated A, B, A, B… so that the machine's drift falls on both. What a change to
# the forwarding path costs shows here long before req/s can tell (this machine's req/s vary ±15 %
# between runs; CPU per request ±3 %).
# Usage: Benchmarks/proxy/ab.sh BINARY_A BINARY_B [ROUNDS] [gateway|proxy]
#   e.g. cp .build-release-proxy/release/cors /tmp/cors-a, change, rebuild, then
#        Benchmarks/proxy/ab.sh /tmp/cors-a .build-release-proxy/release/cors 4
# Needs nginx and wrk (as run.sh); uses ports 18081 (upstream) and 18091–18092.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
[ $# -ge 2 ] || { sed -n '6p' "$0" >&2; exit 2; }
A=$(realpath "$1")
B=$(realpath "$2")
ROUNDS=${3:-3}
MODE=${4:-gateway}
case $MODE in gateway | proxy) ;; *) echo "mode: gateway or proxy, not $MODE" >&2; exit 2 ;; esac
for binary in "$A" "$B"; do [ -x "$binary" ] || { echo "not an executable: $binary" >&2; exit 2; }; done
WORK=$(mktemp -d /tmp/cors-ab.XXXXXX)
ORIGIN="http://localhost:3000"
cleanup() {
    [ -f "$WORK/upstream.pid" ] && kill "$(cat "$WORK/upstream.pid")" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/www"
head -c 1024 /dev/zero | tr '\0' 'a' >"$WORK/www/1k"
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/1k"
echo "{ \"origins\": [\"$ORIGIN\"] }" >"$WORK/policy.json"
"$(command -v nginx || echo /usr/sbin/nginx)" -p "$WORK" -c "$ROOT/Benchmarks/proxy/upstream.conf" -g "daemon on;"

ticks() { # pid field(14 user, 15 system): counted after the command name, which may hold spaces
    local stat
    stat=$(cat "/proc/$1/stat")
    stat=${stat##*) }
    awk -v f=$(($2 - 2)) '{ print $f }' <<<"$stat"
}

measure() { # label binary port
    local url pid
    if [ "$MODE" = gateway ]; then
        "$2" serve --upstream http://127.0.0.1:18081 --policy "$WORK/policy.json" --port "$3" --threads 1 \
            --log-level error >/dev/null 2>&1 &
        url="http://127.0.0.1:$3/1k"
    else
        "$2" proxy --allow-private --port "$3" --threads 1 --log-level error >/dev/null 2>&1 &
        url="http://127.0.0.1:$3/http://127.0.0.1:18081/1k"
    fi
    pid=$!
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$3") 2>/dev/null && break; sleep 0.1; done
    wrk -t2 -c32 -d1s -H "Origin: $ORIGIN" "$url" >/dev/null # warm the pools
    local user0 system0 user1 system1 out requests
    user0=$(ticks "$pid" 14)
    system0=$(ticks "$pid" 15)
    out=$(wrk -t2 -c32 -d6s --latency -H "Origin: $ORIGIN" "$url")
    user1=$(ticks "$pid" 14)
    system1=$(ticks "$pid" 15)
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    requests=$(awk '/requests in/ { print $1 }' <<<"$out")
    awk -v label="$1" -v n="${requests:-0}" -v u=$((user1 - user0)) -v s=$((system1 - system0)) \
        -v us=$((1000000 / $(getconf CLK_TCK))) -v p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")" \
        -v rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")" 'BEGIN {
            if (n == 0) { print label ": no requests"; exit }
            printf "%s %7.0f req/s  %5.2f µs/request (user %5.2f, system %5.2f)  p99 %s\n",
                label, rps, (u + s) * us / n, u * us / n, s * us / n, p99
        }'
}

for _ in $(seq 1 "$ROUNDS"); do
    measure A "$A" 18091
    measure B "$B" 18092
done
