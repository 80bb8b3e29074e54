package org.mailsync.imap;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The deadline of the operation the current thread runs, so that the {@link WireGuard} of
 * whatever connection it uses (made anew or borrowed) can bound every read and write by it. Set by
 * {@link Retrier#run} around one operation and all its retries; a nested operation keeps the
 * earlier of the two deadlines.
 *
 * <p>Thread-safe: each thread sees its own deadline.
 */
final class Deadline {
    private static final ThreadLocal<@Nullable Deadline> CURRENT = new ThreadLocal<>();

    private final long at;
    private final Duration length;

    private Deadline(long at, Duration length) {
        this.at = at;
        this.length = length;
    }

    /** Starts a deadline {@code length} from now, unless an earlier one is already running. */
    static Scope start(Duration length) {
        Deadline outer = CURRENT.get();
        long at = System.nanoTime() + length.toNanos();
        if (outer == null || at - outer.at < 0) {
            CURRENT.set(new Deadline(at, length));
        }
        return () -> CURRENT.set(outer);
    }

    /** Nanoseconds left before the current deadline, or {@code Long.MAX_VALUE} without one. */
    static long remainingNanos(long now) {
        Deadline d = CURRENT.get();
        return d == null ? Long.MAX_VALUE : d.at - now;
    }

    /** The length of the current deadline, for messages. */
    static @Nullable Duration currentLength() {
        Deadline d = CURRENT.get();
        return d == null ? null : d.length;
    }

    /** Ends a deadline started by {@link #start}. */
    @FunctionalInterface
    interface Scope {
        void close();
    }
}
