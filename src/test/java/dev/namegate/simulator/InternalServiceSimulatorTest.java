package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class InternalServiceSimulatorTest {

    private final SimulatorHttp http = new SimulatorHttp();
    private InternalServiceSimulator simulator;

    @AfterEach
    void close() {
        if (simulator != null) {
            simulator.close();
        }
    }

    private String start(SimulatorSettings settings) {
        simulator = InternalServiceSimulator.start(settings);
        return simulator.baseUrls().get(0);
    }

    @Test
    void healthyAnswersTheRightNamesAsJsonIncludingHardCharacters() {
        String url = start(SimulatorSettings.defaults());

        for (long id = 1; id <= 20; id++) {
            HttpResponse<String> response = http.post(url, "/" + id);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(SimulatorHttp.json(response).get("name").asString()).isEqualTo(SimulatedUsers.nameOf(id));
        }
        assertThat(SimulatorHttp.json(http.post(url, "/4")).get("name").asString()).isEqualTo("Zoë Ñandú-李小龍 🚀");
        assertThat(SimulatorHttp.json(http.post(url, "/5")).get("name").asString())
                .isEqualTo("O'Brien \"the \\ backslash\"");
        assertThat(simulator.counters()).isEqualTo(new SimulatorCounters(22, 22, 0, 0, 0, 0, 0, 0, 0, 1));
    }

    @Test
    void answersCarryAContentLengthSoConnectionsAreReused() {
        String url = start(SimulatorSettings.defaults());

        HttpResponse<String> response = http.post(url, "/4");

        long utf8Length = response.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(utf8Length);
        http.post(url, "/1");
        assertThat(simulator.counters().connections()).isEqualTo(1);
    }

    @Test
    void unknownIdsAnswer500UserNotExists() {
        String url = start(SimulatorSettings.builder().users(10).build());

        for (String path : List.of("/11", "/0", "/123456789012345678901234567890", "/11?x=1")) {
            HttpResponse<String> response = http.post(url, path);

            assertThat(response.statusCode()).as(path).isEqualTo(500);
            assertThat(response.body()).isEqualTo("User not exists.");
        }
        assertThat(http.post(url, "/10").statusCode()).isEqualTo(200);
        assertThat(simulator.counters().notFound()).isEqualTo(4);
        assertThat(simulator.counters().ok()).isEqualTo(1);
    }

    @Test
    void anythingButPostOfADecimalIdAnswers400() {
        String url = start(SimulatorSettings.defaults());

        assertThat(http.send(url, "/1", "GET").statusCode()).isEqualTo(400);
        assertThat(http.post(url, "/abc").statusCode()).isEqualTo(400);
        assertThat(http.post(url, "/").statusCode()).isEqualTo(400);
        assertThat(http.post(url, "/1/2").statusCode()).isEqualTo(400);
        assertThat(http.post(url, "/-1").statusCode()).isEqualTo(400);

        assertThat(simulator.counters().badRequest()).isEqualTo(5);
        assertThat(simulator.counters().attempts()).isEqualTo(5);
    }

    @Test
    void flakyWithFailRateOneFailsEveryKnownIdButStillSaysUserNotExists() {
        String url = start(SimulatorSettings.builder().failRate(1.0).users(3).build());

        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = http.post(url, "/1");
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).isEqualTo("Internal error");
        }
        assertThat(http.post(url, "/4").body()).isEqualTo("User not exists.");

        assertThat(simulator.counters()).isEqualTo(new SimulatorCounters(11, 0, 1, 10, 0, 0, 0, 0, 0, 1));
    }

    @Test
    void flakyWithFailRateZeroNeverFails() {
        String url = start(SimulatorSettings.builder().failRate(0.0).build());

        for (int i = 0; i < 10; i++) {
            assertThat(http.post(url, "/2").statusCode()).isEqualTo(200);
        }

        assertThat(simulator.counters().ok()).isEqualTo(10);
        assertThat(simulator.counters().transient500()).isZero();
    }

    @Test
    void aHalfFlakySimulatorFailsSomeAndAnswersSome() {
        String url = start(SimulatorSettings.builder().flaky().build());

        for (int i = 0; i < 200; i++) {
            http.post(url, "/1");
        }

        // 200 draws at p = 0.5: below 50 either way has probability < 1e-12.
        SimulatorCounters counters = simulator.counters();
        assertThat(counters.transient500()).isBetween(50L, 150L);
        assertThat(counters.ok() + counters.transient500()).isEqualTo(200);
    }

    @Test
    void aRequestBeyondTheBurstIsRateLimitedWithRetryAfter() {
        String url = start(SimulatorSettings.builder().rateLimited().rateLimit(0.001).rateBurst(2)
                .retryAfterSeconds(1).build());

        assertThat(http.post(url, "/1").statusCode()).isEqualTo(200);
        assertThat(http.post(url, "/1").statusCode()).isEqualTo(200);
        HttpResponse<String> third = http.post(url, "/1");

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("retry-after")).hasValue("1");
        assertThat(simulator.counters().rateLimited()).isEqualTo(1);
        assertThat(simulator.counters().ok()).isEqualTo(2);
    }

    @Test
    void rateLimitedAnswersHaveNoRetryAfterUnlessConfigured() {
        String url = start(SimulatorSettings.builder().rateLimited().rateLimit(0.001).rateBurst(1).build());
        http.post(url, "/1");

        HttpResponse<String> limited = http.post(url, "/1");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void allInstancesShareOneRateLimitAndOneSetOfCounters() {
        start(SimulatorSettings.builder().instances(2).rateLimited().rateLimit(0.001).rateBurst(2).build());
        List<String> urls = simulator.baseUrls();
        assertThat(urls).hasSize(2).doesNotHaveDuplicates();

        assertThat(http.post(urls.get(0), "/1").statusCode()).isEqualTo(200);
        assertThat(http.post(urls.get(1), "/1").statusCode()).isEqualTo(200);
        assertThat(http.post(urls.get(1), "/1").statusCode()).isEqualTo(429);

        assertThat(simulator.counters().attempts()).isEqualTo(3);
        assertThat(simulator.counters().connections()).isEqualTo(2);
    }

    @Test
    void slowWithFractionOneDelaysEveryAnswerByAtLeastTheDelay() {
        Duration delay = Duration.ofMillis(200);
        String url = start(SimulatorSettings.builder().slowFraction(1.0).slowDelay(delay).build());
        http.post(url, "/1"); // warm up the connection so the timing is the delay's

        long start = System.nanoTime();
        HttpResponse<String> response = http.post(url, "/3");
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(SimulatorHttp.json(response).get("name").asString()).isEqualTo("Rob");
        assertThat(elapsed).isGreaterThanOrEqualTo(delay);
        assertThat(simulator.counters().delayed()).isEqualTo(2);
        assertThat(simulator.counters().ok()).isEqualTo(2);
    }

    @Test
    void slowNeverDelaysErrors() {
        String url = start(SimulatorSettings.builder().slowFraction(1.0).slowDelay(Duration.ofSeconds(30))
                .users(1).build());

        assertThat(http.post(url, "/2").statusCode()).isEqualTo(500);

        assertThat(simulator.counters().delayed()).isZero();
    }

    @Test
    void outageAnswersEveryRequestWithInternalError() {
        String url = start(SimulatorSettings.builder().outage().users(3).failRate(0).build());

        for (String path : List.of("/1", "/2", "/999")) {
            HttpResponse<String> response = http.post(url, path);
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).isEqualTo("Internal error");
        }

        assertThat(simulator.counters().outage500()).isEqualTo(3);
        assertThat(simulator.counters().notFound()).isZero();
    }

    @Test
    void closingWithFractionOneClosesEveryConnectionAfterTheAnswer() {
        String url = start(SimulatorSettings.builder().closeFraction(1.0).build());

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = http.post(url, "/1");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("connection")).hasValue("close");
        }

        assertThat(simulator.counters().closed()).isEqualTo(3);
        assertThat(simulator.counters().connections()).isEqualTo(3);
    }

    @Test
    void countersAreServedAsJsonAndAdminRequestsAreNotCounted() {
        String url = start(SimulatorSettings.builder().users(1).build());
        http.post(url, "/1");
        http.post(url, "/2");
        http.post(url, "/x");

        HttpResponse<String> response = http.send(url, "/_sim/counters", "GET");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode json = SimulatorHttp.json(response);
        assertThat(json.propertyNames()).containsExactly("attempts", "ok", "notFound", "transient500", "outage500",
                "rateLimited", "delayed", "closed", "badRequest", "connections");
        assertThat(json.get("attempts").asLong()).isEqualTo(3);
        assertThat(json.get("ok").asLong()).isEqualTo(1);
        assertThat(json.get("notFound").asLong()).isEqualTo(1);
        assertThat(json.get("badRequest").asLong()).isEqualTo(1);
        assertThat(json.get("connections").asLong()).isEqualTo(1);
    }

    @Test
    void resetZeroesTheCounters() {
        String url = start(SimulatorSettings.defaults());
        http.post(url, "/1");

        assertThat(http.send(url, "/_sim/counters/reset", "POST").statusCode()).isEqualTo(204);

        assertThat(simulator.counters()).isEqualTo(new SimulatorCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        http.post(url, "/1");
        simulator.resetCounters();
        assertThat(simulator.counters().attempts()).isZero();
    }

    @Test
    void putScenarioSwitchesTheBehaviourAtRuntime() {
        String url = start(SimulatorSettings.builder().users(5).build());
        assertThat(http.post(url, "/1").statusCode()).isEqualTo(200);

        HttpResponse<String> switched = http.send(url, "/_sim/scenario?scenario=flaky&fail-rate=1.0", "PUT");

        assertThat(switched.statusCode()).isEqualTo(200);
        assertThat(switched.body()).contains("--scenario=flaky", "--fail-rate=1.0", "--users=5");
        assertThat(http.post(url, "/1").body()).isEqualTo("Internal error");
        assertThat(simulator.settings().failRate()).isEqualTo(1.0);
        assertThat(http.send(url, "/_sim/scenario", "GET").body()).isEqualTo(switched.body());

        assertThat(http.send(url, "/_sim/scenario?scenario=healthy", "PUT").statusCode()).isEqualTo(200);
        assertThat(http.post(url, "/1").statusCode()).isEqualTo(200);
        assertThat(simulator.counters().attempts()).isEqualTo(3);
    }

    @Test
    void putScenarioRejectsBadParametersAndKeepsTheBehaviour() {
        String url = start(SimulatorSettings.defaults());

        HttpResponse<String> bad = http.send(url, "/_sim/scenario?scenario=flaky&fail-rate=2", "PUT");
        HttpResponse<String> topology = http.send(url, "/_sim/scenario?instances=3", "PUT");
        HttpResponse<String> noAddressToKill = http.send(url, "/_sim/scenario?scenario=bad-instances", "PUT");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("failRate must be in [0, 1]");
        assertThat(topology.statusCode()).isEqualTo(400);
        assertThat(topology.body()).contains("instances is fixed");
        assertThat(noAddressToKill.statusCode()).isEqualTo(400);
        assertThat(noAddressToKill.body()).contains("--switchable-instances=K");
        assertThat(simulator.settings()).isEqualTo(SimulatorSettings.defaults());
    }

    @Test
    void unknownAdminPathsAnswer404() {
        String url = start(SimulatorSettings.defaults());

        assertThat(http.send(url, "/_sim/nothing", "GET").statusCode()).isEqualTo(404);
        assertThat(simulator.counters().attempts()).isZero();
    }

    @Test
    void embeddedSwitchRejectsOtherTopology() {
        start(SimulatorSettings.defaults());

        assertThatIllegalArgumentException()
                .isThrownBy(() -> simulator.settings(SimulatorSettings.builder().instances(2).build()));
        simulator.settings(SimulatorSettings.builder().outage().build());
        assertThat(http.post(simulator.baseUrls().get(0), "/1").statusCode()).isEqualTo(500);
    }

    @Test
    void closeReleasesThePortsAndCanBeCalledTwice() {
        String url = start(SimulatorSettings.defaults());

        simulator.close();
        simulator.close();

        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> http.post(url, "/1")))
                .isInstanceOf(java.io.UncheckedIOException.class);
    }
}
