package dev.namegate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * The service runs one event loop per processor and accepts connections on a loop of its own,
 * unless the operator says otherwise.
 */
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class EventLoopCountTest {

    private static final String[] PROPERTIES = { NamegateApplication.EVENT_LOOPS_PROPERTY,
            NamegateApplication.ACCEPT_LOOPS_PROPERTY };

    private final Map<String, String> before = new HashMap<>();

    @BeforeEach
    void remember() {
        for (String property : PROPERTIES) {
            before.put(property, System.getProperty(property));
            System.clearProperty(property);
        }
    }

    @AfterEach
    void restore() {
        before.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
    }

    @Test
    void withoutASettingOneLoopPerProcessorTheJvmMayUse() {
        NamegateApplication.oneEventLoopPerProcessor();
        assertThat(System.getProperty("reactor.netty.ioWorkerCount"))
                .isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void theOperatorsSettingStands() {
        System.setProperty("reactor.netty.ioWorkerCount", "6");
        NamegateApplication.oneEventLoopPerProcessor();
        assertThat(System.getProperty("reactor.netty.ioWorkerCount")).isEqualTo("6");
    }

    @Test
    void withoutASettingConnectionsAreAcceptedOnOneLoopOfTheirOwn() {
        NamegateApplication.acceptOnALoopOfItsOwn();
        assertThat(System.getProperty("reactor.netty.ioSelectCount")).isEqualTo("1");
    }

    @Test
    void theOperatorsAcceptLoopSettingStands() {
        System.setProperty("reactor.netty.ioSelectCount", "-1");
        NamegateApplication.acceptOnALoopOfItsOwn();
        assertThat(System.getProperty("reactor.netty.ioSelectCount")).isEqualTo("-1");
    }
}
