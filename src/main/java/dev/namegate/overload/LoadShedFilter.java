package dev.namegate.overload;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import dev.namegate.web.FilterOrder;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.Problems;


/**
 * Refuses a share of public requests with a 503 while the event loops lag, before any key is
 * checked or any upstream attempt made: work an overloaded process cannot finish in time is best
 * not started, so the requests it does take are answered within their deadline.
 * Only while enough requests are in progress, so that a lag caused by a noisy neighbour, not by
 * our own load, refuses nothing. Probes and metrics are never refused.
 */
public final class LoadShedFilter implements WebFilter, Ordered {


    private final LoadShedder shedder;
    private final RequestsInFlight inFlight;
    private final boolean enabled;
    private final String retryAfterSeconds;
    private final Counter shed;

    public LoadShedFilter(LoadShedder shedder, RequestsInFlight inFlight, OverloadProperties properties,
            MeterRegistry registry) {
        this.shedder = shedder;
        this.inFlight = inFlight;
        this.enabled = properties.enabled();
        this.retryAfterSeconds = Long.toString(properties.retryAfter().toSeconds());
        this.shed = Counter.builder("namegate.overload.shed")
                .description("Public requests refused because the event loops lagged")
                .register(registry);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!enabled || !exchange.getRequest().getPath().value().startsWith("/users/")) {
            return chain.filter(exchange);
        }
        if (!shedder.shouldShed()) {
            inFlight.enter();
            return chain.filter(exchange).doFinally(signal -> inFlight.leave());
        }
        shed.increment();
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        return Problems.write(exchange, ProblemKind.OVERLOADED, "The service is overloaded; retry later.");
    }

    @Override
    public int getOrder() {
        return FilterOrder.LOAD_SHEDDING;
    }
}
