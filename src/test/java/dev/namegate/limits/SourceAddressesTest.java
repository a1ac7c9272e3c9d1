package dev.namegate.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

class SourceAddressesTest {

    private static final InetAddress CLIENT = ip("203.0.113.7");
    private static final InetAddress INGRESS = ip("10.0.0.5");

    private final SourceAddresses behindIngress = new SourceAddresses(List.of(Cidr.parse("10.0.0.0/8")));
    private final SourceAddresses direct = new SourceAddresses(List.of());

    @Test
    void theTcpPeerIsTheSourceWhenNoProxyIsTrusted() {
        assertThat(direct.resolve(CLIENT, List.of("198.51.100.1"))).isEqualTo(CLIENT);
        assertThat(direct.resolve(INGRESS, List.of("198.51.100.1"))).isEqualTo(INGRESS);
    }

    @Test
    void aSpoofedHeaderFromAnUntrustedPeerChangesNothing() {
        assertThat(behindIngress.resolve(CLIENT, List.of("10.0.0.1, 198.51.100.1"))).isEqualTo(CLIENT);
    }

    @Test
    void behindATrustedProxyTheRightMostUntrustedEntryIsTheSource() {
        assertThat(behindIngress.resolve(INGRESS, List.of("203.0.113.7"))).isEqualTo(CLIENT);
        // the client forged the left-most entry; the ingress appended what it saw
        assertThat(behindIngress.resolve(INGRESS, List.of("1.2.3.4, 203.0.113.7"))).isEqualTo(CLIENT);
        // two trusted hops
        assertThat(behindIngress.resolve(INGRESS, List.of("1.2.3.4, 203.0.113.7", "10.1.2.3"))).isEqualTo(CLIENT);
        assertThat(behindIngress.resolve(INGRESS, List.of("[2001:db8::1]:4711"))).isEqualTo(ip("2001:db8::1"));
        assertThat(behindIngress.resolve(INGRESS, List.of("203.0.113.7:5555"))).isEqualTo(CLIENT);
    }

    @Test
    void aTrustedPeerWithoutAUsableHeaderIsItselfTheSource() {
        assertThat(behindIngress.resolve(INGRESS, List.of())).isEqualTo(INGRESS);
        assertThat(behindIngress.resolve(INGRESS, List.of("not-an-address"))).isEqualTo(INGRESS);
        assertThat(behindIngress.resolve(INGRESS, List.of("10.0.0.9"))).as("all trusted: the left-most")
                .isEqualTo(ip("10.0.0.9"));
        assertThat(behindIngress.resolve(INGRESS, List.of("203.0.113.7, evil.example, 10.0.0.9")))
                .as("garbage stops the walk at the last known hop").isEqualTo(ip("10.0.0.9"));
    }

    @Test
    void rangesAreParsedWithoutDnsAndBadOnesAreRejected() {
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("10.255.1.2"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(ip("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("192.168.1.128/25").contains(ip("192.168.1.200"))).isTrue();
        assertThat(Cidr.parse("192.168.1.128/25").contains(ip("192.168.1.100"))).isFalse();
        assertThat(Cidr.parse("fd00::/8").contains(ip("fd12::1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(ip("127.0.0.1"))).isTrue();
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("localhost"));
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("10.0.0.0/33"));
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse("300.0.0.1"));
    }

    static InetAddress ip(String literal) {
        return IpLiteral.parse(literal);
    }
}
