package dev.namegate.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.context.TestPropertySource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.namegate.testing.MockUpstream;
import dev.namegate.testing.OpenApiContract;
import dev.namegate.testing.ServerTest;
import dev.namegate.testing.TestKeys;

/**
 * Every metric the Grafana dashboard and the PrometheusRule of {@code k8s/components/monitoring}
 * read is one a running instance exports: the names are parsed out of their PromQL and looked
 * up in {@code /actuator/prometheus} after requests of every kind (found, unknown, failing, a 429
 * upstream, failed and throttled authentications), so meters registered on first use exist too.
 * Recording rules' names ({@code a:b:c}) must be recorded by the rules themselves.
 */
@ServerTest
@TestPropertySource(properties = {
        "namegate.overload.enabled=true",
        // the throttle after two failed keys, so a third is a 429 throttle
        "namegate.limits.brute-force.max-failures=2",
        // on, with a threshold no test machine reaches: its meters exist, nothing is shed
        "namegate.overload.lag-threshold=5s", "namegate.overload.shed-lag-threshold=5s", "namegate.overload.hold=5s",
        "namegate.upstream.response-timeout=1s",
        "namegate.upstream.attempt-timeout=1500ms",
        "namegate.upstream.deadline=5s",
})
class MonitoringMetricsTest {

    /** 1 is John, 999 does not exist, 429 is refused, anything else fails. */
    @RegisterExtension
    static final MockUpstream upstream = MockUpstream.answering(request -> switch (request.getTarget()) {
        case "/1" -> MockUpstream.name("John");
        case "/999" -> MockUpstream.status(500, "User not exists.");
        case "/429" -> MockUpstream.status(429, "");
        default -> MockUpstream.status(500, "Internal error");
    });

    /** A metric or recording rule name: a PromQL identifier that is no function, keyword or number part. */
    private static final Pattern NAME = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\\w:])(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    @LocalServerPort
    int port;

    @Value("${local.management.port}")
    int managementPort;

    @Test
    void everyMetricTheDashboardAndTheRulesReadIsExportedByARunningInstance() throws IOException {
        WebTestClient api = OpenApiContract.client(port);
        for (String id : List.of("1", "1", "999", "429", "500")) {
            api.get().uri("/users/" + id).header("Authorization", TestKeys.bearer()).exchange().expectBody().returnResult();
        }
        String unknownKey = "Bearer ng_" + "A".repeat(36);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(api.get().uri("/users/1").header("Authorization", unknownKey).exchange()
                    .expectBody().returnResult().getStatus().value());
        }
        assertThat(statuses).containsExactly(401, 401, 429);

        String scrape = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Set<String> exported = scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
        assertThat(scrape).as("the throttled key's 429, told apart from the rate and quota ones")
                .contains("namegate_limits_refused_total{reason=\"throttle\"} 1.0")
                .contains("namegate_limits_refused_total{reason=\"rate\"} 0.0");

        Set<String> recorded = new TreeSet<>();
        List<String> expressions = new ArrayList<>();
        rules().forEach(rule -> {
            expressions.add(String.valueOf(rule.get("expr")));
            if (rule.get("record") instanceof String name) {
                recorded.add(name);
            }
        });
        expressions.addAll(dashboardExpressions());

        Set<String> referenced = expressions.stream().flatMap(e -> metricNames(e).stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(referenced).as("the parser finds the names the SLO and the guards rest on")
                .contains("http_server_requests_seconds_bucket", "http_server_requests_seconds_count",
                        "namegate_upstream_attempts_total", "namegate_upstream_breaker_state",
                        "namegate_upstream_attempt_duration_seconds_bucket", "namegate_limits_refused_total",
                        "namegate:slo_errors:ratio_rate5m");
        assertThat(referenced.stream().filter(n -> !n.contains(":"))).as("exported by /actuator/prometheus")
                .allMatch(exported::contains, "exported");
        assertThat(referenced.stream().filter(n -> n.contains(":"))).as("recorded by the PrometheusRule")
                .allMatch(recorded::contains, "recorded");
    }

    @Test
    void theNamesOfAnExpressionAreItsSeriesNotItsFunctionsLabelsNumbersOrVariables() {
        assertThat(metricNames("""
                histogram_quantile(0.99, sum by (le, outcome) (rate(a_seconds_bucket{job="x", uri="/users/{id}"}[$__rate_interval])))
                / scalar(sum(rate(b_total{le="0.1", status!~"5.."}[5m]))) > (14.4 * 1e-3) and on (pod) c:d:e_rate5m offset 1h
                or label_values(f_count{namespace="$namespace"}, namespace)"""))
                .containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c:d:e_rate5m", "f_count");
    }

    /** The metric and recording rule names a PromQL expression (or Grafana's label_values) reads. */
    static Set<String> metricNames(String promql) {
        String bare = promql
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("label_values\\(([^,]*),\\s*\\w+\\s*\\)", "$1")
                .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(bare);
        while (m.find()) {
            if (!KEYWORDS.contains(m.group().toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group());
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws IOException {
        Map<String, Object> rule = new Yaml().load(Files.readString(Manifests.RULES));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rule.get("spec")).get("groups");
        return groups.stream().flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
    }

    private static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(Manifests.DASHBOARD));
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> {
            if (panel.has("targets")) {
                panel.get("targets").forEach(target -> expressions.add(target.get("expr").asString()));
            }
        });
        dashboard.get("templating").get("list").forEach(variable -> {
            if ("query".equals(variable.get("type").asString())) {
                expressions.add(variable.get("query").asString());
            }
        });
        assertThat(expressions).hasSizeGreaterThan(20);
        return expressions;
    }
}
