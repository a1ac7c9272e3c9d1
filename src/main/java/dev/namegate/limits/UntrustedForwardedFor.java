package dev.namegate.limits;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.core.Ordered;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import dev.namegate.web.FilterOrder;
import dev.namegate.web.NamedWebFilter;

/**
 * Warns once per process, and counts every request ({@code namegate.limits.forwarded.untrusted}),
 * when {@code X-Forwarded-For} arrives while {@code namegate.limits.trusted-proxies} is empty: the
 * deployment most likely sits behind a proxy or ingress nobody listed, so every client shares the
 * proxy's address for the brute-force throttle and the audit trail. (A client may also send the
 * header itself; it changes nothing either way.)
 */
public final class UntrustedForwardedFor extends NamedWebFilter implements Ordered {

    private static final Logger log = LoggerFactory.getLogger(UntrustedForwardedFor.class);
    private static final String FORWARDED_FOR = "X-Forwarded-For";

    private final boolean noProxyTrusted;
    private final Counter untrusted;
    private final AtomicBoolean warned = new AtomicBoolean();

    public UntrustedForwardedFor(SourceAddresses sources, MeterRegistry registry) {
        this.noProxyTrusted = sources.trustsNoProxy();
        this.untrusted = Counter.builder("namegate.limits.forwarded.untrusted")
                .description("Requests with X-Forwarded-For while no proxy is trusted (namegate.limits.trusted-proxies)")
                .register(registry);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (noProxyTrusted && exchange.getRequest().getHeaders().containsHeader(FORWARDED_FOR)) {
            untrusted.increment();
            if (warned.compareAndSet(false, true)) {
                InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
                log.warn("X-Forwarded-For received from {} while namegate.limits.trusted-proxies is empty: behind a"
                        + " proxy or ingress, every client shares its address for the brute-force throttle and the"
                        + " audit trail; list the proxy's addresses (NAMEGATE_LIMITS_TRUSTEDPROXIES). Logged once;"
                        + " counted in namegate.limits.forwarded.untrusted",
                        peer == null || peer.getAddress() == null ? "an unknown peer" : peer.getAddress().getHostAddress());
            }
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return FilterOrder.UNTRUSTED_FORWARDED_FOR;
    }
}
