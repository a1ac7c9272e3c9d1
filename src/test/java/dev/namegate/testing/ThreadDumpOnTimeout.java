package dev.namegate.testing;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * When a test fails by waiting too long (a blocking read, a StepVerifier or an Awaitility
 * condition timing out), attaches a dump of the threads that move requests along: a hang seen
 * once on a CI machine is otherwise impossible to explain afterwards. Registered for every test
 * through {@code junit-platform.properties} (extension auto-detection).
 */
public final class ThreadDumpOnTimeout implements TestExecutionExceptionHandler {

    private static final int FRAMES = 12;

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (isTimeout(failure)) {
            Throwable dump = new Throwable("threads when the wait ran out:\n" + dump(), null, false, false) {
            };
            failure.addSuppressed(dump);
        }
        throw failure;
    }

    static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof java.util.concurrent.TimeoutException || message.contains("Timeout on blocking read")
                    || message.contains("timed out") || t.getClass().getSimpleName().equals("ConditionTimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /** Event loops, Reactor's schedulers, the mock servers and the test's own thread, a few frames each. */
    static String dump() {
        Map<String, String> byName = new TreeMap<>();
        Thread.getAllStackTraces().forEach((thread, frames) -> {
            String name = thread.getName();
            if (!(name.contains("reactor-") || name.contains("epoll") || name.startsWith("parallel-")
                    || name.startsWith("boundedElastic") || name.startsWith("MockWebServer") || name.equals("main"))) {
                return;
            }
            StringBuilder text = new StringBuilder().append('"').append(name).append("\" ").append(thread.getState());
            for (int i = 0; i < Math.min(FRAMES, frames.length); i++) {
                text.append("\n    at ").append(frames[i]);
            }
            byName.put(name + "#" + thread.getId(), text.toString());
        });
        return String.join("\n", byName.values());
    }
}
