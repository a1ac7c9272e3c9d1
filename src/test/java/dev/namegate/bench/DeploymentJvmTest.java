package dev.namegate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeploymentJvmTest {

    @TempDir
    Path dir;

    /** A Deployment whose pod has {@code containers} (YAML, as under {@code containers:}). */
    private Path deployment(String containers) throws IOException {
        return Files.writeString(dir.resolve("deployment.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: namegate}
                spec:
                  template:
                    spec:
                      containers:
                """ + containers.indent(8));
    }

    @Test
    void theJvmIsTheContainersOptionsUnderItsMemoryLimit() throws IOException {
        Path manifest = deployment("""
                - name: sidecar
                  env: [{name: OTHER, value: "x"}]
                - name: namegate
                  env:
                    - name: JAVA_TOOL_OPTIONS
                      value: >-
                        -XX:MaxRAMPercentage=48
                        -XX:+UseG1GC
                  resources: {limits: {memory: 640Mi}}
                """);
        assertThat(DeploymentJvm.options(manifest))
                .as("the limit in bytes, so that MaxRAMPercentage gives the pod's heap and not a share of this machine")
                .containsExactly("-XX:MaxRAM=671088640", "-XX:MaxRAMPercentage=48", "-XX:+UseG1GC");
        assertThat(DeploymentJvm.options(DeploymentJvm.MANIFEST)).as("the repository's own manifest")
                .anySatisfy(option -> assertThat(option).startsWith("-XX:MaxRAM="))
                .contains("-XX:+UseG1GC");
    }

    @Test
    void theWordStandsForTheDeploymentsOptionsAmongOthersInEveryBenchmark() throws IOException {
        List<String> deployment = DeploymentJvm.options(DeploymentJvm.MANIFEST);
        List<String> service = BenchOptions.parse("--sweep=5000", "--service-jvm-args=-Xlog:gc deployment -Xss512k")
                .serviceJvmArgs();
        assertThat(service).hasSize(deployment.size() + 2).startsWith("-Xlog:gc").endsWith("-Xss512k")
                .containsSubsequence(deployment);
        assertThat(StartupOptions.parse(Optional.empty(), "--jvm-args=deployment").jvmArgs()).isEqualTo(deployment);
        assertThat(BenchOptions.parse("--service-jvm-args=-Xmx2g").serviceJvmArgs()).containsExactly("-Xmx2g");
    }

    @Test
    void aContainerWithJvmOptionsButNoMemoryLimitIsRefusedByName() throws IOException {
        Path manifest = deployment("""
                - name: namegate
                  env: [{name: JAVA_TOOL_OPTIONS, value: "-XX:+UseG1GC"}]
                """);
        assertThatThrownBy(() -> DeploymentJvm.options(manifest)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("container namegate").hasMessageContaining("no memory limit");
    }
}
