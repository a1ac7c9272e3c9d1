package dev.namegate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.atlassian.oai.validator.OpenApiInteractionValidator;

/** The served OpenAPI document: its servers follow namegate.api.servers, and it stays valid. */
class OpenApiDocumentTest {

    @Test
    void withoutConfiguredServersTheDocumentPointsAtTheHostItCameFrom() {
        byte[] served = ApiRoutes.openApiDocument(List.of());
        assertThat(servers(served)).containsExactly("/");
    }

    @Test
    void configuredServersReplaceTheListAndEverythingElseIsUntouched() {
        byte[] plain = ApiRoutes.openApiDocument(List.of());
        byte[] served = ApiRoutes.openApiDocument(List.of(URI.create("https://names.example.org"),
                URI.create("https://names.example.org:8443/api")));

        assertThat(servers(served)).containsExactly("https://names.example.org", "https://names.example.org:8443/api");
        Map<String, Object> a = new Yaml().load(new String(plain, StandardCharsets.UTF_8));
        Map<String, Object> b = new Yaml().load(new String(served, StandardCharsets.UTF_8));
        a.remove("servers");
        b.remove("servers");
        assertThat(b).isEqualTo(a);
        // still a document a validator accepts
        OpenApiInteractionValidator.createForInlineApiSpecification(new String(served, StandardCharsets.UTF_8)).build();
    }

    @Test
    void aServerThatIsNoAbsoluteHttpUrlStopsTheStartNamingTheProperty() {
        for (String bad : List.of("/api", "ftp://names.example.org", "https://names.example.org/?x=1")) {
            assertThatThrownBy(() -> new ApiProperties(List.of(URI.create(bad))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namegate.api.servers");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> servers(byte[] document) {
        Map<String, Object> yaml = new Yaml().load(new String(document, StandardCharsets.UTF_8));
        return ((List<Map<String, Object>>) yaml.get("servers")).stream().map(s -> (String) s.get("url")).toList();
    }
}
