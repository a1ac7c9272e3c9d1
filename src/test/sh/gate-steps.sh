#!/bin/bash
# The admission gate in a closed loop (docs/benchmarks.md, "256 connections"): namegate and
# NaiveProxy both on CPU 0 in front of one simulator, each step of wrk (10 s, misses over 1..10^9)
# run on namegate and right after on NaiveProxy, so namegate meets each step after a pause, as a
# service meets a burst after a lull. Per step: answers, refusals after waiting and on arrival,
# p99, CPU an answer (refusals included); then the gate's episodes from namegate's log. Run from
# the repository root after the jar and target/test-classpath.txt are built as `make bench` builds
# them (NaiveProxy runs from the test classes); needs wrk, taskset, curl, python3.
#
#   src/test/sh/gate-steps.sh JAR [steps, e.g. "256 256 256"] [warm-up seconds]
#
# JVM_OPTS adds JVM options to namegate (e.g. -Dnamegate.overload.limit-floor-time=10ms).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 JAR [steps] [warm-up seconds]" >&2; exit 2; }
[ -f target/test-classpath.txt ] || { echo "target/test-classpath.txt missing: build as make bench does" >&2; exit 2; }
JAR=$(realpath "$1"); STEPS=${2:-"256 256 256"}; WARMUP=${3:-60}
. "$(dirname "$0")/bench-lib.sh"
bench_setup
start_simulator "$JAR"
PID_A=$(start_service "$JAR" 8111 8112 "$WORK/a.log" "${JVM_OPTS:-}")
PID_N=$(start_naive 8311 "$WORK/naive.log")
await_ready http://127.0.0.1:8111/readyz http://127.0.0.1:8311/users/1
write_ids 1000000000
refusals() { # after waiting, on arrival
  curl -s http://127.0.0.1:8112/actuator/prometheus | awk '/^namegate_overload_shed_total.*after/ { a += $NF }
    /^namegate_overload_shed_total.*arrival/ { r += $NF } END { printf "%d %d", a, r }'; }
taskset -c 1 wrk -t1 -c256 -d"$WARMUP"s -s "$WORK/ids.lua" http://127.0.0.1:8111 > /dev/null
taskset -c 1 wrk -t1 -c256 -d30s -s "$WORK/ids.lua" http://127.0.0.1:8311 > /dev/null
for c in $STEPS; do
  for target in namegate NaiveProxy; do
    if [ $target = namegate ]; then port=8111; pid=$PID_A; else port=8311; pid=$PID_N; fi
    before="$(refusals) $(process_ticks "$pid")"
    started=$(date +%T) # local time, as the log's
    taskset -c 1 wrk -t1 -c"$c" -d10s --latency -s "$WORK/ids.lua" http://127.0.0.1:$port > "$WORK/wrk.txt"
    after="$(refusals) $(process_ticks "$pid")"
    python3 - "$target" "$c" "$started" "$(getconf CLK_TCK)" $before $after "$WORK/wrk.txt" <<'PY'
import re, sys
target, c, started, hz, *v, wrk = sys.argv[1:]
b, a = [float(x) for x in v[:3]], [float(x) for x in v[3:]]
text = open(wrk).read()
n = int(re.search(r"(\d+) requests in", text).group(1))
bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1)
cpu = (a[2] - b[2]) / float(hz) * 1e6 / n
gate = f", refused {a[0] - b[0]:.0f} after waiting and {a[1] - b[1]:.0f} on arrival" if target == "namegate" else ""
print(f"{started} {target} {c} connections: {(n - bad) / 10:,.0f} correct/s, {bad} non-2xx{gate}, p99 {p99}, "
      f"{cpu:.0f} us of CPU an answer")
PY
  done
done
gate_episodes "$WORK/a.log"
