package dev.namegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SimulatedUsersTest {

    @Test
    void theFirstUsersAreThePeopleOfTheStoryAndTheHardCases() {
        assertThat(SimulatedUsers.nameOf(1)).isEqualTo("John");
        assertThat(SimulatedUsers.nameOf(2)).isEqualTo("Carl");
        assertThat(SimulatedUsers.nameOf(3)).isEqualTo("Rob");
        assertThat(SimulatedUsers.nameOf(4)).isEqualTo("Zoë Ñandú-李小龍 🚀");
        assertThat(SimulatedUsers.nameOf(5)).isEqualTo("O'Brien \"the \\ backslash\"");
    }

    @Test
    void generatedNamesAreDeterministicAndDistinct() {
        Set<String> names = new HashSet<>();
        LongStream.rangeClosed(1, 10_000).forEach(id -> {
            assertThat(SimulatedUsers.nameOf(id)).isEqualTo(SimulatedUsers.nameOf(id)).isNotBlank();
            names.add(SimulatedUsers.nameOf(id));
        });
        assertThat(names).hasSize(10_000);
    }

    @Test
    void idsBelowOneAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> SimulatedUsers.nameOf(0));
    }
}
