package dev.namegate.upstream.retry;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.namegate.upstream.attempt.AttemptFailure;

/**
 * One line per retry, like the story's logs ({@code retrying: status 500}). It has its own logger
 * ({@code dev.namegate.upstream.retry}) so it can be turned down under load without silencing
 * anything else. Fields are also attached as key-value pairs for structured (JSON) logging.
 */
public final class RetryLog implements RetryPolicy.RetryListener {

    private static final Logger LOG = LoggerFactory.getLogger("dev.namegate.upstream.retry");

    @Override
    public void retrying(String requestId, long attempt, AttemptFailure failure, Duration delay) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.atInfo()
                .addKeyValue("requestId", requestId)
                .addKeyValue("attempt", attempt)
                .addKeyValue("reason", failure.reason())
                .log("retrying: {} [request={} attempt={} backoff={}us]",
                        failure.reason(), requestId, attempt, delay.toNanos() / 1000);
    }
}
