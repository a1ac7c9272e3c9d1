package dev.namegate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ServerSocketFactory;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A scripted internal service (a {@link MockWebServer} on loopback) as a JUnit extension, and the
 * answers of its contract. Register it with {@code @RegisterExtension}:
 * <ul>
 *   <li>in a {@code static} field, one server serves the whole class: started before it, closed
 *       after it, and a {@link ServerTest}'s context is pointed at it;</li>
 *   <li>in an instance field, each test gets a server of its own (tests of the client alone);</li>
 *   <li>{@link #shared}: one server for the whole test JVM, so that classes with the same
 *       settings can share one {@link ServerTest} context, which is then kept for them.</li>
 * </ul>
 * Every test starts from a clean state: an empty queue, the class's own answer, no answers held
 * back, and {@link #requestCount()} and {@link #takeRequest()} counting from zero.
 */
public final class MockUpstream implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    /** How a request is answered; may wait (a test holding answers back). */
    @FunctionalInterface
    public interface Answer {
        MockResponse to(RecordedRequest request) throws InterruptedException;
    }

    /** What an empty queue answers: a status the client never retries, so a missing answer fails the test at once. */
    static final int NOTHING_QUEUED = 418;
    private static final Duration HOLD_AT_MOST = Duration.ofSeconds(30);
    private static final Duration WAIT_FOR_REQUESTS = Duration.ofSeconds(10);

    private static final Server SHARED = new Server();

    private final Server server;
    /** The class's answer; {@code null}: from the queue. */
    private final Answer answer;
    private final boolean shared;
    private boolean perClass;
    private int testsStarted;

    private MockUpstream(Server server, Answer answer, boolean shared) {
        this.server = server;
        this.answer = answer;
        this.shared = shared;
    }

    /** Answers from a queue ({@link #enqueue}), empty at the start of every test. */
    public static MockUpstream queued() {
        return new MockUpstream(new Server(), null, false);
    }

    /** Answers every request with {@code answer}. */
    public static MockUpstream answering(Answer answer) {
        return new MockUpstream(new Server(), answer, false);
    }

    /**
     * The server of every class that declares it (only in a static field), answering with this
     * class's {@code answer} ({@code null}: from the queue): classes with the same settings and a
     * shared upstream share one {@link ServerTest} context.
     */
    public static MockUpstream shared(Answer answer) {
        return new MockUpstream(SHARED, answer, true);
    }

    /** Whether this upstream, and so the context of the class that declares it, is shared with other classes. */
    boolean isShared() {
        return shared;
    }

    /** The server behind it: the same object for every class sharing it. */
    Object identity() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws InterruptedException {
        perClass = true;
        server.start();
        server.reset(answer);
    }

    /**
     * A class's first test keeps what came before it (a context's warm-up sends requests while it
     * starts, after {@link #beforeAll}); later tests start afresh.
     */
    @Override
    public void beforeEach(ExtensionContext context) throws InterruptedException {
        if (!perClass) {
            server.start();
            server.reset(answer);
        } else if (testsStarted++ > 0) {
            server.reset(answer);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.releaseAnswers();
        if (!perClass) {
            server.stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!shared) {
            server.stop();
        }
    }

    /** The base URL to give namegate (the server starts on first use). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.start().getPort();
    }

    /** Queues one answer (for an upstream made by {@link #queued()}, or {@link #shared} without an answer). */
    public void enqueue(MockResponse response) {
        server.queue.add(response);
    }

    /** Answers with {@code answer} from now on, in this test only. */
    public void answerWith(Answer answer) {
        server.answer = answer;
    }

    /** Holds every answer back (the request is read, the answer waits) until {@link #releaseAnswers()} or the test ends. */
    public void holdAnswers() {
        server.holdAll = true;
    }

    /** Holds the answer to the {@code n}-th request of this test (1 = the first) back, as {@link #holdAnswers()} does. */
    public void holdAnswer(int n) {
        server.held.add(n);
    }

    public void releaseAnswers() {
        server.releaseAnswers();
    }

    /** Requests received since this test began. */
    public int requestCount() {
        return server.mock.getRequestCount() - server.countBefore;
    }

    /** Waits (at most 10 s) until {@code n} requests have arrived since this test began. */
    public void awaitRequests(int n) {
        Awaitility.await().atMost(WAIT_FOR_REQUESTS).pollInterval(Duration.ofMillis(2))
                .until(() -> requestCount() >= n);
    }

    /** The next request received in this test, in order (waits at most 10 s for it). */
    public RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest request = server.mock.takeRequest(WAIT_FOR_REQUESTS.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(request).as("a request to the internal service").isNotNull();
        return request;
    }

    /** 200 {@code {"name": ...}} (the name must need no JSON escaping). */
    public static MockResponse name(String name) {
        return json("{\"name\":\"" + name + "\"}");
    }

    /** 200 with a JSON body as given. */
    public static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
    }

    public static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    /**
     * Server sockets whose connections send at once (TCP_NODELAY). MockWebServer writes an answer's
     * head and body separately; with Nagle's algorithm the body then waits for the client's delayed
     * ACK, some 40 ms on every answer on a kept-alive connection.
     */
    private static final class NoDelayServerSockets extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                    Socket socket = super.accept();
                    socket.setTcpNoDelay(true);
                    return socket;
                }
            };
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            throw new UnsupportedOperationException("MockWebServer binds the socket itself");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            throw new UnsupportedOperationException("MockWebServer binds the socket itself");
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            throw new UnsupportedOperationException("MockWebServer binds the socket itself");
        }
    }

    /** One MockWebServer and what it answers now. */
    private static final class Server extends Dispatcher {
        private MockWebServer mock;
        private final BlockingQueue<MockResponse> queue = new LinkedBlockingQueue<>();
        private volatile Answer answer;
        private volatile CountDownLatch hold = new CountDownLatch(1);
        private volatile boolean holdAll;
        private final Set<Integer> held = ConcurrentHashMap.newKeySet();
        private final AtomicInteger dispatched = new AtomicInteger();
        private int countBefore;

        synchronized MockWebServer start() {
            if (mock == null) {
                mock = new MockWebServer();
                mock.setServerSocketFactory(new NoDelayServerSockets());
                mock.setDispatcher(this);
                try {
                    mock.start();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return mock;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            if (holdAll || held.contains(dispatched.incrementAndGet())) {
                hold.await(HOLD_AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
            }
            Answer current = answer;
            if (current != null) {
                return current.to(request);
            }
            MockResponse queued = queue.poll();
            return queued != null ? queued : status(NOTHING_QUEUED, "MockUpstream: no answer queued for " + request.getTarget());
        }

        /** What a test starts from: nothing queued, held or recorded, and the class's answer. */
        synchronized void reset(Answer classAnswer) throws InterruptedException {
            releaseAnswers();
            hold = new CountDownLatch(1);
            holdAll = false;
            held.clear();
            dispatched.set(0);
            queue.clear();
            answer = classAnswer;
            while (mock.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
                // recorded by an earlier test
            }
            countBefore = mock.getRequestCount();
        }

        void releaseAnswers() {
            hold.countDown();
        }

        synchronized void stop() {
            releaseAnswers();
            if (mock != null) {
                mock.close();
                mock = null;
            }
        }
    }
}
