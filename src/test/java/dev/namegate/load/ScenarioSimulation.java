package dev.namegate.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.namegate.bench.BenchOptions;
import dev.namegate.bench.CpuPinning;
import dev.namegate.bench.ResponseChecks;
import dev.namegate.bench.Scenario;
import dev.namegate.bench.Scenarios;
import dev.namegate.bench.ServiceUnderTest;
import dev.namegate.bench.Target;
import dev.namegate.simulator.SimulatedUsers;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * One story scenario under an open workload: {@link #before()} starts the simulator in the
 * scenario's failure mode and the service in front of it (separate processes, loopback only, the
 * service's defaults; ids from 1..10^9, so practically every lookup misses its name cache), a
 * warm-up ramps to the rate, then the measured phase offers a constant rate; {@link #after()}
 * stops both processes. Every answer is checked (the right name and id for known ids, a 404 problem
 * for unknown ones, a 502/503/504 problem in the outage) and must arrive within 100 ms, so a
 * request is OK in Gatling's report exactly when it was answered correctly in time. Only requests
 * named {@value #MEASURED} count in the assertions; the warm-up's are named {@value #WARM_UP}.
 *
 * <p>One subclass per scenario, so each report is named after it; run with {@code make load}
 * (settings in {@link LoadSettings}). {@link DeploymentSimulation} offers the same shape to a
 * deployed service ({@code load.target}) and starts nothing.
 */
public abstract class ScenarioSimulation extends Simulation {

    static final String MEASURED = "lookup";
    static final String WARM_UP = "warm-up";
    static final Path JAR = Path.of("target/namegate.jar");
    static final Path LOGS = Path.of("target/load");
    /**
     * The load shape for a deployed service ({@link DeploymentSimulation}): 40 requests/s, under a
     * default key's 50/s bucket, ids uniformly from 1..10^9 as in every scenario.
     */
    static final Scenario DEPLOYMENT = new Scenario("deployment", List.of(), 40, 0.0, false);

    /** The warm-up ramps from this share of the rate up to the full rate, like the benchmark's. */
    private static final double WARM_UP_START_FRACTION = 0.05;
    /** Different seeds, so the measured phase does not replay the ids the warm-up asked for. */
    private static final long WARM_UP_SEED = 7L;
    private static final long MEASURED_SEED = 42L;
    private static final String PACKAGE = ScenarioSimulation.class.getPackageName();

    private final Scenario scenario;
    private final LoadSettings settings;
    private final CpuPinning pinning;
    /** Set by {@link #before()} unless the load goes to a deployment; stopped by {@link #after()}. */
    private volatile ServiceUnderTest system;
    /** Set by {@link #before()}, read by every request: the port and key exist only once it ran. */
    private volatile Target target;

    protected ScenarioSimulation(String scenarioName) {
        this(Scenarios.named(scenarioName));
    }

    ScenarioSimulation(Scenario scenario) {
        this.scenario = scenario;
        this.settings = LoadSettings.fromSystemProperties();
        this.pinning = CpuPinning.of(settings.serviceCpu());
        double rate = settings.rateOf(scenario);
        PopulationBuilder measured = scenario(scenario.name())
                .feed(new IdFeeder(scenario.ids(), MEASURED_SEED))
                .exec(lookup(MEASURED))
                .injectOpen(constantUsersPerSec(rate).during(settings.duration()));
        PopulationBuilder population = measured;
        if (!settings.warmUp().isZero()) {
            population = scenario(scenario.name() + " " + WARM_UP)
                    .feed(new IdFeeder(scenario.ids(), WARM_UP_SEED))
                    .exec(lookup(WARM_UP))
                    .injectOpen(rampUsersPerSec(rate * WARM_UP_START_FRACTION).to(rate).during(settings.warmUp()))
                    .andThen(measured);
        }
        setUp(population)
                .protocols(http
                        .acceptHeader("application/json")
                        // One pool for all virtual users: an open model at hundreds of users/s
                        // would otherwise open a connection per user and run out of loopback ports.
                        .shareConnections()
                        // Gatling's own warm-up request goes to an outside host; this machine
                        // sends load to loopback only.
                        .disableWarmUp()
                        .disableCaching())
                .assertions(assertions(LoadTarget.of(scenario.name())));
    }

    /** The simulation class that runs {@code scenario}: {@code bad-instances} is {@code BadInstancesSimulation}. */
    static String classNameOf(String scenario) {
        StringBuilder name = new StringBuilder(PACKAGE).append('.');
        for (String part : scenario.split("-")) {
            name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
        }
        return name.append("Simulation").toString();
    }

    @Override
    public void before() {
        if (scenario == DEPLOYMENT) {
            target = deployment();
            System.out.printf(Locale.ROOT, "%s: %.0f requests/s for %d s after %d s of warm-up, against %s%n",
                    scenario.name(), settings.rateOf(scenario), settings.duration().toSeconds(),
                    settings.warmUp().toSeconds(), target);
            return;
        }
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build it with ./mvnw -q -B -DskipTests package");
        }
        try {
            pinning.pinThisJvm();
            system = ServiceUnderTest.start(scenario, JAR, pinning, BenchOptions.UNLIMITED_KEY, List.of(), List.of(), LOGS);
            target = system.target();
        } catch (IOException e) {
            throw new UncheckedIOException(scenario.name() + ": could not start the simulator and the service", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(scenario.name() + ": interrupted while starting", e);
        }
        System.out.printf(Locale.ROOT, "%s: %.0f requests/s for %d s after %d s of warm-up, against %s (logs in %s)%n",
                scenario.name(), settings.rateOf(scenario), settings.duration().toSeconds(),
                settings.warmUp().toSeconds(), target, LOGS);
    }

    /** {@code load.target} and the key from the environment; a missing one fails the run before any request. */
    private Target deployment() {
        URI url = settings.target().orElseThrow(() -> new IllegalStateException(
                "load.target is not set: make load TARGET=https://... KEY=..."));
        String key = System.getenv(LoadSettings.KEY_VARIABLE);
        if (key == null || key.isBlank()) {
            throw new IllegalStateException(LoadSettings.KEY_VARIABLE + " is not set: make load TARGET=... KEY=...");
        }
        return Target.publicApi(url.toString(), key.strip());
    }

    @Override
    public void after() {
        if (system != null) {
            try {
                system.close();
            } catch (IOException e) {
                // The run's results stand; only the temporary keys file may be left behind.
                System.err.println(scenario.name() + ": cleanup failed: " + e);
            }
        }
    }

    private HttpRequestActionBuilder lookup(String name) {
        HttpRequestActionBuilder request = http(name)
                .get(session -> target().baseUrl() + "/users/" + session.getLong(IdFeeder.ID))
                .header("Authorization", session -> target().authorization())
                .check(responseTimeInMillis().lte(LoadTarget.SLO_MILLIS).name("within " + LoadTarget.SLO_MILLIS + " ms"));
        if (scenario == DEPLOYMENT) {
            // which ids it knows is the deployment's business: the id asked for with a name, or a 404 problem
            return request.check(status().in(200, 404).name("status 200 or 404"))
                    .checkIf((response, session) -> response.status().code() == 200).then(
                            jmesPath("id").ofLong().is(session -> session.getLong(IdFeeder.ID)).name("the id asked for"),
                            jmesPath("name").ofString().exists().name("a name"))
                    .checkIf((response, session) -> response.status().code() == 404).then(problemJson());
        }
        if (scenario.outage()) {
            // The honest answer while the internal service is down: a fast server problem.
            return request.check(status().in(502, 503, 504).name("status 502/503/504"), problemJson());
        }
        return request
                .check(status().is(session -> known(session) ? 200 : 404).name("status 200 known, 404 unknown"))
                .checkIf(ScenarioSimulation::known).then(
                        jmesPath("name").is(session -> SimulatedUsers.nameOf(session.getLong(IdFeeder.ID)))
                                .name("the simulator's name for the id"),
                        jmesPath("id").ofLong().is(session -> session.getLong(IdFeeder.ID)).name("the id asked for"))
                .checkIf(session -> !known(session)).then(problemJson());
    }

    private static boolean known(Session session) {
        return session.getBoolean(IdFeeder.KNOWN);
    }

    private static CheckBuilder problemJson() {
        return header("Content-Type").transform(ResponseChecks::isProblem).is(true).name("application/problem+json");
    }

    private Target target() {
        return target;
    }

    private static List<Assertion> assertions(LoadTarget target) {
        List<Assertion> assertions = new ArrayList<>();
        // OK = correct within the SLO (see the checks), so this is the story's promise
        assertions.add(details(MEASURED).successfulRequests().percent().gte(target.percent()));
        if (target.boundsP99()) {
            assertions.add(details(MEASURED).responseTime().percentile(99).lt(LoadTarget.SLO_MILLIS));
        }
        return assertions;
    }
}
