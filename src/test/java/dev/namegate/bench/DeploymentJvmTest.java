package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentJvmTest {

    @Test
    void theDeploymentsJvmIsItsManifestsOptionsUnderItsMemoryLimit() throws IOException {
        assertThat(DeploymentJvm.options(DeploymentJvm.MANIFEST))
                .as("640Mi, so that MaxRAMPercentage gives the pod's heap and not a share of this machine")
                .startsWith("-XX:MaxRAM=671088640")
                .contains("-XX:MaxRAMPercentage=48", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20")
                .doesNotContain("deployment");
    }

    @Test
    void theWordStandsForTheDeploymentsOptionsAmongOthersInEveryBenchmark() throws IOException {
        var deployment = DeploymentJvm.options(DeploymentJvm.MANIFEST);
        var service = BenchOptions.parse("--sweep=5000", "--service-jvm-args=-Xlog:gc deployment -Xss512k")
                .serviceJvmArgs();
        assertThat(service).hasSize(deployment.size() + 2).startsWith("-Xlog:gc").endsWith("-Xss512k")
                .containsSubsequence(deployment);
        assertThat(StartupOptions.parse(java.util.Optional.empty(), "--jvm-args=deployment").jvmArgs())
                .isEqualTo(deployment);
        assertThat(BenchOptions.parse("--service-jvm-args=-Xmx2g").serviceJvmArgs()).containsExactly("-Xmx2g");
    }

    @Test
    void aContainerWithJvmOptionsButNoMemoryLimitIsRefusedByName(@TempDir Path dir) throws IOException {
        Path manifest = Files.writeString(dir.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: namegate}
                spec:
                  template:
                    spec:
                      containers:
                        - name: namegate
                          env: [{name: JAVA_TOOL_OPTIONS, value: "-XX:+UseG1GC"}]
                """);
        assertThatThrownBy(() -> DeploymentJvm.options(manifest)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("container namegate").hasMessageContaining("no memory limit");
    }
}
