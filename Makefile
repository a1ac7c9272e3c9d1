# namegate: every command a developer or operator needs. Only a JDK 17+ is required;
# the Maven wrapper fetches Maven on first use.
MVN      ?= ./mvnw -B -q
JAR      := target/namegate.jar
CDS_DIR  := target/cds
CDS_ARCHIVE := $(CDS_DIR)/app.jsa
SCENARIO ?= healthy
CLIENT   ?=
# Spring AOT: bean definitions generated at build time (process-aot); docs/startup.md
AOT      := -Dspring.aot.enabled=true

.PHONY: run test build cds key simulator bench load startup image k8s clean

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package

## make build: the runnable jar (target/namegate.jar)
build: $(JAR)

## make run [SCENARIO=flaky]: the service with the embedded internal-service simulator (demo mode),
## started from the extracted jar and its CDS archive (make cds)
run: $(CDS_ARCHIVE)
	java -XX:SharedArchiveFile=$(CDS_ARCHIVE) $(AOT) -jar $(CDS_DIR)/namegate.jar --namegate.demo.enabled=true --namegate.demo.scenario=$(SCENARIO)

## make cds: the jar extracted to target/cds plus a CDS archive of the classes a start and the
## first requests load (a training run: demo mode, then exit after the warm-up); `make run` starts
## from it. It fits only the JDK that made it, and this path: from this directory,
## java -XX:SharedArchiveFile=target/cds/app.jsa -jar target/cds/namegate.jar. See docs/startup.md.
cds: $(CDS_ARCHIVE)

# Spring Boot's recipe (-Dspring.context.exit=onRefresh) stops before any request, so its archive
# lacks the request path. Here demo mode brings a simulator and a key, the warm-up sends lookups and
# requests through everything, namegate.warmup.exit-when-done ends the run, and the JVM writes the
# archive as it exits. (The demo key in training.log died with the process.)
$(CDS_ARCHIVE): $(JAR)
	rm -rf $(CDS_DIR)
	java -Djarmode=tools -jar $(JAR) extract --destination $(CDS_DIR)
	SERVER_PORT=0 MANAGEMENT_SERVER_PORT=0 SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
		java -XX:ArchiveClassesAtExit=$(CDS_ARCHIVE) $(AOT) -jar $(CDS_DIR)/namegate.jar \
		--namegate.demo.enabled=true --namegate.warmup.exit-when-done=true \
		> $(CDS_DIR)/training.log 2>&1 || { tail -20 $(CDS_DIR)/training.log; exit 1; }
	@echo "wrote $(CDS_ARCHIVE) ($$(du -m $(CDS_ARCHIVE) | cut -f1) MiB); training log: $(CDS_DIR)/training.log"

