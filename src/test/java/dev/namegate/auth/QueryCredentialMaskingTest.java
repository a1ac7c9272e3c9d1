package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import dev.namegate.apikey.ApiKey;

class QueryCredentialMaskingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "null                       | null",
            "u=1&pretty                 | null",
            "password=x                 | password=***",
            "u=1&Token=abc&v=2          | u=1&Token=***&v=2",
            "%70assword=secret          | %70assword=***",
            "api_key                    | api_key=***",
            "key=a&key=b                | key=***&key=***",
            "keyword=secret             | null",
            "token=x&q=a=b              | token=***&q=a=b",
            "q=a=b                      | null",
            "=token=x                   | =token=***",
            "==token                    | ==token=***",
            "q=1;Token=x                | q=1;Token=***",
            "&&password=x&&             | &&password=***&&",
            "q=%zz&p=x%4                | q=%zz&p=***",
            "%=1&&=                     | null" })
    void credentialValuesAreMaskedAndEverythingElseKept(String rawQuery, String expected) {
        assertThat(QueryCredentialMasking.maskedQuery(rawQuery)).isEqualTo(expected);
    }

    @Test
    void aCleanQueryAndPathAreScannedWithoutAllocating() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        QueryCredentialMasking.maskedQuery("lang=en"); // class initialisation (a logger, the names) allocates once
        threads.getThreadAllocatedBytes(thread);
        long before = threads.getThreadAllocatedBytes(thread);
        int found = 0;
        for (int i = 0; i < 100_000; i++) {
            found += QueryCredentialMasking.maskedQuery("lang=en&page=2;sort=name&keyword=ng") == null ? 0 : 1;
            found += QueryCredentialMasking.maskedPath("/users/123456") == null ? 0 : 1;
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(found).isZero();
        // a copy of the query or one of its parts per call would be megabytes
        assertThat(allocated).as("bytes allocated by 200,000 scans").isLessThan(64 * 1024);
    }

    @Test
    void partsAndSegmentsHoldingAKeyAreMaskedWholeWhateverTheirName() {
        String key = ApiKey.mint(new SecureRandom());
        assertThat(QueryCredentialMasking.maskedQuery("q=1&x-api-key=" + key)).isEqualTo("q=1&***");
        assertThat(QueryCredentialMasking.maskedQuery(key + "=1;q=2")).isEqualTo("***;q=2");
        assertThat(QueryCredentialMasking.maskedQuery("q=" + key.replace("_", "%5F"))).isEqualTo("***");
        assertThat(QueryCredentialMasking.maskedPath("/users/" + key)).isEqualTo("/users/***");
        assertThat(QueryCredentialMasking.maskedPath("/users/1;k=" + key + "/x")).isEqualTo("/users/***/x");
        assertThat(QueryCredentialMasking.maskedPath("/users/1")).isNull();
    }
}
