package org.mailsync.imap;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import org.mailsync.BackoffPolicy;

/**
 * The IMAP store's short way to name a {@link BackoffPolicy}: at most {@code maxAttempts} tries in
 * all, waiting {@code initialDelay} before the second and doubling up to {@code maxDelay} (or the
 * server's own suggestion, if it gave one), without jitter. {@link ImapStore.Builder#retry(BackoffPolicy)}
 * takes any policy; this record maps onto one ({@link #toBackoff()}). An APPEND is never retried
 * after a lost connection, whatever the policy says.
 *
 * <p>Immutable.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {
    /** Four attempts, starting at half a second, at most thirty seconds apart. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(30));

    /** One attempt: no retry at all. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO);

    /** Checks the values as {@link BackoffPolicy.Builder} does, so that {@link #toBackoff()} cannot fail. */
    public RetryPolicy {
        checkArgument(maxAttempts >= 1, "max attempts must be at least 1, not %s", maxAttempts);
        checkArgument(!initialDelay.isNegative(), "initial delay must not be negative, not %s", initialDelay);
        checkArgument(
                maxDelay.compareTo(initialDelay) >= 0,
                "max delay %s must not be shorter than the initial delay %s",
                maxDelay,
                initialDelay);
        checkArgument(
                maxDelay.compareTo(BackoffPolicy.MAX_DELAY) <= 0,
                "max delay must be at most %s, not %s",
                BackoffPolicy.MAX_DELAY,
                maxDelay);
    }

    /** The same policy as a {@link BackoffPolicy}: doubling, these attempts and bounds, no jitter. */
    public BackoffPolicy toBackoff() {
        return BackoffPolicy.builder()
                .maxAttempts(maxAttempts)
                .initialDelay(initialDelay)
                .multiplier(2)
                .maxDelay(maxDelay)
                .build();
    }
}
