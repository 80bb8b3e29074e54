package org.mailsync;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A failure of a mail store, classified by what the sync engine should do about it: its subclass
 * says whether to stop the account, retry, skip the folder or skip the message. The text names the
 * account, and where known the folder and the message; it never holds a password.
 *
 * <p>Immutable once thrown.
 */
public abstract sealed class MailStoreException extends IOException
        permits AuthenticationException,
                ConnectionException,
                FolderUnusableException,
                MessageRejectedException,
                StoreFailureException {
    private static final long serialVersionUID = 1L;

    private final ErrorContext context;
    private final String reason;

    protected MailStoreException(ErrorContext context, String reason, @Nullable Throwable cause) {
        super(context + ": " + reason, cause);
        this.context = context;
        this.reason = reason;
    }

    /** Where it happened. */
    public ErrorContext context() {
        return context;
    }

    /** What happened, without the place. */
    public String reason() {
        return reason;
    }
}
