package dev.namegate.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything that shapes one simulator: where it listens (topology) and how it misbehaves
 * (scenarios). Immutable; change it through {@link #toBuilder()}. The constructor validates, so
 * an instance that exists is usable.
 *
 * <p>A mode is on when its parameter says so: a non-zero probability ({@code failRate},
 * {@code slowFraction}, {@code closeFraction}), or the flags {@code rateLimited}, {@code outage}
 * and {@code badInstances}. All off is the healthy simulator. The builder's scenario methods
 * ({@link Builder#flaky()}, ...) switch a mode on with its default.
 *
 * @param port              TCP port of the first live instance on 127.0.0.1; 0 = ephemeral, and
 *                          further instances use {@code port + i} (or ephemeral ports for 0)
 * @param instances         live HTTP instances sharing behaviour and counters, 1 or more
 * @param deadInstances     extra addresses that can be dead, 0 or more: while {@code badInstances}
 *                          is on their TCP connects never complete, otherwise they serve like the
 *                          live instances (the count is topology, fixed at start; whether they
 *                          are dead can be switched at runtime)
 * @param users             ids 1..users exist; greater ids answer 500 {@code User not exists.}
 * @param outage            every request answers 500 {@code Internal error}
 * @param failRate          probability in [0, 1] that a request for a known id answers a
 *                          transient 500
 * @param rateLimited       whether the token bucket applies
 * @param rateLimit         token refill rate in requests per second, shared by all instances
 * @param rateBurst         bucket size in requests: how many requests may arrive at once
 * @param retryAfterSeconds value of {@code Retry-After} on 429 answers in seconds; 0 = no header
 * @param slowFraction      probability in [0, 1] that a successful answer is delayed
 * @param slowDelay         how long a delayed answer waits, 0 or more
 * @param closeFraction     probability in [0, 1] that an answer carries {@code Connection: close}
 *                          and the connection is closed after it
 * @param badInstances      whether the {@code deadInstances} addresses are dead now; needs at
 *                          least one such address
 *
 * <p>Longer than most classes: one immutable value with a builder for every knob of every failure mode the simulator plays.
 */
public record SimulatorSettings(
        int port,
        int instances,
        int deadInstances,
        long users,
        boolean outage,
        double failRate,
        boolean rateLimited,
        double rateLimit,
        int rateBurst,
        int retryAfterSeconds,
        double slowFraction,
        Duration slowDelay,
        double closeFraction,
        boolean badInstances) {

    /** Default {@link #users()}: ids 1..1000 exist. */
    public static final long DEFAULT_USERS = 1000;
    /** {@link #failRate()} set by {@link Builder#flaky()}: half of the requests fail. */
    public static final double DEFAULT_FAIL_RATE = 0.5;
    /** Default {@link #rateLimit()} in requests per second, the limit from the story. */
    public static final double DEFAULT_RATE_LIMIT = 100;
    /** Default {@link #rateBurst()} in requests: one second's worth at the default rate. */
    public static final int DEFAULT_RATE_BURST = 100;
    /** {@link #slowFraction()} set by {@link Builder#slow()}. */
    public static final double DEFAULT_SLOW_FRACTION = 0.5;
    /** Default {@link #slowDelay()}: well over the client's per-attempt read timeout. */
    public static final Duration DEFAULT_SLOW_DELAY = Duration.ofMillis(150);
    /** {@link #closeFraction()} set by {@link Builder#closing()}. */
    public static final double DEFAULT_CLOSE_FRACTION = 0.5;
    /** {@link #deadInstances()} set by {@link Builder#badInstances()}. */
    public static final int DEFAULT_DEAD_INSTANCES = 1;

    /**
     * @throws IllegalArgumentException naming the first invalid parameter
     * @throws NullPointerException     if {@code slowDelay} is null
     */
    public SimulatorSettings {
        Objects.requireNonNull(slowDelay, "slowDelay");
        require(port >= 0 && port <= 65535, "port must be in [0, 65535], got " + port);
        require(instances >= 1, "instances must be 1 or more, got " + instances);
        require(deadInstances >= 0, "deadInstances must be 0 or more, got " + deadInstances);
        require(port == 0 || port + instances - 1 <= 65535, "port + instances - 1 must be 65535 or less");
        require(users >= 1, "users must be 1 or more, got " + users);
        requireProbability("failRate", failRate);
        // Below one request per 1000 s the bucket arithmetic in nanoseconds gets silly, above
        // 1e9/s every request is one nanosecond apart: both are configuration mistakes.
        require(rateLimit >= 0.001 && rateLimit <= 1e9,
                "rateLimit must be in [0.001, 1e9] requests/s, got " + rateLimit);
        require(rateBurst >= 1, "rateBurst must be 1 or more, got " + rateBurst);
        require(retryAfterSeconds >= 0, "retryAfterSeconds must be 0 or more, got " + retryAfterSeconds);
        requireProbability("slowFraction", slowFraction);
        require(!slowDelay.isNegative(), "slowDelay must be 0 or more, got " + slowDelay);
        requireProbability("closeFraction", closeFraction);
        require(!badInstances || deadInstances >= 1, "badInstances needs deadInstances of 1 or more");
    }

    /** The healthy simulator: one live instance on an ephemeral port, no failures. */
    public static SimulatorSettings defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this value; building never changes this value. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Whether no failure mode is on. */
    public boolean healthy() {
        return scenarios().isEmpty();
    }

    /**
     * The active scenarios by their CLI names ({@link SimulatorScenario#cliName()}), in
     * declaration order; empty when healthy. {@code unknown-ids} is never listed because unknown
     * ids always fail.
     */
    public List<String> scenarios() {
        List<String> names = new ArrayList<>();
        if (failRate > 0) {
            names.add(SimulatorScenario.FLAKY.cliName());
        }
        if (rateLimited) {
            names.add(SimulatorScenario.RATE_LIMITED.cliName());
        }
        if (slowFraction > 0) {
            names.add(SimulatorScenario.SLOW.cliName());
        }
        if (badInstances) {
            names.add(SimulatorScenario.BAD_INSTANCES.cliName());
        }
        if (closeFraction > 0) {
            names.add(SimulatorScenario.CLOSING.cliName());
        }
        if (outage) {
            names.add(SimulatorScenario.OUTAGE.cliName());
        }
        return List.copyOf(names);
    }

    /** Whether {@code other} binds the same sockets, so it can replace this value at runtime. */
    boolean sameTopology(SimulatorSettings other) {
        return port == other.port && instances == other.instances && deadInstances == other.deadInstances;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void requireProbability(String name, double value) {
        require(value >= 0 && value <= 1, name + " must be in [0, 1], got " + value);
    }

    /**
     * Mutable, not thread-safe builder; {@link #build()} validates and copies. The scenario
     * methods switch a mode on with its default unless the mode is already on, so calling them
     * before or after an explicit parameter keeps the explicit value.
     */
    public static final class Builder {
        private int port;
        private int instances = 1;
        private int deadInstances;
        private long users = DEFAULT_USERS;
        private boolean outage;
        private double failRate;
        private boolean rateLimited;
        private double rateLimit = DEFAULT_RATE_LIMIT;
        private int rateBurst = DEFAULT_RATE_BURST;
        private int retryAfterSeconds;
        private double slowFraction;
        private Duration slowDelay = DEFAULT_SLOW_DELAY;
        private double closeFraction;
        private boolean badInstances;

        private Builder() {
        }

        private Builder(SimulatorSettings s) {
            port = s.port;
            instances = s.instances;
            deadInstances = s.deadInstances;
            users = s.users;
            outage = s.outage;
            failRate = s.failRate;
            rateLimited = s.rateLimited;
            rateLimit = s.rateLimit;
            rateBurst = s.rateBurst;
            retryAfterSeconds = s.retryAfterSeconds;
            slowFraction = s.slowFraction;
            slowDelay = s.slowDelay;
            closeFraction = s.closeFraction;
            badInstances = s.badInstances;
        }

        /**
         * Switches every behaviour mode off: the addresses that can be dead serve like the live
         * instances. Topology (how many of each) and {@code users} stay.
         */
        public Builder healthy() {
            outage = false;
            failRate = 0;
            rateLimited = false;
            slowFraction = 0;
            closeFraction = 0;
            badInstances = false;
            return this;
        }

        /** Transient 500s with {@link #DEFAULT_FAIL_RATE} unless already flaky. */
        public Builder flaky() {
            if (failRate == 0) {
                failRate = DEFAULT_FAIL_RATE;
            }
            return this;
        }

        /** Switches the token bucket on with the current rate and burst. */
        public Builder rateLimited() {
            rateLimited = true;
            return this;
        }

        /** Delays with {@link #DEFAULT_SLOW_FRACTION} unless already slow. */
        public Builder slow() {
            if (slowFraction == 0) {
                slowFraction = DEFAULT_SLOW_FRACTION;
            }
            return this;
        }

        /**
         * The addresses that can be dead are dead; {@link #DEFAULT_DEAD_INSTANCES} of them unless
         * there are some already.
         */
        public Builder badInstances() {
            if (deadInstances == 0) {
                deadInstances = DEFAULT_DEAD_INSTANCES;
            }
            badInstances = true;
            return this;
        }

        /** {@code Connection: close} with {@link #DEFAULT_CLOSE_FRACTION} unless already closing. */
        public Builder closing() {
            if (closeFraction == 0) {
                closeFraction = DEFAULT_CLOSE_FRACTION;
            }
            return this;
        }

        /** Every request answers 500 {@code Internal error}. */
        public Builder outage() {
            outage = true;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder instances(int instances) {
            this.instances = instances;
            return this;
        }

        /** How many addresses can be dead (topology); does not by itself make them dead. */
        public Builder deadInstances(int deadInstances) {
            this.deadInstances = deadInstances;
            return this;
        }

        /** Whether the addresses that can be dead are dead now. */
        public Builder badInstances(boolean badInstances) {
            this.badInstances = badInstances;
            return this;
        }

        public Builder users(long users) {
            this.users = users;
            return this;
        }

        public Builder outage(boolean outage) {
            this.outage = outage;
            return this;
        }

        public Builder failRate(double failRate) {
            this.failRate = failRate;
            return this;
        }

        public Builder rateLimited(boolean rateLimited) {
            this.rateLimited = rateLimited;
            return this;
        }

        /** Requests per second; does not by itself switch the limit on. */
        public Builder rateLimit(double rateLimit) {
            this.rateLimit = rateLimit;
            return this;
        }

        /** Requests; does not by itself switch the limit on. */
        public Builder rateBurst(int rateBurst) {
            this.rateBurst = rateBurst;
            return this;
        }

        /** Seconds; 0 = no header. */
        public Builder retryAfterSeconds(int retryAfterSeconds) {
            this.retryAfterSeconds = retryAfterSeconds;
            return this;
        }

        public Builder slowFraction(double slowFraction) {
            this.slowFraction = slowFraction;
            return this;
        }

        public Builder slowDelay(Duration slowDelay) {
            this.slowDelay = slowDelay;
            return this;
        }

        public Builder closeFraction(double closeFraction) {
            this.closeFraction = closeFraction;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid parameter
         */
        public SimulatorSettings build() {
            return new SimulatorSettings(port, instances, deadInstances, users, outage, failRate, rateLimited,
                    rateLimit, rateBurst, retryAfterSeconds, slowFraction, slowDelay, closeFraction, badInstances);
        }
    }
}
