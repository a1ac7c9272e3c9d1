package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyTableTest {

    private static final String H1 = "a".repeat(64);
    private static final String H2 = "b".repeat(63) + "1";
    private static final String H3 = "c".repeat(64);

    @Test
    void validFileWithCommentsBlankLinesAttributesUpperCaseHexAndAClientOnTwoLines() {
        KeyTable table = KeyTable.parse("/x/keys", List.of(
                "# namegate keys",
                "",
                "   ",
                "alice " + H1 + " rate=2.5 burst=10 ids-per-day=1000  # rotated 2026-01",
                "alice\t" + H2.toUpperCase(Locale.ROOT) + " rate=2.5 burst=10 ids-per-day=1000",
                "  # indented comment",
                "svc.backend-1_a " + H3));

        assertThat(table.size()).isEqualTo(3);
        assertThat(table.clientCount()).isEqualTo(2);
        Client alice = table.clientFor(H1).orElseThrow();
        assertThat(alice.id()).isEqualTo(new ClientId("alice"));
        assertThat(alice.limits()).isEqualTo(
                new ClientLimits(OptionalDouble.of(2.5), OptionalInt.of(10), OptionalInt.of(1000)));
        assertThat(table.clientFor(H2).orElseThrow().id().value()).isEqualTo("alice");
        assertThat(table.clientFor(H2.toUpperCase(Locale.ROOT))).isPresent();
        assertThat(table.clientFor(H3).orElseThrow().limits()).isEqualTo(ClientLimits.DEFAULTS);
        assertThat(table.clientFor("d".repeat(64))).isEmpty();
    }

    @Test
    void toStringShowsCountsNeverHashes() {
        KeyTable table = KeyTable.parse("/x/keys", List.of("alice " + H1));

        assertThat(table.toString()).doesNotContain(H1).contains("keys=1");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "al ice " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | bad SHA-256 hex",
            "al!ce aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | bad client id",
            "alice                                                                   | missing SHA-256",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  | bad SHA-256 hex",
            "alice gaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | bad SHA-256 hex",
            "alice ng_abcdefghijABCDEFGHIJ01234567892C2O59                         | bad SHA-256 hex",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa#x | bad SHA-256 hex",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rate | bad attribute",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa =5 | bad attribute",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rate=0 | rate must be a positive number",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rate=-1 | rate must be a positive number",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rate=NaN | rate must be a positive number",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa burst=1.5 | burst must be a positive integer",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa burst=0 | burst must be a positive integer",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ids-per-day=x | ids-per-day must be a positive integer",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ids-per-day=1000001 | ids-per-day must be at most 1000000",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ids-per-day=999999999 | ids-per-day must be at most 1000000",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa burst=1 burst=2 | given twice",
            "alice aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa colour=red | unknown attribute" })
    void badLineIsReportedWithItsNumberAndWithoutItsContent(String badLine, String problem) {
        List<String> lines = List.of("# keys", "bob " + H3, badLine);

        assertThatThrownBy(() -> KeyTable.parse("/x/keys", lines))
                .isInstanceOf(KeyFileException.class)
                .hasMessageStartingWith("keys file /x/keys line 3: ")
                .hasMessageContaining(problem)
                .hasMessageNotContaining("aaaaaaaa")
                .hasMessageNotContaining("ng_")
                .hasMessageNotContaining("colour")
                .satisfies(e -> assertThat(((KeyFileException) e).line()).isEqualTo(3));
    }

    @Test
    void unknownAttributeIsAnError() {
        assertThatThrownBy(() -> KeyTable.parse("/x/keys", List.of("alice " + H1 + " rate=1 limit=5")))
                .isInstanceOf(KeyFileException.class)
                .hasMessage("keys file /x/keys line 1: unknown attribute 2 (known: rate, burst, ids-per-day)");
    }

    @Test
    void sameHashTwiceIsAnError() {
        assertThatThrownBy(() -> KeyTable.parse("/x/keys", List.of("alice " + H1, "", "bob " + H1.toUpperCase(Locale.ROOT))))
                .hasMessage("keys file /x/keys line 3: same key hash as line 1");
    }

    @Test
    void clientOnTwoLinesWithDifferentAttributesIsAnError() {
        assertThatThrownBy(() -> KeyTable.parse("/x/keys", List.of("alice " + H1 + " rate=1", "alice " + H2 + " rate=2")))
                .hasMessage("keys file /x/keys line 2: attributes for client alice differ from line 1");
    }

    @Test
    void tooLongClientIdIsAnError() {
        assertThatThrownBy(() -> KeyTable.parse("/x/keys", List.of("a".repeat(65) + " " + H1)))
                .hasMessageStartingWith("keys file /x/keys line 1: bad client id");
    }

    @Test
    void addedAndRemovedCountKeysNotClients() {
        KeyTable before = KeyTable.parse("f", List.of("alice " + H1, "bob " + H3));
        KeyTable after = KeyTable.parse("f", List.of("alice " + H1, "alice " + H2));

        assertThat(after.addedSince(before)).isEqualTo(1);
        assertThat(after.removedSince(before)).isEqualTo(1);
        assertThat(after.addedSince(after)).isZero();
    }
}
