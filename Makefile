# namegate: every command a developer or operator needs. Only a JDK 17+ is required;
# the Maven wrapper fetches Maven.
MVN      ?= ./mvnw -B -q
JAR      := target/namegate.jar
SCENARIO ?= healthy

.PHONY: run test build key

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package

build: $(JAR)

## make run [SCENARIO=flaky]: the service with the embedded simulator, demo mode
run: $(JAR)
	java -jar $(JAR) --namegate.demo.enabled=true --namegate.demo.scenario=$(SCENARIO)

## make test: every test
test:
	$(MVN) verify
