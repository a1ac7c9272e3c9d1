package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.LongFunction;

import org.junit.jupiter.api.Test;

class ResponseChecksTest {

    private static final LongFunction<String> NAMES = id -> id == 7 ? "Zoë \"Q\" \\back" : "User" + id;
    private static final ResponseCheck PUBLIC_API = ResponseChecks.publicApi(10, NAMES);
    private static final ResponseCheck INTERNAL = ResponseChecks.internalApi(10, NAMES);

    @Test
    void aKnownIdWithItsExactNameIsCorrectEvenWithEscapesAndNonAscii() {
        assertThat(PUBLIC_API.check(7, 200, "application/json", bytes("{\"id\":7,\"name\":\"Zo\\u00eb \\\"Q\\\" \\\\back\"}")))
                .isEqualTo(Outcome.CORRECT);
        assertThat(PUBLIC_API.check(7, 200, "application/json", bytes("{\"id\":7,\"name\":\"Zoë \\\"Q\\\" \\\\back\"}")))
                .isEqualTo(Outcome.CORRECT);
    }

    @Test
    void aWrongNameIdStatusOrBodyIsWrong() {
        assertThat(PUBLIC_API.check(1, 200, "application/json", bytes("{\"id\":1,\"name\":\"User2\"}"))).isEqualTo(Outcome.WRONG);
        assertThat(PUBLIC_API.check(1, 200, "application/json", bytes("{\"id\":2,\"name\":\"User1\"}"))).isEqualTo(Outcome.WRONG);
        assertThat(PUBLIC_API.check(1, 502, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.WRONG);
        assertThat(PUBLIC_API.check(1, 200, "text/plain", bytes("User1"))).isEqualTo(Outcome.WRONG);
        assertThat(PUBLIC_API.check(1, 200, "application/json", new byte[0])).isEqualTo(Outcome.WRONG);
    }

    @Test
    void anUnknownIdMustBeANotFoundProblem() {
        assertThat(PUBLIC_API.check(11, 404, "application/problem+json;charset=UTF-8", bytes("{}"))).isEqualTo(Outcome.CORRECT);
        assertThat(PUBLIC_API.check(11, 404, "application/json", bytes("{}"))).isEqualTo(Outcome.WRONG);
        assertThat(PUBLIC_API.check(11, 502, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.WRONG);
    }

    @Test
    void theInternalContractAnswersUnknownIdsWithA500UserNotExists() {
        assertThat(INTERNAL.check(3, 200, "application/json", bytes("{\"name\":\"User3\"}"))).isEqualTo(Outcome.CORRECT);
        assertThat(INTERNAL.check(11, 500, "text/plain", bytes("User not exists."))).isEqualTo(Outcome.CORRECT);
        assertThat(INTERNAL.check(3, 500, "text/plain", bytes("Internal error"))).isEqualTo(Outcome.WRONG);
        assertThat(INTERNAL.check(11, 500, "text/plain", bytes("Internal error"))).isEqualTo(Outcome.WRONG);
    }

    @Test
    void duringAnOutageOnlyAServerProblemIsCorrect() {
        ResponseCheck outage = ResponseChecks.serverProblem(true);
        assertThat(outage.check(1, 503, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.CORRECT);
        assertThat(outage.check(1, 504, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.CORRECT);
        assertThat(outage.check(1, 503, "text/html", bytes("<html>"))).isEqualTo(Outcome.WRONG);
        assertThat(outage.check(1, 404, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.WRONG);
        assertThat(outage.check(1, 200, "application/json", bytes("{\"id\":1,\"name\":\"User1\"}"))).isEqualTo(Outcome.WRONG);
    }

    @Test
    void duringAnOutageTheServiceMayAnswerWithANameItStillHoldsOrElseAServerProblem() {
        ResponseCheck outage = ResponseChecks.outage(10, NAMES);
        assertThat(outage.check(1, 200, "application/json", bytes("{\"id\":1,\"name\":\"User1\"}"))).isEqualTo(Outcome.CORRECT);
        assertThat(outage.check(1, 503, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.CORRECT);
        assertThat(outage.check(1, 200, "application/json", bytes("{\"id\":1,\"name\":\"User2\"}"))).isEqualTo(Outcome.WRONG);
        assertThat(outage.check(1, 404, "application/problem+json", bytes("{}"))).isEqualTo(Outcome.WRONG);
        assertThat(outage.check(1, 503, "text/html", bytes("<html>"))).isEqualTo(Outcome.WRONG);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
