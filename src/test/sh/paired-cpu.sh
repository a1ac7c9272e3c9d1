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
. "$(dirname "$0")/bench-lib.sh"
bench_setup
start_simulator "$B"
PID_A=$(start_service "$A" 8111 8112 "$WORK/a.log" "${JVM_OPTS_A:-}"); PID_B=$(start_service "$B" 8211 8212 "$WORK/b.log" "${JVM_OPTS_B:-}")
await_ready http://127.0.0.1:8111/readyz http://127.0.0.1:8211/readyz
write_ids "$HIGHEST"
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
  before="$(process_ticks $PID_A) $(process_ticks $PID_B) $(loop_ticks $PID_A) $(loop_ticks $PID_B)"
  load 10
  after="$(process_ticks $PID_A) $(process_ticks $PID_B) $(loop_ticks $PID_A) $(loop_ticks $PID_B)"
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
