package org.mailsync;

import org.jspecify.annotations.Nullable;

/**
 * The store as a whole cannot go on: a disk full or read-only, a protocol error the store cannot
 * recover from, a server bug. Stop this account and report it; another pass may succeed once the
 * cause is fixed.
 *
 * <p>Immutable once thrown.
 */
public final class StoreFailureException extends MailStoreException {
    private static final long serialVersionUID = 1L;

    public StoreFailureException(ErrorContext context, @Nullable String reason, @Nullable Throwable cause) {
        super(context, reason, cause);
    }
}
