package dev.namegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A scripted internal service (MockWebServer) and the answers of its contract. */
public final class MockUpstream {

    private MockUpstream() {
    }

    /** Started, answering from its queue ({@code enqueue}). */
    public static MockWebServer started() {
        return started(null);
    }

    /** How every request is answered; may wait (a test holding answers back). */
    @FunctionalInterface
    public interface Answer {
        MockResponse to(RecordedRequest request) throws InterruptedException;
    }

    /** Started, answering every request with {@code answer} ({@code null}: from its queue). */
    public static MockWebServer started(Answer answer) {
        MockWebServer server = new MockWebServer();
        if (answer != null) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                    return answer.to(request);
                }
            });
        }
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server;
    }

    /** 200 {@code {"name": ...}} (the name must need no JSON escaping). */
    public static MockResponse name(String name) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body("{\"name\":\"" + name + "\"}").build();
    }

    public static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    /** The base URL to give namegate. */
    public static String baseUrl(MockWebServer server) {
        return "http://127.0.0.1:" + server.getPort();
    }
}
