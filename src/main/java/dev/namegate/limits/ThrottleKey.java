package dev.namegate.limits;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The unit the brute-force throttle counts: the address itself for IPv4, its /64 for IPv6, since
 * one host usually owns a whole /64. Every store counts by it, so audit events name the same unit.
 */
public final class ThrottleKey {

    private ThrottleKey() {
    }

    public static InetAddress of(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return address;
    }
}