## make test: every test (unit, MockWebServer, simulator process end to end, a real redis-server
## for the shared limits: installed from the Debian package when missing)
test:
	command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)
	$(MVN) verify
	@cat target/surefire-reports/*.txt target/failsafe-reports/*.txt 2>/dev/null | awk '/^Tests run:/ { gsub(",", ""); run += $$3; bad += $$5 + $$7; skip += $$9 } \
		END { printf "tests: %d passed, %d failed, %d skipped\n", run - bad - skip, bad, skip }'

## make key CLIENT=name: mint an API key; prints it once and the line for the keys file
key:
	@test -n "$(CLIENT)" || { echo "usage: make key CLIENT=<client-id>"; exit 2; }
	@test -d target/classes/dev/namegate/auth || $(MVN) compile
	@java -cp target/classes dev.namegate.auth.KeyMint "$(CLIENT)"

## make simulator [SCENARIO=flaky]: the internal-service simulator on its own (port 9090)
simulator: $(JAR)
	java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar $(JAR) --port=9090 --scenario=$(SCENARIO)

## make bench [BENCH_ARGS="--settle=5s --duration=15s --ids=zipf:100000:1.0 --fresh ..."]: open-loop
## benchmark table of every story scenario in turn against one running service, the simulator (a
## separate process) switched from scenario to scenario at runtime, ids from 1..10^9 (cache misses),
## with a verdict per scenario (target/bench/results.md); --fresh starts them per scenario instead.
## --open-connections=N opens N of the generator's connections before the warm-up (a --sweep opens
## all of them, other runs none; 0: as needed).
## make bench BENCH_ARGS="--closed-loop [--steps=4,8,16,32,64,256 --duration=10s --warmup=120s]": the
## wrk sweep over connections of namegate (misses, hits), NaiveProxy (new ids, and repeated ids
## answered from its map), HAProxy and the simulator
## (target/bench/closed-loop.md and .png); installs wrk and haproxy first when missing. --interleave
## measures each step on namegate's misses and right after on NaiveProxy, both running; --rounds=N
## measures the steps N times in turn and reports their means.
## See docs/benchmarks.md.
BENCH_ARGS ?=
# Debian packages the closed loop runs; apt-get as root, else through sudo.
CLOSED_LOOP_TOOLS := wrk haproxy
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo) apt-get
bench:
	@if echo " $(BENCH_ARGS) " | grep -q -- ' --closed-loop[ =]'; then \
		missing=$$(for tool in $(CLOSED_LOOP_TOOLS); do command -v $$tool >/dev/null || echo $$tool; done); \
		if [ -n "$$missing" ]; then $(APT_GET) update && $(APT_GET) install -y $$missing; fi; \
	fi
	$(MVN) -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) dev.namegate.bench.BenchMain $(BENCH_ARGS)

## make load [SCENARIO=flaky] [RATE=200] [DURATION=60] [SERVICE_CPU=0]: Gatling load tests (open workload),
## every story scenario in turn or the one named, each against its own simulator and service processes on
## loopback after an unmeasured warm-up; one summary line per scenario, HTML reports under target/gatling/.
## RATE defaults to each scenario's own, DURATION (measured seconds) to 15. See docs/benchmarks.md.
## make load TARGET=https://names.example.org KEY=ng_... [RATE=40] [DURATION=60]: the same load shape and
## 100 ms check against a deployed service; nothing is started (the key goes by environment, never argv).
RATE        ?=
DURATION    ?= 15
SERVICE_CPU ?=
TARGET      ?=
# SCENARIO's default above is for run and simulator; load runs every scenario unless one is named.
LOAD_SCENARIO = $(if $(filter command line environment override,$(origin SCENARIO)),$(SCENARIO),all)
LOAD_PROPS    = -Dload.scenario=$(LOAD_SCENARIO) -Dload.rate=$(RATE) -Dload.duration=$(DURATION) \
	-Dload.service-cpu=$(SERVICE_CPU) -Dload.target=$(TARGET)
load: export NAMEGATE_LOAD_KEY = $(KEY)
LOAD_MAIN     = java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) \
	$(LOAD_PROPS) dev.namegate.load.LoadMain
load:
	$(MVN) -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	@simulations=$$($(LOAD_MAIN) simulations) || exit 2; since=$$(date +%s); \
	for simulation in $$simulations; do \
		$(MVN) gatling:test -Dgatling.simulationClass=$$simulation $(LOAD_PROPS) || true; \
	done; \
	$(LOAD_MAIN) summary $$since

## make startup [STARTUP_ARGS="--runs=5 --variants=jar,cds-warm"]: time from launch to the first right
## answer and to readiness, and RSS, for the plain jar, the extracted jar, CDS archives and (when
## /usr/lib/jvm/temurin-25-jdk-amd64 exists) Java 25's AOT cache (target/bench/startup.md).
## See docs/startup.md.
STARTUP_ARGS ?=
startup:
	$(MVN) -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
	java -cp target/test-classes:target/classes:$$(cat target/test-classpath.txt) dev.namegate.bench.StartupBench $(STARTUP_ARGS)

## make image [IMAGE=registry.example.com/namegate] [TAG=0.1.0]: build and push the container image
## with Jib (no Docker daemon); needs the base image's registry and a login to IMAGE's registry.
## `make image JIB_GOAL=buildTar` writes target/jib-image.tar instead of pushing.
IMAGE    ?= registry.example.com/namegate
TAG      ?= $(shell sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | sed -n 2p)
JIB_GOAL ?= build
image:
	$(MVN) -DskipTests package jib:$(JIB_GOAL) -Dimage=$(IMAGE) -Dimage.tag=$(TAG)

## make k8s [OVERLAY=k8s/overlays/example]: render the manifests as they would be applied
OVERLAY  ?= k8s/overlays/example
k8s:
	@command -v kubectl >/dev/null || { echo "make k8s needs kubectl (with kustomize)"; exit 2; }
	kubectl kustomize $(OVERLAY)

clean:
	$(MVN) clean
