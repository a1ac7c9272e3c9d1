package dev.namegate.warmup;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What happens between start-up and readiness.
 *
 * @param lookups lookups sent straight to the internal service, priming its connection pool (default 32; 0 = none)
 * @param requests requests sent to our own public API over loopback, warming the whole path (default 200; 0 = none)
 * @param probes rounds of what the cluster sends a running pod, each a liveness and a readiness
 *        probe and a metrics scrape, so that code is compiled before the kubelet and Prometheus
 *        call it every few seconds: run cold, each took tens of milliseconds of a busy core
 *        (default 400: after 200, C2 compiled the scrape's histogram samples some 30 scrapes
 *        after readiness, 400 ms of a core that may then be overloaded; 0 = none). One round
 *        after another, not paced by {@code rate}: they reach only this process
 * @param cacheDrillOperations reads and writes of the name cache's eviction drill, run after the
 *        probes: a small cache of the name cache's kind taken through eviction, admission, the
 *        window's adaptation and the frequency sketch's halving, so C2 compiles them before
 *        readiness rather than on a busy core when the name cache first fills, minutes into a
 *        replica's life (default 100000; 0 = none). Off the event loops; nothing reaches the
 *        name cache itself or the internal service
 * @param drillRequests requests of the overload drill, the last phase: lookups sent to our own API
 *        over loopback that the overload protection refuses, half on arrival and most of the rest
 *        after their turn, as it does the excess of a real overload (one in sixteen it lets in, to
 *        be answered 401 for want of a key; one in 256 asks for a path no route has, answered
 *        404 by the exception handler), so the JIT compiles the refusals and that ending before
 *        one comes (default 90000: C2 raises its thresholds with its queue, long all through a
 *        warm-up, and with 30000 the refusals after a turn were still at C1 when the drill ended,
 *        to be compiled by C2 at the first overload's onset; 0 = none). Unpaced, like the probes:
 *        nothing reaches the internal service
 * @param drillConcurrency how many of those run at once, each on a connection (default 256): one
 *        that waits its turn waits the shed queue time, and one is refused on arrival at most once
 *        in {@code namegate.overload.refuse-again-after} a connection, so fewer make the drill
 *        wait rather than work
 * @param concurrency how many lookups and requests run at once (default 4)
 * @param rate at most this many lookups and requests per second, so a start (or a rollout of many
 *        replicas) does not flood the internal service and trip its rate limit (default 50)
 * @param userId the id looked up (default 1)
 * @param timeout readiness turns green after this even if the warm-up has not finished (default 90 s:
 *        the warm-up took 26 s on one core of a fast host and 38-43 s on one core of a slow one,
 *        about twice that on the Deployment's half-core request when the node is busy; a drill cut
 *        short leaves the refusals to be compiled in the first overload)
 * @param exitWhenDone stop the application once the warm-up is done (default false): a training
 *        run for a CDS archive or AOT cache ({@code make cds}) that, unlike Spring's
 *        {@code -Dspring.context.exit=onRefresh}, has also loaded what the first requests need
 */
@Validated
@ConfigurationProperties("namegate.warmup")
public record WarmupProperties(
        @Min(0) @DefaultValue("32") int lookups,
        @Min(0) @DefaultValue("200") int requests,
        @Min(0) @DefaultValue("400") int probes,
        @Min(0) @DefaultValue("100000") int cacheDrillOperations,
        @Min(0) @DefaultValue("90000") int drillRequests,
        @Min(1) @DefaultValue("256") int drillConcurrency,
        @Min(1) @DefaultValue("4") int concurrency,
        @Positive @DefaultValue("50") double rate,
        @Min(1) @DefaultValue("1") long userId,
        @NotNull @DefaultValue("90s") Duration timeout,
        @DefaultValue("false") boolean exitWhenDone) {
}
