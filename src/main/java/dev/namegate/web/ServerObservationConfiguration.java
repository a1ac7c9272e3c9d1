package dev.namegate.web;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.MeterObservationHandler;

/**
 * The server's request observation ({@code http.server.requests}) without its high-cardinality
 * values: the full URL of every request was built at its end for tracing, which this service
 * does not export; the timer's tags (method, uri pattern, status, outcome) stay as they are. Its
 * timer is recorded by {@link TimerPerKeyValues} in place of Boot's default handler.
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

    /**
     * First of the meter handlers, which Boot lets only the first that supports an observation
     * handle; Boot's default one is still made, and left idle.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    MeterObservationHandler<?> timerPerKeyValues(MeterRegistry registry) {
        return new TimerPerKeyValues(registry);
    }
}
