package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * How long to wait between attempts of something that failed for a passing reason (a dropped
 * connection, a throttling server), and when to give up: the one back-off of mailsync, shared by
 * auto-migration's account retries, the engine's folder retries and the IMAP store's retrier.
 *
 * <p>Attempts count from 1. After failed attempt {@code n} the wait is {@code initialDelay ×
 * multiplier^(n-1)}, at most {@code maxDelay}, shortened by a random part of up to {@code jitter}
 * of it (so that many clients failing together do not come back together); a longer wait the server
 * asked for wins over it (it is not capped by {@code maxDelay}: the server knows best). There is no
 * attempt after attempt {@code maxAttempts}, nor one that would start after a deadline.
 *
 * <pre>{@code
 * BackoffPolicy policy = BackoffPolicy.builder()
 *     .initialDelay(Duration.ofSeconds(1)).multiplier(2).maxDelay(Duration.ofMinutes(1))
 *     .maxAttempts(5).jitter(0.2).build();
 * Optional<Duration> wait = policy.nextDelay(attempt, e.retryAfter().orElse(null), clock.instant(), deadline);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class BackoffPolicy {
    /** The longest delay a policy can name (about 292 years, the range of a {@code long} of nanoseconds). */
    public static final Duration MAX_DELAY = Duration.ofNanos(Long.MAX_VALUE);

    /** One attempt, no retry. */
    public static final BackoffPolicy NONE = builder().maxAttempts(1).build();

    private final Duration initialDelay;
    private final double multiplier;
    private final Duration maxDelay;
    private final int maxAttempts;
    private final double jitter;

    private BackoffPolicy(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts, double jitter) {
        checkArgument(
                maxDelay.compareTo(initialDelay) >= 0,
                "max delay %s must not be shorter than the initial delay %s",
                maxDelay,
                initialDelay);
        this.initialDelay = initialDelay;
        this.multiplier = multiplier;
        this.maxDelay = maxDelay;
        this.maxAttempts = maxAttempts;
        this.jitter = jitter;
    }

    /** A builder with the defaults: 1 s doubling up to 1 min, 3 attempts, no jitter. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Doubling from {@code initialDelay} without a practical cap (up to {@code initialDelay × 2^20}),
     * {@code maxAttempts} attempts in all, no jitter: the back-off mailsync used before this type.
     */
    public static BackoffPolicy doubling(Duration initialDelay, int maxAttempts) {
        return builder()
                .initialDelay(initialDelay)
                .multiplier(2)
                .maxDelay(saturatedMultiply(initialDelay, 1L << 20))
                .maxAttempts(maxAttempts)
                .build();
    }

    /** A builder holding this policy's values, to change some of them. */
    public Builder newBuilder() {
        Builder b = new Builder();
        b.initialDelay = initialDelay;
        b.multiplier = multiplier;
        b.maxDelay = maxDelay;
        b.maxAttempts = maxAttempts;
        b.jitter = jitter;
        return b;
    }

    /** The wait after the first failed attempt. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** What each further wait is multiplied by (1 for a constant wait). */
    public double multiplier() {
        return multiplier;
    }

    /** The longest wait this policy chooses by itself. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** Attempts in all, the first one included (1: no retry). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The largest part of a wait taken off at random, 0 (none) to 1. */
    public double jitter() {
        return jitter;
    }

    /** Whether failed attempt {@code attempt} may be followed by another (deadlines aside). */
    public boolean allowsAttemptAfter(int attempt) {
        checkArgument(attempt >= 1, "attempts count from 1, not %s", attempt);
        return attempt < maxAttempts;
    }

    /**
     * The wait after failed attempt {@code attempt} before jitter: {@code initialDelay ×
     * multiplier^(attempt-1)}, at most {@code maxDelay}. Whether there is a next attempt at all is
     * {@link #allowsAttemptAfter}'s answer.
     */
    public Duration delay(int attempt) {
        checkArgument(attempt >= 1, "attempts count from 1, not %s", attempt);
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, attempt - 1);
        // Powers of two times a whole number of nanoseconds are exact in a double: doubling
        // back-offs come out to the nanosecond.
        return nanos >= maxDelay.toNanos() ? maxDelay : Duration.ofNanos(Math.round(nanos));
    }

    /** The wait after failed attempt {@code attempt}, with jitter; empty when the attempts are used up. */
    public Optional<Duration> nextDelay(int attempt) {
        return nextDelay(attempt, null, Instant.MIN, null);
    }

    /**
     * The wait after failed attempt {@code attempt}, with jitter, or the server's wish if that is
     * longer; empty when the attempts are used up or when the next attempt would start after the
     * deadline (it could only fail at once).
     *
     * @param serverWish how long the server asked us to wait (a throttling answer), if it did
     * @param now the current time on the caller's clock
     * @param deadline when the caller's work must be over, if there is such a time
     */
    public Optional<Duration> nextDelay(
            int attempt, @Nullable Duration serverWish, Instant now, @Nullable Instant deadline) {
        return nextDelay(
                attempt, serverWish, now, deadline, ThreadLocalRandom.current().nextDouble());
    }

    /**
     * {@link #nextDelay(int, Duration, Instant, Instant)} for a caller that measures the time left
     * rather than reading a clock (a deadline on {@link System#nanoTime}).
     *
     * @param timeLeft how long until the caller's deadline (negative: it has passed), or null for
     *     no deadline
     */
    public Optional<Duration> nextDelay(int attempt, @Nullable Duration serverWish, @Nullable Duration timeLeft) {
        return nextDelay(
                attempt, serverWish, timeLeft, ThreadLocalRandom.current().nextDouble());
    }

    /** {@link #nextDelay(int, Duration, Instant, Instant)} with the random draw given (0 ≤ random < 1). */
    Optional<Duration> nextDelay(
            int attempt, @Nullable Duration serverWish, Instant now, @Nullable Instant deadline, double random) {
        return nextDelay(attempt, serverWish, deadline == null ? null : Duration.between(now, deadline), random);
    }

    private Optional<Duration> nextDelay(
            int attempt, @Nullable Duration serverWish, @Nullable Duration timeLeft, double random) {
        if (!allowsAttemptAfter(attempt)) {
            return Optional.empty();
        }
        Duration base = delay(attempt);
        Duration wait = jitter == 0 ? base : Duration.ofNanos(Math.round(base.toNanos() * (1 - jitter * random)));
        if (serverWish != null && serverWish.compareTo(wait) > 0) {
            wait = serverWish;
        }
        if (timeLeft != null && timeLeft.compareTo(wait) < 0) {
            return Optional.empty();
        }
        return Optional.of(wait);
    }

    /**
     * Runs {@code attempt} until it succeeds, waiting between failures as this policy says. A
     * failure that {@code failures} does not call retryable, used-up attempts or a deadline the
     * next attempt would miss end it by throwing the last failure; an interrupt while waiting ends
     * it with {@link InterruptedException}. Runtime exceptions are never retried.
     *
     * @param clock the clock the deadline is on
     * @param deadline when to stop retrying, or null for none
     * @param sleeper how to wait ({@link Sleeper#THREAD} outside tests)
     */
    public <T, X extends Exception> T retry(
            Attempt<T, X> attempt, Failures<X> failures, Clock clock, @Nullable Instant deadline, Sleeper sleeper)
            throws X, InterruptedException {
        for (int n = 1; ; n++) {
            X failure;
            try {
                return attempt.run(n);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                // attempt.run declares only X: every checked exception it throws is one.
                @SuppressWarnings("unchecked")
                X x = (X) e;
                failure = x;
            }
            if (!failures.retryable(failure)) {
                throw failure;
            }
            Optional<Duration> wait = nextDelay(n, failures.serverWish(failure), clock.instant(), deadline);
            if (wait.isEmpty()) {
                throw failure;
            }
            failures.retrying(failure, n, wait.get());
            sleeper.sleep(wait.get());
        }
    }

    private static Duration saturatedMultiply(Duration d, long factor) {
        return d.compareTo(MAX_DELAY.dividedBy(factor)) > 0 ? MAX_DELAY : d.multipliedBy(factor);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof BackoffPolicy p
                && initialDelay.equals(p.initialDelay)
                && Double.compare(multiplier, p.multiplier) == 0
                && maxDelay.equals(p.maxDelay)
                && maxAttempts == p.maxAttempts
                && Double.compare(jitter, p.jitter) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initialDelay, multiplier, maxDelay, maxAttempts, jitter);
    }

    @Override
    public String toString() {
        return "BackoffPolicy[" + maxAttempts + " attempts, " + initialDelay + " × " + multiplier + " up to " + maxDelay
                + (jitter == 0 ? "" : ", jitter " + jitter) + "]";
    }

    /** One attempt of a {@link #retry}; {@code attempt} counts from 1. */
    @FunctionalInterface
    public interface Attempt<T, X extends Exception> {
        /** Runs attempt number {@code attempt}. */
        T run(int attempt) throws X;
    }

    /** Which failures of a {@link #retry} are worth another attempt, and what to say when retrying. */
    @FunctionalInterface
    public interface Failures<X extends Exception> {
        /** Whether another attempt may succeed (a dropped connection: yes; a refused login: no). */
        boolean retryable(X failure);

        /** How long the server asked to wait, if it did. Default: it did not. */
        default @Nullable Duration serverWish(X failure) {
            return null;
        }

        /** Called before each wait, to log it. Default: nothing. */
        default void retrying(X failure, int failedAttempt, Duration wait) {}
    }

    /** Waits; a seam for tests. */
    @FunctionalInterface
    public interface Sleeper {
        /** Sleeps on the calling thread. */
        Sleeper THREAD = d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());

        /** Waits {@code duration}. */
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * Builds a {@link BackoffPolicy}; every setting can be made once ("max attempts was already set
     * to 3"). Not thread-safe.
     */
    public static final class Builder {
        private Duration initialDelay = Duration.ofSeconds(1);
        private double multiplier = 2;
        private Duration maxDelay = Duration.ofMinutes(1);
        private int maxAttempts = 3;
        private double jitter;
        private final Set<String> set = new HashSet<>();

        private Builder() {}

        private void once(String name, Object current) {
            checkState(set.add(name), "%s was already set to %s", name, current);
        }

        /** The wait after the first failed attempt. Default 1 s. */
        public Builder initialDelay(Duration delay) {
            once("initial delay", initialDelay);
            checkArgument(
                    !delay.isNegative() && delay.compareTo(MAX_DELAY) <= 0,
                    "initial delay must be 0 .. %s, not %s",
                    MAX_DELAY,
                    delay);
            initialDelay = delay;
            return this;
        }

        /** What each further wait is multiplied by, 1 or more. Default 2. */
        public Builder multiplier(double factor) {
            once("multiplier", multiplier);
            checkArgument(factor >= 1 && factor <= 1000, "multiplier must be 1..1000, not %s", factor);
            multiplier = factor;
            return this;
        }

        /** The longest wait the policy chooses by itself. Default 1 min. */
        public Builder maxDelay(Duration delay) {
            once("max delay", maxDelay);
            checkArgument(
                    !delay.isNegative() && delay.compareTo(MAX_DELAY) <= 0,
                    "max delay must be 0 .. %s, not %s",
                    MAX_DELAY,
                    delay);
            maxDelay = delay;
            return this;
        }

        /** Attempts in all, the first included; 1 means no retry. Default 3. */
        public Builder maxAttempts(int attempts) {
            once("max attempts", maxAttempts);
            checkArgument(attempts >= 1, "max attempts must be at least 1, not %s", attempts);
            maxAttempts = attempts;
            return this;
        }

        /** The largest part of a wait taken off at random, 0 to 1 (0.2: each wait is 80..100 %). Default 0. */
        public Builder jitter(double fraction) {
            once("jitter", jitter);
            checkArgument(fraction >= 0 && fraction <= 1, "jitter must be 0..1, not %s", fraction);
            jitter = fraction;
            return this;
        }

        /** Builds the policy; the max delay must not be shorter than the initial one. */
        public BackoffPolicy build() {
            return new BackoffPolicy(initialDelay, multiplier, maxDelay, maxAttempts, jitter);
        }
    }
}
