package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written user body reads back, through a real JSON parser, as exactly the id and name. */
class UserJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest
    @ValueSource(strings = {"John", "Zoë \"Q\" O'Brien", "back\\slash", "tab\tnew\nline\u0000nul\u001f",
            "</script><script>alert(1)</script>", "名前 😀 \uD83D\uDE00", "\u2028\u2029", ""})
    void readsBackAsTheSameIdAndName(String name) {
        byte[] json = UserHandler.userJson(9007199254740993L, name);
        JsonNode node = JSON.readTree(json);
        assertThat(node.size()).isEqualTo(2);
        assertThat(node.get("id").asLong()).isEqualTo(9007199254740993L);
        assertThat(node.get("name").asString()).isEqualTo(name);
        assertThat(new String(json, StandardCharsets.UTF_8)).startsWith("{\"id\":9007199254740993,\"name\":\"");
    }
}
