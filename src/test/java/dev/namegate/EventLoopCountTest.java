package dev.namegate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/** The service runs one event loop per processor unless the operator says otherwise. */
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class EventLoopCountTest {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(NamegateApplication.EVENT_LOOPS_PROPERTY);
        System.clearProperty(NamegateApplication.EVENT_LOOPS_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(NamegateApplication.EVENT_LOOPS_PROPERTY);
        } else {
            System.setProperty(NamegateApplication.EVENT_LOOPS_PROPERTY, before);
        }
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
}
