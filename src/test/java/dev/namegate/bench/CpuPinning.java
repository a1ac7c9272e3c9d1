package dev.namegate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Optional CPU pinning with {@code taskset}: the service alone on one CPU, the simulator and the
 * load generator on the others, so the service's CPU cost is not blurred by its neighbours.
 *
 * @param servicePrefix command prefix for the service (empty when not pinning)
 * @param othersPrefix  command prefix for the simulator (empty when not pinning)
 * @param othersCpus    the CPU list for everything but the service, e.g. {@code 1-3}; empty when not pinning
 */
public record CpuPinning(List<String> servicePrefix, List<String> othersPrefix, String othersCpus) {

    public static final CpuPinning NONE = new CpuPinning(List.of(), List.of(), "");

    public CpuPinning {
        servicePrefix = List.copyOf(servicePrefix);
        othersPrefix = List.copyOf(othersPrefix);
    }

    /**
     * Pinning for {@code serviceCpu}, or {@link #NONE} (with a note on stderr) when it is absent,
     * taskset is missing, or there is no other CPU left for the rest.
     */
    public static CpuPinning of(OptionalInt serviceCpu) {
        if (serviceCpu.isEmpty()) {
            return NONE;
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        int service = serviceCpu.getAsInt();
        if (!onPath("taskset") || cpus < 2 || service < 0 || service >= cpus) {
            System.err.println("note: --service-cpu=" + service + " ignored (needs taskset and another of the "
                    + cpus + " CPUs)");
            return NONE;
        }
        String others = IntStream.range(0, cpus).filter(cpu -> cpu != service).mapToObj(Integer::toString)
                .collect(Collectors.joining(","));
        return new CpuPinning(List.of("taskset", "-c", Integer.toString(service)), List.of("taskset", "-c", others),
                others);
    }

    /** Moves every thread of this JVM (the load generator) to the non-service CPUs. */
    public void pinThisJvm() throws IOException, InterruptedException {
        if (othersCpus.isEmpty()) {
            return;
        }
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", othersCpus,
                Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true).start();
        String out = new String(taskset.getInputStream().readAllBytes());
        if (taskset.waitFor() != 0) {
            throw new IOException("taskset failed: " + out.strip());
        }
    }

    /** Whether an executable {@code command} is on the PATH (taskset, wrk, haproxy). */
    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
