package dev.namegate.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
