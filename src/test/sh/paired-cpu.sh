#!/bin/bash
# CPU per request of two service jars measured at once (docs/benchmarks.md, "Two services at once: paired-cpu.sh"):
# both pinned to CPU 0, each loaded by its own wrk (closed loop) on CPU 1 beside one simulator, so
# both see the same host; a ratio B/A per round of 10 s. Run from the repository root after
# `make build` (KeyMint comes from target/classes); needs wrk, taskset, curl, python3.
#
#   src/test/sh/paired-cpu.sh A.jar B.jar [highest-id] [warm-up seconds] [rounds] [connections]
#
# highest-id 1000 measures cache hits (after the first round of each id), 1000000000 misses.
# JVM_OPTS_A and JVM_OPTS_B add JVM options to one service (e.g. the same jar with a system property).
set -eu
A=$(realpath "$1"); B=$(realpath "$2"); HIGHEST=${3:-1000000000}; WARMUP=${4:-150}; ROUNDS=${5:-4}; CONNECTIONS=${6:-8}
WORK=$(mktemp -d); PID_A=; PID_B=
# the services start in command substitutions, so they are not this shell's jobs: killed by pid
trap 'kill $PID_A $PID_B $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
MINTED=$(java -cp target/classes dev.namegate.auth.KeyMint paired)
KEY=$(echo "$MINTED" | grep -o 'ng_[A-Za-z0-9_-]*' | head -1)
# limits lifted, the quota counted over 5 s, as in the closed-loop sweep: the run measures lookups
(umask 077; echo "$(echo "$MINTED" | sed -n 's/^add to the keys file: *//p') rate=1000000 burst=1000000 ids-per-day=1000000" > "$WORK/keys")
taskset -c 1 java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar "$B" --port=9190 --scenario=healthy \
    --users=1000000000 > "$WORK/simulator.log" 2>&1 &
service() { # jar port management-port log extra-jvm-options -> pid
  INTERNAL_BASE_URL=http://127.0.0.1:9190 API_KEYS_FILE="$WORK/keys" SERVER_PORT=$2 MANAGEMENT_SERVER_PORT=$3 \
    SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_ADDRESS=127.0.0.1 taskset -c 0 \
    java -Xms1g -Xmx1g -XX:MaxTenuringThreshold=1 -XX:+UseTransparentHugePages $5 -jar "$1" --namegate.limits.quota.window=5s > "$4" 2>&1 &
  echo $!
}
PID_A=$(service "$A" 8111 8112 "$WORK/a.log" "${JVM_OPTS_A:-}"); PID_B=$(service "$B" 8211 8212 "$WORK/b.log" "${JVM_OPTS_B:-}")
for port in 8111 8211; do
  for _ in $(seq 120); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/readyz)" = 200 ] && continue 2; sleep 1; done
  echo "the service on port $port is not ready after 120 s; its log:" >&2; tail -20 "$WORK"/?.log >&2; exit 1
done
cat > "$WORK/ids.lua" <<LUA
local headers = { ["Authorization"] = "Bearer $KEY" }
math.randomseed(os.time())
request = function() return wrk.format("GET", "/users/" .. math.random(1, $HIGHEST), headers) end
LUA
cpu_ticks() { awk '{ print $14 + $15 }' "$1"; } # user + system of a /proc stat file
ticks() { cpu_ticks "/proc/$1/stat"; }
loop_ticks() { local sum=0 task; for task in /proc/$1/task/*; do
  grep -q reactor-http "$task/comm" 2>/dev/null && sum=$((sum + $(cpu_ticks "$task/stat"))); done; echo $sum; }
load() { # seconds: both wrk at once, results in a.txt and b.txt
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$1"s -s "$WORK/ids.lua" http://127.0.0.1:8111 > "$WORK/a.txt" & local first=$!
  taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$1"s -s "$WORK/ids.lua" http://127.0.0.1:8211 > "$WORK/b.txt"; wait $first
}
answers() { awk '/requests in/ { n = $1 } /Non-2xx/ { bad = $NF } END { print n, bad + 0 }' "$1"; }
load "$WARMUP"
HZ=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
  before="$(ticks $PID_A) $(ticks $PID_B) $(loop_ticks $PID_A) $(loop_ticks $PID_B)"
  load 10
  after="$(ticks $PID_A) $(ticks $PID_B) $(loop_ticks $PID_A) $(loop_ticks $PID_B)"
  python3 - $round $HZ $before $after $(answers "$WORK/a.txt") $(answers "$WORK/b.txt") <<'PY'
import sys
r, hz, *v = sys.argv[1:]; v = [float(x) for x in v]; hz = float(hz)
b, a, (na, bad_a, nb, bad_b) = v[0:4], v[4:8], v[8:12]
us = lambda i, n: (a[i] - b[i]) / hz * 1e6 / n
pa, pb, la, lb = us(0, na), us(1, nb), us(2, na), us(3, nb)
print(f"round {r}: A {na/10:,.0f}/s ({bad_a:.0f} non-2xx) {pa:.1f} us a request (loops {la:.1f}); "
      f"B {nb/10:,.0f}/s ({bad_b:.0f} non-2xx) {pb:.1f} us (loops {lb:.1f}); B/A process {pb/pa:.3f}, loops {lb/la:.3f}")
PY
done
