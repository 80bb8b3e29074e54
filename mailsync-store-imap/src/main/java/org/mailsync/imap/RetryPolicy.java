package org.mailsync.imap;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * How often and how patiently an idempotent operation is retried after a lost connection or a
 * throttling answer: at most {@code maxAttempts} tries in all, waiting {@code initialDelay} before
 * the second and doubling up to {@code maxDelay} (or the server's own suggestion, if it gave one).
 * An APPEND is never retried after a lost connection, whatever this says.
 *
 * <p>Immutable.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    /** Four attempts, starting at half a second, at most thirty seconds apart. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(30));

    /** One attempt: no retry at all. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        checkArgument(maxAttempts >= 1, "max attempts must be at least 1, not %s", maxAttempts);
        checkArgument(!initialDelay.isNegative(), "initial delay must not be negative, not %s", initialDelay);
        checkArgument(
                maxDelay.compareTo(initialDelay) >= 0,
                "max delay %s must not be shorter than the initial delay %s",
                maxDelay,
                initialDelay);
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1). */
    Duration delayAfter(int attempt) {
        Duration delay = initialDelay;
        for (int i = 1; i < attempt && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
