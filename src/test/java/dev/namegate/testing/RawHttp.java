package dev.namegate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain loopback socket, byte for byte as given: what an HTTP client library
 * would refuse to send (a malformed escape, raw non-ASCII, half a request head) reaches the
 * server as written. Every whole answer read is checked against the OpenAPI document
 * ({@link OpenApiContract}), matched to the request line sent before it on the same socket.
 */
public final class RawHttp {

    private static final Pattern REQUEST_LINE = Pattern.compile("^([A-Z]+) (\\S+) HTTP/1\\.1\r\n");
    /** Per socket, the requests sent whose answers are not read yet: method and target. */
    private static final Map<Socket, Deque<String[]>> UNANSWERED = Collections.synchronizedMap(new WeakHashMap<>());

    private RawHttp() {
    }

    /**
     * A parsed answer.
     *
     * @param headers lower-case names, values in order
     */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A socket to {@code 127.0.0.1:port} whose reads give up after {@code readTimeout}. */
    public static Socket connect(int port, Duration readTimeout) {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout((int) readTimeout.toMillis());
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code GET target} with {@code Connection: close} and the given extra header lines, sent as
     * UTF-8 bytes; the whole answer, read until the server closes.
     */
    public static Response get(int port, String target, String... headerLines) {
        StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String line : headerLines) {
            head.append(line).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket socket = connect(port, Duration.ofSeconds(10))) {
            socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            byte[] all = socket.getInputStream().readAllBytes();
            if (all.length == 0) {
                throw new AssertionError("the server closed the connection without an answer to GET " + abbreviate(target));
            }
            return checked("GET", target, parse(all));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + abbreviate(target), e);
        }
    }

    /** Writes {@code text} as ASCII bytes, as given, and flushes. */
    public static void send(Socket socket, String text) throws IOException {
        Matcher request = REQUEST_LINE.matcher(text);
        if (request.find()) {
            UNANSWERED.computeIfAbsent(socket, s -> new ArrayDeque<>()).add(new String[] { request.group(1), request.group(2) });
        }
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends one byte every 100 ms for up to {@code within}; whether the server closed the connection meanwhile. */
    public static boolean closedWhileTrickling(Socket socket, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                send(socket, "a");
            } catch (SocketException closed) {
                return true;
            }
            if (closedWithin(socket, Duration.ofMillis(100))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the server closed the connection within {@code within} (end of stream or reset),
     * reading and discarding whatever it sends meanwhile.
     */
    public static boolean closedWithin(Socket socket, Duration within) {
        try {
            socket.setSoTimeout((int) within.toMillis());
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One answer read from a keep-alive connection (Content-Length bodies only). */
    public static Response readOne(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("connection closed before a whole answer head");
                }
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            Response parsed = parse(head.toByteArray());
            String length = parsed.header("content-length");
            byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
            Response response = new Response(parsed.status(), parsed.headers(), body);
            Deque<String[]> sent = UNANSWERED.get(socket);
            String[] request = sent == null ? null : sent.poll();
            return request == null ? response : checked(request[0], request[1], response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response checked(String method, String target, Response response) {
        int query = target.indexOf('?');
        OpenApiContract.check(method, query < 0 ? target : target.substring(0, query), response.status(),
                response.headers(), response.body());
        return response;
    }

    static Response parse(byte[] all) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String[] lines = head.split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        byte[] rest = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(all, end + 4, all.length);
        List<String> encoding = headers.get("transfer-encoding");
        byte[] body = encoding != null && encoding.contains("chunked") ? dechunk(rest) : rest;
        return new Response(status, headers, body);
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int at = 0;
        while (at < chunked.length) {
            int lineEnd = indexOfCrlf(chunked, at);
            String sizeLine = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int size = Integer.parseInt(sizeLine.split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            body.write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return body.toByteArray();
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new AssertionError("chunk size line without CRLF");
    }

    private static String abbreviate(String target) {
        return target.length() <= 80 ? target : target.substring(0, 80) + "... (" + target.length() + " characters)";
    }
}
