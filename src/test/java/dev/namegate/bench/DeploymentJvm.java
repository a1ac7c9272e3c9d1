package dev.namegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The JVM a pod of the Deployment runs, read from its manifest: the word {@value #WORD} among a
 * benchmark's JVM options stands for them, so a run measures the manifest as it is now instead of
 * a copy of its flags that drifts from it.
 */
final class DeploymentJvm {

    /** Where the JVM options may say "the Deployment's". */
    static final String WORD = "deployment";
    static final Path MANIFEST = Path.of("k8s", "base", "deployment.yaml");
    private static final String JAVA_TOOL_OPTIONS = "JAVA_TOOL_OPTIONS";

    private DeploymentJvm() {
    }

    /** {@code words} with {@link #WORD} replaced by {@link #options(Path)} of {@link #MANIFEST}. */
    static List<String> expand(List<String> words) {
        if (!words.contains(WORD)) {
            return words;
        }
        List<String> deployment;
        try {
            deployment = options(MANIFEST);
        } catch (IOException e) {
            throw new UncheckedIOException("the Deployment's JVM options: " + MANIFEST, e);
        }
        List<String> expanded = new ArrayList<>();
        for (String word : words) {
            if (word.equals(WORD)) {
                expanded.addAll(deployment);
            } else {
                expanded.add(word);
            }
        }
        return List.copyOf(expanded);
    }

    /**
     * The container's memory limit as the JVM's {@code -XX:MaxRAM} (in the pod the JVM reads it
     * from the cgroup; here the percentages would take a share of the machine's 24 GiB, some 40
     * times the pod's heap), then its {@code JAVA_TOOL_OPTIONS}.
     */
    static List<String> options(Path manifest) throws IOException {
        Deployment deployment = new KubernetesSerialization().unmarshal(Files.readString(manifest), Deployment.class);
        for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
            for (EnvVar env : container.getEnv()) {
                if (env.getName().equals(JAVA_TOOL_OPTIONS) && env.getValue() != null) {
                    Quantity limit = container.getResources() == null || container.getResources().getLimits() == null
                            ? null : container.getResources().getLimits().get("memory");
                    if (limit == null) {
                        throw new IllegalStateException(manifest + ": container " + container.getName()
                                + " has JVM options but no memory limit to size them by");
                    }
                    List<String> options = new ArrayList<>();
                    options.add("-XX:MaxRAM=" + Quantity.getAmountInBytes(limit).toBigInteger());
                    options.addAll(BenchOptions.words(env.getValue()));
                    return List.copyOf(options);
                }
            }
        }
        throw new IllegalStateException(manifest + ": no container sets " + JAVA_TOOL_OPTIONS);
    }
}
