package dev.namegate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** The service runs on the JDK's selector unless the operator asks for the native transport. */
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class TransportChoiceTest {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(NamegateApplication.NATIVE_TRANSPORT_PROPERTY);
        System.clearProperty(NamegateApplication.NATIVE_TRANSPORT_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(NamegateApplication.NATIVE_TRANSPORT_PROPERTY);
        } else {
            System.setProperty(NamegateApplication.NATIVE_TRANSPORT_PROPERTY, before);
        }
    }

    @Test
    void withoutASettingTheJdksSelector() {
        NamegateApplication.javaSelectorTransport();
        assertThat(System.getProperty("reactor.netty.native")).isEqualTo("false");
    }

    @Test
    void theOperatorsSettingStands() {
        System.setProperty("reactor.netty.native", "true");
        NamegateApplication.javaSelectorTransport();
        assertThat(System.getProperty("reactor.netty.native")).isEqualTo("true");
    }
}
