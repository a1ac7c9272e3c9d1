package dev.namegate.overload;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import dev.namegate.web.FilterOrder;
import dev.namegate.web.NamedWebFilter;
import dev.namegate.web.PreparedProblem;
import dev.namegate.web.ProblemKind;
import dev.namegate.web.ServerConnection;


/**
 * Lets public requests through the {@link AdmissionGate} before any key is checked or any upstream
 * attempt made: while the event loops lag, those over the limit wait their turn, and those that
 * would wait too long are refused with a 503, since work an overloaded process cannot finish in
 * time is best not started. Probes and metrics never wait and are never refused.
 */
public final class LoadShedFilter extends NamedWebFilter implements Ordered {

    /** The refusal's detail, here and in {@link EarlyRefusals}. */
    static final String DETAIL = "The service is overloaded; retry later.";
    /** The refusal's body, here and in {@link EarlyRefusals}. */
    static final PreparedProblem PROBLEM = PreparedProblem.of(ProblemKind.OVERLOADED, DETAIL);
    /** The {@code when} of a refusal after its wait in the gate's line. */
    static final String AFTER_WAITING = "after_waiting";
    /** The {@code when} of a refusal as the request arrived, on its connection. */
    static final String ON_ARRIVAL = "on_arrival";

    private final OverloadDrill drill;
    private final boolean enabled;
    private final String retryAfterSeconds;
    private final Shedding shedding;
    private final Shedding drillShedding;
    private final Shedding letInShedding;

    public LoadShedFilter(AdmissionGate gate, OverloadDrill drill, OverloadProperties properties, MeterRegistry registry) {
        this.drill = drill;
        this.enabled = properties.enabled();
        this.retryAfterSeconds = Long.toString(properties.retryAfter().toSeconds());
        this.shedding = new Shedding(gate, shedCounter(registry, AFTER_WAITING), EarlyRefusals.ROUTE);
        this.drillShedding = new Shedding(drill.gate(), shedCounter(registry, OverloadDrill.AFTER_WAITING),
                OverloadDrill.ROUTE);
        this.letInShedding = new Shedding(drill.letInGate(), drillShedding.shed(), OverloadDrill.ROUTE);
    }

    /** The gate's refusals, {@code when} they were refused: here, or on arrival in {@link EarlyRefusals}. */
    static Counter shedCounter(MeterRegistry registry, String when) {
        return Counter.builder("namegate.overload.shed")
                .description("Public requests refused because they would have waited too long for their turn")
                .tag("when", when)
                .register(registry);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!enabled || !exchange.getRequest().getPath().value().startsWith(EarlyRefusals.PUBLIC_PREFIX)) {
            return chain.filter(exchange);
        }
        Shedding at = drill.running() ? duringDrill(exchange) : shedding;
        if (at.gate().admitAtOnce()) {
            return proceed(exchange, chain, at.gate());
        }
        if (at == letInShedding) {
            // answered as the drill's, outside the availability objective, once routing has tagged it
            return awaitTurn(at, exchange, chain).doOnTerminate(() -> countUnder(exchange, at.route()));
        }
        return awaitTurn(at, exchange, chain);
    }

    /** The drill's gate a request's mark asks for; the service's for an unmarked one. */
    private Shedding duringDrill(ServerWebExchange exchange) {
        String mark = exchange.getRequest().getHeaders().getFirst(OverloadDrill.HEADER);
        return mark == null ? shedding : OverloadDrill.letIn(mark) ? letInShedding : drillShedding;
    }

    /**
     * One way from the turn to the answer, the drill's included. The refusal is a function of its
     * own, reached only through {@code Mono.defer}: compiled in the drill, where no request is
     * admitted, it stays compiled in an overload, where most are; inlined here, the first admission
     * would have the JIT recompile it with this lambda (250 ms of C2 at an overload's onset).
     */
    private Mono<Void> awaitTurn(Shedding at, ServerWebExchange exchange, WebFilterChain chain) {
        return at.gate().awaitTurn(closedLoop(exchange)).flatMap(admitted -> admitted ? proceed(exchange, chain, at.gate())
                : Mono.defer(() -> refuse(exchange, at)));
    }

    /** Whether the request came within {@code closed-loop-within} of an answer on its connection ({@link EarlyRefusal}). */
    private static boolean closedLoop(ServerWebExchange exchange) {
        Connection connection = ServerConnection.of(exchange);
        return connection != null
                && connection.channel().pipeline().get(EarlyRefusal.NAME) instanceof EarlyRefusal door
                && door.closedLoop();
    }

    private static Mono<Void> proceed(ServerWebExchange exchange, WebFilterChain chain, AdmissionGate gate) {
        return chain.filter(exchange).doFinally(signal -> gate.leave());
    }

    private Mono<Void> refuse(ServerWebExchange exchange, Shedding at) {
        at.shed().increment();
        // refused before routing: without this the answer is counted under uri="UNKNOWN", outside the objective
        countUnder(exchange, at.route());
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        return PROBLEM.write(exchange);
    }

    /** Counts the answer in {@code http.server.requests} under {@code route}. */
    private static void countUnder(ServerWebExchange exchange, String route) {
        ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .ifPresent(observation -> observation.setPathPattern(route));
    }

    @Override
    public int getOrder() {
        return FilterOrder.LOAD_SHEDDING;
    }

    /** A gate and where its refusals after the wait are counted: the service's, or a drill's apart from them. */
    private record Shedding(AdmissionGate gate, Counter shed, String route) {
    }
}
