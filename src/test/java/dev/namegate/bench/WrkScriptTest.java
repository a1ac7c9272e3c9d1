package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrkScriptTest {

    @TempDir
    Path dir;

    @Test
    void theServiceIsAskedForUniformIdsWithTheBearerKeyAndTheSeedOfTheStep() {
        String lua = new WrkScript(Target.publicApi("http://127.0.0.1:8080", "k3y"), 1_000_000_000L, 3).lua();

        assertThat(lua).contains("local method, prefix, highest = \"GET\", \"/users/\", 1000000000")
                .contains("local headers = { [\"Authorization\"] = \"Bearer k3y\" }")
                .contains("math.randomseed(3)")
                .contains("wrk.format(method, prefix .. math.random(1, highest), headers)");
        assertThat(lua.lines().filter(line -> line.contains("k3y"))).as("the key appears only in the header")
                .hasSize(1);
    }

    @Test
    void theSimulatorIsPostedToWithoutCredentials() {
        String lua = new WrkScript(Target.internal("http://127.0.0.1:9090"), 1_000, 1).lua();

        assertThat(lua).contains("\"POST\", \"/\", 1000").contains("local headers = {}").doesNotContain("Authorization");
    }

    @Test
    void theDoneHookPrintsOneResultLineOfEveryCountTheParserReads() {
        String lua = new WrkScript(Target.internal("http://127.0.0.1:9090"), 1_000, 1).lua();

        assertThat(lua).contains("io.write(string.format('" + WrkScript.RESULT_MARKER + "{\"duration_us\":%.0f,")
                .contains("e.status, e.connect, e.read, e.write, e.timeout")
                .contains("latency:percentile(50), latency:percentile(99), latency.max, cpu_ticks()")
                .contains("io.open(\"/proc/self/stat\", \"r\")");
        for (String field : List.of("requests", "non2xx", "connect_errors", "read_errors", "write_errors", "timeouts",
                "p50_us", "p99_us", "max_us", "cpu_ticks")) {
            assertThat(lua).contains("\"" + field + "\":%.0f");
        }
    }

    @Test
    void quotesAndBackslashesCannotEndTheLuaString() {
        String lua = new WrkScript(new Target("http://h", false, "/a\"b\\", "x\"y"), 10, 1).lua();

        assertThat(lua).contains("\"/a\\\"b\\\\\"").contains("\"x\\\"y\"");
    }

    @Test
    void theScriptFileIsReadableByItsOwnerOnlyAndNoIdRangeIsEmpty() throws Exception {
        Path file = new WrkScript(Target.publicApi("http://h", "secret"), 1_000, 1).write(dir.resolve("s.lua"));

        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).contains("Bearer secret");
        assertThatIllegalArgumentException().isThrownBy(() -> new WrkScript(Target.internal("http://h"), 0, 1));
    }

    @Test
    void wrkRunsOneThreadPinnedBesideTheSystemUnderTestForWholeSeconds() {
        Wrk wrk = new Wrk(List.of("taskset", "-c", "1"));

        assertThat(wrk.command(32, Duration.ofSeconds(10), Path.of("/tmp/s.lua"), "http://127.0.0.1:8080"))
                .containsExactly("taskset", "-c", "1", "wrk", "-t1", "-c32", "-d10s", "--latency", "-s", "/tmp/s.lua",
                        "http://127.0.0.1:8080");
    }
}
