#!/bin/bash
# Bursts after lulls (docs/benchmarks.md, "Bursts after a lull"): namegate on CPU 0, the simulator
# and wrk on CPU 1; after a warm-up of 256 connections, each idle time in turn is slept and then
# met by a 5 s burst of 256 connections (misses over 1..10^9), all on one service. Per burst:
# correct answers a second, 503s by cause (the gate after waiting and on arrival, attempts given
# up while the process lagged), 504s, p99, and how many upstream connections the burst opened
# anew; then the gate's episodes from the log. Run from the repository root after the jar is
# built (`make build`); needs wrk, taskset, curl, ss, python3.
#
#   src/test/sh/lull-bursts.sh JAR [idle seconds, e.g. "35 10 35 10 35"] [warm-up seconds]
#
# JVM_OPTS adds JVM options to namegate (e.g. -Dnamegate.upstream.pool.max-idle-time=30s).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 JAR [idle seconds] [warm-up seconds]" >&2; exit 2; }
for tool in wrk taskset curl ss python3; do
  command -v "$tool" > /dev/null || { echo "$tool is missing" >&2; exit 2; }
done
JAR=$(realpath "$1"); IDLES=${2:-"35 10 35 10 35"}; WARMUP=${3:-60}
. "$(dirname "$0")/bench-lib.sh"
bench_setup
start_simulator "$JAR"
PID_A=$(start_service "$JAR" 8111 8112 "$WORK/a.log" "${JVM_OPTS:-}")
await_ready http://127.0.0.1:8111/readyz
write_ids 1000000000
# the local ports of namegate's established connections to the simulator
upstream_ports() { ss -Htn state established '( dport = :9190 )' | awk '{ n = split($3, a, ":"); print a[n] }' | sort; }
taskset -c 1 wrk -t1 -c256 -d"$WARMUP"s -s "$WORK/ids.lua" http://127.0.0.1:8111 > /dev/null
for idle in $IDLES; do
  sleep "$idle"
  upstream_ports > "$WORK/ports-before"
  curl -s http://127.0.0.1:8112/actuator/prometheus > "$WORK/before"
  started=$(date +%T) # local time, as the log's
  taskset -c 1 wrk -t1 -c256 -d5s --latency -s "$WORK/ids.lua" http://127.0.0.1:8111 > "$WORK/wrk.txt"
  curl -s http://127.0.0.1:8112/actuator/prometheus > "$WORK/after"
  upstream_ports > "$WORK/ports-after"
  opened=$(comm -13 "$WORK/ports-before" "$WORK/ports-after" | wc -l)
  python3 - "$started" "$idle" "$opened" "$WORK/before" "$WORK/after" "$WORK/wrk.txt" <<'PY'
import re, sys
started, idle, opened, before, after, wrk = sys.argv[1:]
def counters(path):
    found = {}
    for line in open(path):
        if not line.startswith("#") and " " in line:
            name, _, value = line.rstrip().rpartition(" ")
            found[name] = float(value)
    return found
b, a = counters(before), counters(after)
def grew(pattern):
    return int(sum(v - b.get(k, 0) for k, v in a.items() if re.search(pattern, k)))
text = open(wrk).read()
n = int(re.search(r"(\d+) requests in", text).group(1))
bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", text)) else 0
p99 = re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1)
print(f"{started} after {idle} s idle: {(n - bad) / 5:,.0f} correct/s, p99 {p99}; 503 "
      f"{grew(r'^namegate_overload_shed_total.*after_waiting')} after waiting in the gate, "
      f"{grew(r'^namegate_overload_shed_total.*on_arrival')} on arrival, "
      f"{grew(r'^namegate_upstream_attempts_total.*own_overload')} attempts given up while lagging; "
      f"504 {grew(r'^http_server_requests_seconds_count.*status=.504')}; {opened} upstream connections opened")
PY
done
gate_episodes "$WORK/a.log"
