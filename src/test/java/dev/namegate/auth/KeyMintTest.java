package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.namegate.apikey.ApiKey;

class KeyMintTest {

    private static final Pattern OUTPUT = Pattern.compile(
            "key \\(shown once, store it now\\): (ng_\\w{36})\\R"
                    + "add to the keys file: +(alice [0-9a-f]{64})\\R");

    @Test
    void printsTheKeyOnceAndAKeysFileLineThatAcceptsIt() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();

        int status = KeyMint.run(new String[] { "alice" }, print(out), print(err));

        assertThat(status).isZero();
        assertThat(err.size()).isZero();
        Matcher printed = OUTPUT.matcher(out.toString(StandardCharsets.UTF_8));
        assertThat(printed.matches()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
        String key = printed.group(1);
        assertThat(ApiKey.hasValidShape(key)).isTrue();
        KeyTable table = KeyTable.parse("minted", List.of(printed.group(2)));
        assertThat(table.clientFor(ApiKey.sha256Hex(key))).map(Client::id).contains(new ClientId("alice"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "al ice", "alice;rm", "ümlaut" })
    void refusesABadClientIdWithUsage(String clientId) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();

        int status = KeyMint.run(new String[] { clientId }, print(out), print(err));

        assertThat(status).isEqualTo(2);
        assertThat(out.size()).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: KeyMint <client-id>");
    }

    @Test
    void refusesMissingOrExtraArguments() {
        var sink = new ByteArrayOutputStream();
        assertThat(KeyMint.run(new String[0], print(sink), print(sink))).isEqualTo(2);
        assertThat(KeyMint.run(new String[] { "a", "b" }, print(sink), print(sink))).isEqualTo(2);
    }

    @Test
    void mintedKeyHidesTheKeyInToString() {
        KeyMint.MintedKey minted = KeyMint.mint("demo", new SecureRandom());

        assertThat(minted.toString()).doesNotContain(minted.key()).doesNotContain(minted.sha256Hex());
        assertThat(minted.keysFileLine()).isEqualTo("demo " + ApiKey.sha256Hex(minted.key()));
    }

    @Test
    void mintRefusesABadClientId() {
        assertThatThrownBy(() -> KeyMint.mint("no spaces", new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static PrintStream print(ByteArrayOutputStream sink) {
        return new PrintStream(sink, true, StandardCharsets.UTF_8);
    }
}
