package dev.namegate.limits;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Parses IP address literals as found in {@code X-Forwarded-For} and configuration, and never
 * anything else: {@link InetAddress#getByName} would resolve a host name through DNS, blocking
 * the event loop and letting a client make us look up names of its choice.
 */
final class IpLiteral {

    private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
    private static final Pattern IPV4_WITH_PORT = Pattern.compile("([0-9.]+):[0-9]{1,5}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpLiteral() {
    }

    /**
     * The address, or {@code null} when {@code text} is not an IPv4 or IPv6 literal. Accepts
     * {@code 1.2.3.4}, {@code 1.2.3.4:port}, {@code ::1}, {@code [::1]} and {@code [::1]:port}.
     */
    static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return null;
            }
            s = s.substring(1, close);
        }
        var withPort = IPV4_WITH_PORT.matcher(s);
        if (withPort.matches()) {
            s = withPort.group(1);
        }
        var v4 = IPV4.matcher(s);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return byAddress(bytes);
        }
        if (s.indexOf(':') >= 0 && IPV6.matcher(s).matches()) {
            try {
                // A literal with ':' is parsed, never resolved.
                return InetAddress.getByName(s);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
