package dev.namegate.upstream;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The internal service's instances, taken in turn. A retry never goes back to the instance that
 * just failed when there is another one.
 */
final class UpstreamInstances {

    private final String[] bases;
    private final AtomicInteger next = new AtomicInteger();

    UpstreamInstances(List<URI> baseUrls) {
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("at least one internal base URL is needed");
        }
        this.bases = baseUrls.stream().map(UpstreamInstances::withoutTrailingSlash).toArray(String[]::new);
    }

    int size() {
        return bases.length;
    }

    /** The instance for the next attempt: round robin, skipping {@code previous} (-1 for none). */
    int pick(int previous) {
        int n = bases.length;
        if (n == 1) {
            return 0;
        }
        int index = Math.floorMod(next.getAndIncrement(), n);
        return index == previous ? (index + 1) % n : index;
    }

    /** {@code POST} target for a user id; the id is a validated number, so nothing needs escaping. */
    URI uri(int instance, long userId) {
        return URI.create(bases[instance] + '/' + userId);
    }

    String base(int instance) {
        return bases[instance];
    }

    private static String withoutTrailingSlash(URI url) {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
