package dev.namegate.api;

import java.net.URI;
import java.util.List;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The public API's own description.
 *
 * @param servers {@code namegate.api.servers} (env {@code NAMEGATE_API_SERVERS}, comma-separated):
 *     the base URLs {@code GET /openapi.yaml} lists under {@code servers}, e.g. the public
 *     {@code https://names.example.org} behind a gateway; absolute http(s) URLs with a host and
 *     no query. Default none: the document keeps its relative {@code /}, the host it was fetched
 *     from.
 */
@Validated
@ConfigurationProperties("namegate.api")
public record ApiProperties(@NotNull @DefaultValue List<URI> servers) {

    public ApiProperties {
        servers = List.copyOf(servers);
        for (URI server : servers) {
            if (!("http".equals(server.getScheme()) || "https".equals(server.getScheme())) || server.getHost() == null
                    || server.getRawQuery() != null || server.getRawFragment() != null) {
                throw new IllegalArgumentException("namegate.api.servers: " + server
                        + " is not an absolute http(s) URL with a host and no query");
            }
        }
    }
}
