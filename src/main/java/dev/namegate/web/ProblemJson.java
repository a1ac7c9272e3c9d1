package dev.namegate.web;

import java.util.Map;

import org.springframework.http.ProblemDetail;

import tools.jackson.databind.json.JsonMapper;

/** Serializes a problem outside the codec chain (filters that answer before routing). */
final class ProblemJson {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private ProblemJson() {
    }

    static byte[] encode(ProblemDetail problem) {
        var fields = new java.util.LinkedHashMap<String, Object>();
        fields.put("type", problem.getType().toString());
        fields.put("title", problem.getTitle());
        fields.put("status", problem.getStatus());
        fields.put("detail", problem.getDetail());
        Map<String, Object> properties = problem.getProperties();
        if (properties != null) {
            fields.putAll(properties);
        }
        return MAPPER.writeValueAsBytes(fields);
    }
}
