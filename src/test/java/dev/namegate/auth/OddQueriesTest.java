package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;

import dev.namegate.testing.LogCapture;
import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.RawHttp;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;
import dev.namegate.apikey.ApiKey;

/**
 * Whatever a query string holds, the real server answers it: a defined status, a problem where
 * it is an error, no WARN or ERROR line, and no credential in any log line, DEBUG included.
 * Queries come from a fixed list of known-odd ones plus seeded random combinations of names,
 * separators and values ({@code =} in values, {@code &&}, empty names, {@code %} sequences valid
 * and not, encoded names, {@code +}, non-ASCII raw and encoded, values near the 4 KB request-line
 * limit, {@code ;}); each is sent byte for byte over a raw socket, and the expected answer comes
 * from an oracle written here, independently of the code under test.
 */
@ServerTest
@TestPropertySource(properties = ServerTest.REQUEST_PATH_ONLY)
class OddQueriesTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> CREDENTIAL_NAMES =
            Set.of("p", "password", "key", "api_key", "apikey", "token", "access_token");
    private static final Pattern KEY_SHAPE = Pattern.compile("ng_[0-9A-Za-z]{36}");
    /** A key of the right shape that is nobody's: a leak all the same. */
    private static final String LEAKED_KEY = KeyMint.mint("leaked", RANDOM).key();

    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.shared(request -> MockUpstream.name("John"));

    @LocalServerPort
    int port;

    /** Every logger, DEBUG and up. */
    private final LogCapture logged = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @AfterEach
    void restore() {
        logged.close();
    }

    /** Where a request goes and with what: decides the answer when the query is harmless. */
    enum Target {
        USER_WITH_KEY("/users/1", 200), USER_WITHOUT_KEY("/users/1", 401), NO_SUCH_PATH("/nothing-here", 404),
        /** Always a leak, whatever the query. */
        KEY_IN_PATH("/users/1/" + LEAKED_KEY, 400);

        final String path;
        final int harmlessStatus;

        Target(String path, int harmlessStatus) {
            this.path = path;
            this.harmlessStatus = harmlessStatus;
        }
    }

    static Stream<Arguments> oddQueries() {
        List<Arguments> cases = new ArrayList<>();
        // the issue's own report, then one of each kind the issue names
        for (String query : List.of("token=sekret0&q=a=b", "q=a=b", "password=sekret1&&x=1", "&&", "&", "=",
                "=harmless", "=token=sekret3", "==token=sekret4", "q=%", "q=%4", "q=%zz", "q=%00", "token=%00sekret5",
                "%70assword=sekret6", "pass%77ord=sekret7", "%74oken=sekret8", "q=a+b", "api%5Fkey=sekret9",
                "q=%C3%A9", "q=%C3", "q=é", "token=é-sekret10", "q=" + "v".repeat(3_900),
                "token=sekret11" + "v".repeat(3_880), "q=1;token=sekret12", ";key=sekret13", "q=" + LEAKED_KEY,
                "x-api-key=" + LEAKED_KEY, LEAKED_KEY + "=1", "q=Bearer%20" + LEAKED_KEY, "q=" + LEAKED_KEY.replace("_", "%5F"))) {
            for (Target target : Target.values()) {
                cases.add(Arguments.of(target, query));
            }
        }
        Random random = new Random(14);
        for (int i = 0; i < 150; i++) {
            cases.add(Arguments.of(Target.values()[random.nextInt(Target.values().length)], generated(random, 100 + i)));
        }
        return cases.stream();
    }

    private static final String[] NAMES = { "q", "id", "", "token", "Token", "TOKEN", "%74oken", "pass%77ord", "p",
        "api_key", "apikey", "x-api-key", "access_token", "keyword", "%C3%A9", "é", "a+b", "%00", "%", "%zz", "k%65y" };
    private static final String[] VALUES = { "1", "a=b", "", "%", "%4", "%zz", "%00", "%C3%A9", "%C3", "é", "+", "a+b",
        "%2B", "==", "x;y" };
    private static final String[] SEPARATORS = { "&", "&&", ";", "&;" };

    /**
     * One to four parts, each a name, maybe a value; credential-named values are secrets to look
     * for. Short enough for the 4 KB request line: a longer one gets a 414 from Netty itself.
     */
    private static String generated(Random random, int n) {
        String query;
        do {
            query = parts(random, n);
        } while (query.length() > 3_900);
        return query;
    }

    private static String parts(Random random, int n) {
        StringBuilder query = new StringBuilder();
        int parts = 1 + random.nextInt(4);
        for (int p = 0; p < parts; p++) {
            if (p > 0) {
                query.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
            }
            String name = NAMES[random.nextInt(NAMES.length)];
            String value = switch (random.nextInt(8)) {
                case 0 -> LEAKED_KEY;
                case 1 -> "v".repeat(1_000 + random.nextInt(800));
                default -> VALUES[random.nextInt(VALUES.length)];
            };
            if (isCredentialName(name)) {
                value = "sekret" + n + value;
            }
            switch (random.nextInt(4)) {
                case 0 -> query.append(name);
                case 1 -> query.append('=').append(name).append('=').append(value);
                default -> query.append(name).append('=').append(value);
            }
        }
        return query.toString();
    }

    @ParameterizedTest
    @MethodSource("oddQueries")
    void everyQueryGetsADefinedAnswerAndNoLogLineCarriesItsCredentials(Target target, String query) {
        String path = target.path + "?" + query;
        RawHttp.Response answer = target == Target.USER_WITHOUT_KEY
                ? RawHttp.get(port, path)
                : RawHttp.get(port, path, "Authorization: " + TestKeys.bearer());

        if (!parsesAsJavaUri(path)) {
            // Spring's adapter refuses a target java.net.URI cannot parse (a '%' without two hex
            // digits, ...) with a bare 400 before any of our code runs (README "Errors").
            assertThat(answer.status()).as("status").isEqualTo(400);
        } else if (leaksCredentials(path)) {
            assertThat(answer.status()).as("status").isEqualTo(400);
            assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
            assertThat(answer.bodyText()).contains("\"type\":\"https://namegate.dev/problems/credentials-in-query\"");
        } else {
            assertThat(answer.status()).as("status").isEqualTo(target.harmlessStatus);
            if (target.harmlessStatus == 200) {
                assertThat(answer.bodyText()).isEqualTo("{\"id\":1,\"name\":\"John\"}");
            } else {
                assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
            }
        }

        // the fake internal service's own complaints are not the service's
        List<ILoggingEvent> events = logged.events().stream()
                .filter(e -> !e.getLoggerName().startsWith("mockwebserver3")).toList();
        assertThat(events).as("WARN and ERROR lines")
                .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                .isEmpty();
        List<String> secrets = secretsIn(query);
        for (ILoggingEvent event : events) {
            String text = event.getLoggerName() + " " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage());
            for (String secret : secrets) {
                assertThat(text).as("a log line").doesNotContain(secret);
            }
            assertThat(event.getThrowableProxy()).as("a stack trace in %s", event.getLoggerName()).isNull();
        }
    }

    // ---- the oracle --------------------------------------------------------------------------

    /** What Spring does with the request target: java.net.URI over the bytes read as ISO-8859-1 (Netty's decoding). */
    private static boolean parsesAsJavaUri(String path) {
        String asNettyReadsIt = new String(path.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        try {
            new URI("http://127.0.0.1" + asNettyReadsIt);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /**
     * A part (between {@code &} or {@code ;}) whose name, the first non-empty text between
     * {@code =}s, decodes to a credential name; or anything of the key's shape anywhere.
     */
    private static boolean leaksCredentials(String path) {
        String query = path.substring(path.indexOf('?') + 1);
        for (String part : query.split("[&;]")) {
            for (String piece : part.split("=")) {
                if (!piece.isEmpty()) {
                    if (isCredentialName(decode(piece))) {
                        return true;
                    }
                    break;
                }
            }
        }
        return hasKeyShape(decode(path)) || hasKeyShape(path);
    }

    private static boolean isCredentialName(String name) {
        return CREDENTIAL_NAMES.contains(decode(name).toLowerCase(Locale.ROOT));
    }

    private static boolean hasKeyShape(String text) {
        var matcher = KEY_SHAPE.matcher(text);
        while (matcher.find()) {
            if (ApiKey.hasValidShape(matcher.group())) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }

    /** The secret values the generator placed, and any key. */
    private static List<String> secretsIn(String query) {
        List<String> secrets = new ArrayList<>();
        var matcher = Pattern.compile("sekret[0-9]+").matcher(query);
        while (matcher.find()) {
            secrets.add(matcher.group());
        }
        secrets.add(LEAKED_KEY.substring(3, 20));
        secrets.add(TestKeys.CLIENT.key().substring(3, 20));
        return secrets;
    }
}
