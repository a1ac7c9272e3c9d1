package dev.namegate.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;

import io.micrometer.common.KeyValues;

/**
 * The server's request observation ({@code http.server.requests}) without its high-cardinality
 * values: the full URL of every request was built at its end for tracing, which this service
 * does not export; the timer's tags (method, uri pattern, status, outcome) stay as they are.
 */
@Configuration(proxyBeanMethods = false)
class ServerObservationConfiguration {

    @Bean
    ServerRequestObservationConvention serverRequestObservationConvention() {
        return new DefaultServerRequestObservationConvention() {
            @Override
            public KeyValues getHighCardinalityKeyValues(ServerRequestObservationContext context) {
                return KeyValues.empty();
            }
        };
    }
}
