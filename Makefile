# namegate: every command a developer or operator needs. Only a JDK 17+ is required;
# the Maven wrapper fetches Maven on first use.
MVN      ?= ./mvnw -B -q
JAR      := target/namegate.jar
SCENARIO ?= healthy
CLIENT   ?=

.PHONY: run test build key simulator clean

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package

## make build: the runnable jar (target/namegate.jar)
build: $(JAR)

## make run [SCENARIO=flaky]: the service with the embedded internal-service simulator (demo mode)
run: $(JAR)
	java -jar $(JAR) --namegate.demo.enabled=true --namegate.demo.scenario=$(SCENARIO)

## make test: every test (unit, MockWebServer, simulator process end to end)
test:
	$(MVN) verify

## make key CLIENT=name: mint an API key; prints it once and the line for the keys file
key:
	@test -n "$(CLIENT)" || { echo "usage: make key CLIENT=<client-id>"; exit 2; }
	@test -d target/classes/dev/namegate/auth || $(MVN) compile
	@java -cp target/classes dev.namegate.auth.KeyMint "$(CLIENT)"

## make simulator [SCENARIO=flaky]: the internal-service simulator on its own (port 9090)
simulator: $(JAR)
	java -Dloader.main=dev.namegate.simulator.SimulatorMain -jar $(JAR) --port=9090 --scenario=$(SCENARIO)

clean:
	$(MVN) clean
