package org.mailsync.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waits for a task and rethrows what it threw as itself, not wrapped.
 *
 * <p>Thread-safe (stateless).
 */
public final class Futures {
    private Futures() {}

    /** The task's result; its checked exception of type {@code checked} is rethrown as is. */
    public static <T, X extends Exception> T await(Future<T> future, Class<X> checked) throws X, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (checked.isInstance(cause)) {
                throw checked.cast(cause);
            }
            if (cause instanceof InterruptedException ie) {
                throw ie;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }
}
