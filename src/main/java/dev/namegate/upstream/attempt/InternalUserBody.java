package dev.namegate.upstream.attempt;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The name in the body of a 200 from the internal service, {@code {"name": "..."}}, read with
 * Jackson's streaming parser: data binding to a record cost several times as much on every lookup.
 * Other members are skipped, whatever they hold; the last {@code name} wins, as with data binding.
 */
public final class InternalUserBody {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** @throws AttemptFailure ({@link AttemptOutcome#MALFORMED}) without a JSON object or a non-empty name */
    public static String name(byte[] body) {
        String name = null;
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw AttemptFailure.of(AttemptOutcome.MALFORMED, "200 without a JSON object");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token == null) {
                    throw AttemptFailure.of(AttemptOutcome.MALFORMED, "200 without a JSON object");
                }
                boolean isName = "name".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (isName && value != null && value.isScalarValue()) {
                    name = value == JsonToken.VALUE_NULL ? null : parser.getString();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JacksonException notJson) {
            throw AttemptFailure.of(AttemptOutcome.MALFORMED, "200 without a JSON object");
        }
        if (name == null || name.isEmpty()) {
            throw AttemptFailure.of(AttemptOutcome.MALFORMED, "200 without a name");
        }
        return name;
    }

    private InternalUserBody() {
    }
}
