package dev.namegate.upstream.attempt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InternalUserBodyTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"name":"John"}                                             | John
            { "id": 7, "name" : "Zoë \\"Q\\" \\\\ 李 🚀", "tags": [1, {"name": "x"}] } | Zoë "Q" \\ 李 🚀
            {"profile":{"name":"nested"},"name":"outer"}                | outer
            {"name":"first","name":"last"}                              | last
            {"name":42}                                                 | 42
            """)
    void theTopLevelNameIsReadWhateverElseTheObjectHolds(String body, String name) {
        assertThat(InternalUserBody.name(utf8(body))).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"name\":null}", "{\"name\":\"\"}", "{\"profile\":{\"name\":\"nested\"}}",
            "{\"name\":{\"first\":\"J\"}}", "{\"name\":[\"J\"]}"})
    void anObjectWithoutANonEmptyNameIsMalformed(String body) {
        assertThatThrownBy(() -> InternalUserBody.name(utf8(body)))
                .isInstanceOfSatisfying(AttemptFailure.class, f -> {
                    assertThat(f.outcome()).isEqualTo(AttemptOutcome.MALFORMED);
                    assertThat(f.reason()).isEqualTo("200 without a name");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"John", "\"John\"", "[{\"name\":\"John\"}]", "null", "", "{\"name\":\"John\"", "{\"name\" \"John\"}"})
    void anythingButAJsonObjectIsMalformed(String body) {
        assertThatThrownBy(() -> InternalUserBody.name(utf8(body)))
                .isInstanceOfSatisfying(AttemptFailure.class, f -> {
                    assertThat(f.outcome()).isEqualTo(AttemptOutcome.MALFORMED);
                    assertThat(f.reason()).isEqualTo("200 without a JSON object");
                });
    }
}
