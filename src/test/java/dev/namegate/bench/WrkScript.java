package dev.namegate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;

/**
 * The Lua script a {@code wrk} run of the closed-loop sweep loads: every request to {@code target}
 * with an id drawn uniformly from 1..{@code highestId} (seeded, so each step draws ids of its own),
 * and a {@code done()} hook that prints one {@value #RESULT_MARKER} line of JSON with wrk's counts,
 * its exact latency percentiles and its own CPU ({@link WrkResult#parse(String)} reads it).
 *
 * <p>wrk checks no bodies: a request counts as answered whatever its body, and {@code status}
 * errors are answers with a status of 400 or more.
 *
 * @param target    where the requests go; a secret in its Authorization header ends up in the script
 *                  file, which {@link #write(Path)} makes readable by its owner only
 * @param highestId ids are drawn from 1..highestId
 * @param seed      seeds the id draw
 */
record WrkScript(Target target, long highestId, long seed) {

    /** Starts the line the {@code done()} hook prints. */
    static final String RESULT_MARKER = "WRK_RESULT ";

    WrkScript {
        Objects.requireNonNull(target, "target");
        if (highestId < 1) {
            throw new IllegalArgumentException("highestId must be >= 1");
        }
    }

    String lua() {
        String headers = target.authorization() == null ? "{}"
                : "{ [\"Authorization\"] = " + quoted(target.authorization()) + " }";
        return String.format(Locale.ROOT, """
                -- namegate closed-loop sweep: %s, ids 1..%d
                local method, prefix, highest = "%s", %s, %d
                local headers = %s
                math.randomseed(%d)

                request = function()
                  return wrk.format(method, prefix .. math.random(1, highest), headers)
                end

                -- wrk's own CPU (utime + stime of the whole process, clock ticks), -1 without /proc
                local function cpu_ticks()
                  local file = io.open("/proc/self/stat", "r")
                  if not file then return -1 end
                  local stat = file:read("*l")
                  file:close()
                  -- the command name may hold spaces: count fields after its closing parenthesis
                  local fields = {}
                  for field in stat:match(".*%%) (.*)"):gmatch("%%S+") do fields[#fields + 1] = field end
                  return tonumber(fields[12]) + tonumber(fields[13])
                end

                done = function(summary, latency, requests)
                  local e = summary.errors
                  io.write(string.format('%s{"duration_us":%%.0f,"requests":%%.0f,"non2xx":%%.0f,'
                    .. '"connect_errors":%%.0f,"read_errors":%%.0f,"write_errors":%%.0f,"timeouts":%%.0f,'
                    .. '"p50_us":%%.0f,"p99_us":%%.0f,"max_us":%%.0f,"cpu_ticks":%%.0f}\\n',
                    summary.duration, summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
                    latency:percentile(50), latency:percentile(99), latency.max, cpu_ticks()))
                end
                """, target, highestId, target.post() ? "POST" : "GET", quoted(target.pathPrefix()), highestId,
                headers, seed, RESULT_MARKER);
    }

    /** Writes the script to {@code file}, readable by its owner only (it may hold a key), and returns the file. */
    Path write(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // best effort, as for the keys file
        }
        Files.writeString(file, lua(), StandardCharsets.UTF_8);
        return file;
    }

    /** A Lua string literal; a key or path holds no control characters, but quotes and backslashes are escaped. */
    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
