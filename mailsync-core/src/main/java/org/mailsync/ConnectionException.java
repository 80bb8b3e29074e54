package org.mailsync;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The connection was lost, timed out, could not be made, or the server asked us to slow down.
 * Retry with back-off; {@link #retryAfter()} carries the server's own suggestion where it gave one.
 *
 * <p>Immutable once thrown.
 */
public final class ConnectionException extends MailStoreException {
    private static final long serialVersionUID = 1L;

    private final boolean throttled;
    private final @Nullable Duration retryAfter;

    public ConnectionException(ErrorContext context, @Nullable String reason, @Nullable Throwable cause) {
        this(context, reason, cause, false, null);
    }

    public ConnectionException(
            ErrorContext context,
            @Nullable String reason,
            @Nullable Throwable cause,
            boolean throttled,
            @Nullable Duration retryAfter) {
        super(context, reason, cause);
        this.throttled = throttled;
        this.retryAfter = retryAfter;
    }

    /** Whether the server throttled us (as opposed to the connection failing). */
    public boolean throttled() {
        return throttled;
    }

    /** How long the server asked us to wait, if it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
