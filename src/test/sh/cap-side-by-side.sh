#!/bin/bash
# The cap on requests in progress (docs/benchmarks.md, "The cap on requests in progress, built"):
# two namegate services of one jar on CPU 0 in front of one simulator, A with the cap off and B
# with it on, each step of wrk (10 s, misses over 1..10^9) run on A and right after on B. Per
# step: answers/s, CPU a request (µs), non-2xx, p50, p99, and the services' gauges of the gate and
# the cap read 5 s into the step. SLOW=15ms makes every answer of the internal service that late
# first (SLOW=none: healthy). Run from the repository root after `make build`; needs wrk, taskset,
# curl.
#
#   src/test/sh/cap-side-by-side.sh JAR [rounds] [steps, e.g. "16 64 256"]
#
# JVM_OPTS_B adds JVM options to B (e.g. -Dnamegate.overload.cap.busy-share=0.9).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 JAR [rounds] [steps]" >&2; exit 2; }
JAR=$(realpath "$1"); ROUNDS=${2:-3}; STEPS=${3:-"16 64 256"}; SLOW=${SLOW:-none}
. "$(dirname "$0")/bench-lib.sh"
bench_setup
start_simulator "$JAR"
PID_A=$(start_service "$JAR" 8111 8112 "$WORK/a.log" "-Dnamegate.overload.cap.enabled=false")
PID_B=$(start_service "$JAR" 8131 8132 "$WORK/b.log" "${JVM_OPTS_B:-}")
await_ready http://127.0.0.1:8111/readyz http://127.0.0.1:8131/readyz
write_ids 1000000000
for port in 8111 8131; do taskset -c 1 wrk -t1 -c256 -d40s -s "$WORK/ids.lua" http://127.0.0.1:$port > /dev/null; done
if [ "$SLOW" != none ]; then
  curl -sf -X PUT "http://127.0.0.1:9190/_sim/scenario?slow-fraction=1&slow-delay=$SLOW" -o /dev/null
fi
for round in $(seq "$ROUNDS"); do
  for c in $STEPS; do
    for service in A B; do
      if [ $service = A ]; then port=8111; pid=$PID_A; else port=8131; pid=$PID_B; fi
      (sleep 5; curl -s http://127.0.0.1:$((port + 1))/actuator/prometheus \
        | grep -E '^namegate_overload_(cap|admission_limit)' | tr '\n' ' ' > "$WORK/gauges") &
      gauges=$!
      t0=$(process_ticks "$pid")
      out=$(taskset -c 1 wrk -t1 -c"$c" -d10s --latency -s "$WORK/ids.lua" http://127.0.0.1:$port)
      t1=$(process_ticks "$pid"); wait $gauges
      n=$(echo "$out" | awk '/requests in/ { print $1 }'); bad=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
      echo "round $round $service $c connections: $((n / 10))/s, $(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / n )) us a request," \
        "${bad:-0} non-2xx, p50 $(echo "$out" | awk '$1 == "50%" { print $2 }'), p99 $(echo "$out" | awk '$1 == "99%" { print $2 }');" \
        "$(cat "$WORK/gauges")"
    done
  done
done
