# Shared by paired-cpu.sh, profile.sh, gate-steps.sh, lull-bursts.sh and cap-side-by-side.sh
# (sourced, not run): a key with lifted limits, the simulator on CPU 1, services on CPU 0, and
# wrk's script of ids. Expects the repository root as the working directory, after `make build`;
# bench_setup first.

# the heap, tenuring, huge pages and metaspace threshold of the Deployment and the closed-loop sweep, for namegate and NaiveProxy
SERVICE_JVM_OPTS="-Xms1g -Xmx1g -XX:MaxTenuringThreshold=1 -XX:+UseTransparentHugePages -XX:MetaspaceSize=64m"

# bench_setup: a scratch directory WORK and a key (mint_key); at exit, every process the functions
# here started is stopped (they start in command substitutions, so not as this shell's jobs, and
# are killed by the pids they note in $WORK/pids), the shell's own jobs too, and WORK is removed
bench_setup() {
  WORK=$(mktemp -d)
  trap 'kill $(cat "$WORK/pids" 2>/dev/null) $(jobs -p) 2>/dev/null || true; wait 2>/dev/null; rm -rf "$WORK"' EXIT
  mint_key
}

# started pid: notes a process for bench_setup's clean-up
started() { echo "$1" >> "$WORK/pids"; }

# mint_key: sets KEY and writes $WORK/keys, its limits lifted so that a run measures lookups
mint_key() {
  local minted
  minted=$(java -cp target/classes dev.namegate.auth.KeyMint bench)
  KEY=$(echo "$minted" | grep -o 'ng_[A-Za-z0-9_-]*' | head -1)
  (umask 077; echo "$(echo "$minted" | sed -n 's/^add to the keys file: *//p') rate=1000000 burst=1000000 ids-per-day=1000000" > "$WORK/keys")
}

# start_simulator jar: the healthy simulator on CPU 1, port 9190, with 10^9 users
start_simulator() {
  taskset -c 1 java -XX:MetaspaceSize=64m -Dloader.main=dev.namegate.simulator.SimulatorMain -jar "$1" --port=9190 --scenario=healthy \
      --users=1000000000 > "$WORK/simulator.log" 2>&1 &
  started $!
}

# start_service jar port management-port log extra-jvm-options: namegate on CPU 0, the quota
# counted over 5 s as in the closed-loop sweep; prints its pid
start_service() {
  INTERNAL_BASE_URL=http://127.0.0.1:9190 API_KEYS_FILE="$WORK/keys" SERVER_PORT=$2 MANAGEMENT_SERVER_PORT=$3 \
    SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_ADDRESS=127.0.0.1 taskset -c 0 \
    java $SERVICE_JVM_OPTS $5 -jar "$1" --namegate.limits.quota.window=5s > "$4" 2>&1 &
  started $!; echo $!
}

# start_naive port log [--cache]: NaiveProxy on CPU 0 in front of the simulator, from the test classes
# (target/test-classpath.txt as `make bench` writes it), with --cache answering repeated ids from
# memory; prints its pid
start_naive() {
  taskset -c 0 java $SERVICE_JVM_OPTS -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
    dev.namegate.bench.NaiveProxy --upstream=http://127.0.0.1:9190 --port=$1 ${3:-} > "$2" 2>&1 &
  started $!; echo $!
}

# cpu_ticks stat-file: user + system ticks of a /proc stat file; process_ticks pid: of a process
cpu_ticks() { awk '{ print $14 + $15 }' "$1"; }
process_ticks() { cpu_ticks "/proc/$1/stat"; }

# await_ready url...: each answers 200 within 120 s, or the logs are shown and the script ends
await_ready() {
  local url
  for url in "$@"; do
    for _ in $(seq 120); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] && continue 2; sleep 1; done
    echo "$url is not ready after 120 s; the logs:" >&2; tail -20 "$WORK"/*.log >&2; exit 1
  done
}

# write_ids highest-id: $WORK/ids.lua, a GET /users/<random id in 1..highest> with the key
write_ids() {
  cat > "$WORK/ids.lua" <<LUA
local headers = { ["Authorization"] = "Bearer $KEY" }
math.randomseed(os.time())
request = function() return wrk.format("GET", "/users/" .. math.random(1, $1), headers) end
LUA
}

# gate_episodes log: when the admission gate set a limit and when and why it lifted it, from namegate's log
gate_episodes() {
  echo "the gate's episodes:"
  sed -n 's/^[^T]*T\([0-9:.]*\)[^ ]* .*overload: /\1 /p' "$1"
}
