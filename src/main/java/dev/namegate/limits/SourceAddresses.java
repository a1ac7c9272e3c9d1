package dev.namegate.limits;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Who sent a request, for throttling and the audit trail: the TCP peer, unless the peer is a
 * trusted proxy; then the right-most {@code X-Forwarded-For} entry that is not itself a trusted
 * proxy. Each proxy appends the address it saw, so the entries right of the first untrusted one
 * were written by our proxies and everything left of it may be forged by the client. (Reactor
 * Netty's own forwarded-header support believes the left-most entry; it is off:
 * {@code server.forward-headers-strategy=none}.)
 */
public final class SourceAddresses {

    private static final String FORWARDED_FOR = "X-Forwarded-For";
    private static final InetAddress UNKNOWN = IpLiteral.parse("0.0.0.0");

    private final List<Cidr> trustedProxies;

    public SourceAddresses(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    public static SourceAddresses of(LimitsProperties properties) {
        return new SourceAddresses(properties.trustedProxies().stream().map(Cidr::parse).toList());
    }

    /**
     * The source of {@code request}; {@code 0.0.0.0} when the peer is not an IP socket, so such
     * callers share one throttle instead of escaping it.
     */
    public InetAddress of(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        InetAddress peer = remote == null || remote.getAddress() == null ? UNKNOWN : remote.getAddress();
        return resolve(peer, request.getHeaders().getValuesAsList(FORWARDED_FOR));
    }

    /** {@code forwardedFor}: the header's values, each possibly a comma-separated list. */
    InetAddress resolve(InetAddress peer, List<String> forwardedFor) {
        if (!isTrusted(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        InetAddress source = peer;
        for (int v = forwardedFor.size() - 1; v >= 0; v--) {
            String[] entries = forwardedFor.get(v).split(",");
            for (int e = entries.length - 1; e >= 0; e--) {
                InetAddress hop = IpLiteral.parse(entries[e]);
                if (hop == null) {
                    // Garbage where a proxy should have written an address: stop at the last hop we know.
                    return source;
                }
                source = hop;
                if (!isTrusted(hop)) {
                    return hop;
                }
            }
        }
        return source;
    }

    /** Whether no proxy is trusted: the TCP peer is always the source. */
    boolean trustsNoProxy() {
        return trustedProxies.isEmpty();
    }

    boolean isTrusted(InetAddress address) {
        for (Cidr range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
