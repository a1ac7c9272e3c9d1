package dev.namegate.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    // CRC-32 values computed outside Java (Python zlib.crc32) and converted to base62 by hand.
    // "123456789" is the CRC-32/IEEE check string: 0xCBF43926 = 3421780262
    //   = 3*62^5 + 45*62^4 + 35*62^3 + 27*62^2 + 22*62 + 14 -> "3" "j" "Z" "R" "M" "E".
    private static final String BODY = "abcdefghijABCDEFGHIJ0123456789"; // CRC-32 0x77D0780F = 2010150927
    private static final String BODY_CHECKSUM = "2C2O59";

    @RepeatedTest(20)
    void mintedKeysHavePrefixLengthAlphabetAndValidChecksum() {
        String key = ApiKey.mint(RANDOM);

        assertThat(key).hasSize(39).startsWith("ng_").matches("ng_[0-9A-Za-z]{36}");
        assertThat(ApiKey.hasValidShape(key)).isTrue();
    }

    @Test
    void mintedKeysDiffer() {
        assertThat(ApiKey.mint(RANDOM)).isNotEqualTo(ApiKey.mint(RANDOM));
    }

    @Test
    void checksumOfTheCrcCheckStringIsItsBase62() {
        assertThat(3 * pow62(5) + 45 * pow62(4) + 35 * pow62(3) + 27 * pow62(2) + 22 * 62 + 14)
                .isEqualTo(0xCBF43926L);
        assertThat(ApiKey.checksum("123456789")).isEqualTo("3jZRME");
    }

    @Test
    void checksumMatchesIndependentlyComputedExample() {
        assertThat(ApiKey.checksum(BODY)).isEqualTo(BODY_CHECKSUM);
        assertThat(ApiKey.hasValidShape("ng_" + BODY + BODY_CHECKSUM)).isTrue();
    }

    @Test
    void smallChecksumsAreLeftPaddedWithZeros() {
        // Every checksum is exactly 6 characters even when the CRC is small.
        assertThat(ApiKey.checksum("")).isEqualTo("000000");
    }

    @Test
    void keyWithAnyOneCharacterChangedFailsTheChecksum() {
        String key = ApiKey.mint(RANDOM);
        for (int i = 3; i < key.length(); i++) {
            char original = key.charAt(i);
            char replacement = original == 'a' ? 'b' : 'a';
            String changed = key.substring(0, i) + replacement + key.substring(i + 1);
            assertThat(ApiKey.hasValidShape(changed)).as("changed at %d", i).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "ng_",
            "xx_abcdefghijABCDEFGHIJ01234567892C2O59", // wrong prefix
            "NG_abcdefghijABCDEFGHIJ01234567892C2O59", // prefix is case-sensitive
            "ng_abcdefghijABCDEFGHIJ01234567892C2O5", // one short
            "ng_abcdefghijABCDEFGHIJ01234567892C2O590", // one long
            "ng_abcdefghij-BCDEFGHIJ01234567892C2O59", // outside base62
            "ng_abcdefghijABCDEFGHIJ01234567892C2O5=", // outside base62 in the checksum
            "ng_abcdefghij\u00c9BCDEFGHIJ01234567892C2O59", // beyond ASCII
            "ng_abcdefghijABCDEFGHIJ01234567892C2O5\u0669", // a digit, but not a base62 one
            "ng_abcdefghijABCDEFGHIJ0123456789zzzzzz", // a checksum beyond 32 bits
            " ng_abcdefghijABCDEFGHIJ01234567892C2O5" })
    void wrongPrefixLengthOrAlphabetIsRejected(String candidate) {
        assertThat(ApiKey.hasValidShape(candidate)).isFalse();
    }

    @Test
    void nullIsRejected() {
        assertThat(ApiKey.hasValidShape(null)).isFalse();
    }

    @Test
    void sha256HexIsLowerCaseHexOfTheWholeKey() {
        // FIPS 180-2 test vector for "abc".
        assertThat(ApiKey.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String key = ApiKey.mint(RANDOM);
        assertThat(ApiKey.sha256Hex(key)).isNotEqualTo(ApiKey.sha256Hex(key.substring(3)));
    }

    private static long pow62(int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= 62;
        }
        return result;
    }

    @Test
    void aKeyIsFoundAnywhereInATextButAMistypedOneIsNot() {
        String key = ApiKey.mint(new SecureRandom());
        assertThat(ApiKey.appearsIn(key)).isTrue();
        assertThat(ApiKey.appearsIn("Bearer " + key + "&more")).isTrue();
        assertThat(ApiKey.appearsIn("ng_ng_" + key)).isTrue();
        assertThat(ApiKey.appearsIn(key.substring(0, ApiKey.LENGTH - 1))).isFalse();
        assertThat(ApiKey.appearsIn(key.substring(0, ApiKey.LENGTH - 1) + (key.endsWith("0") ? "1" : "0"))).isFalse();
        assertThat(ApiKey.appearsIn("")).isFalse();
    }
}
