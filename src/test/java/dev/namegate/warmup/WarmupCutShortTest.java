package dev.namegate.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;

/**
 * A warm-up that runs out of time still ends, and says it was cut short and where: an operator
 * reading "done" with every count it was asked for could not tell that the drills it never
 * reached will be compiled under the first real load.
 */
@ExtendWith(OutputCaptureExtension.class)
@ServerTest
@TestPropertySource(properties = {
        "namegate.cache.enabled=false",
        // paced at one a second, its lookups alone would take 100 s
        "namegate.warmup.lookups=100",
        "namegate.warmup.rate=1",
        "namegate.warmup.timeout=2s",
})
class WarmupCutShortTest {

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    @Autowired
    Warmup warmup;

    @Test
    void aWarmUpStillInItsLookupsAtItsTimeoutIsCutShortAndSaysWhere(CapturedOutput output) {
        WebTestClient client = OpenApiContract.client(port);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                client.get().uri("/readyz").exchange().expectBody().returnResult().getStatus().value() == 200);

        assertThat(warmup.isDone()).isTrue();
        assertThat(output.getOut()).contains("warm-up cut short by its timeout (2000 ms) in the lookups: ready")
                .doesNotContain("warm-up done in");
    }
}
