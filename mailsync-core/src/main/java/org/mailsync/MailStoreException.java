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

    /**
     * @param reason what happened; where it is null (an exception passed on whose message is
     *     null), the cause's class names it, so that {@link #reason()} is never null
     */
    protected MailStoreException(ErrorContext context, @Nullable String reason, @Nullable Throwable cause) {
        super(context + ": " + reasonOf(reason, cause), cause);
        this.context = context;
        this.reason = reasonOf(reason, cause);
    }

    private static String reasonOf(@Nullable String reason, @Nullable Throwable cause) {
        if (reason != null) {
            return reason;
        }
        return cause == null ? "unknown failure" : cause.toString();
    }

    /** Where and what happened; never null. */
    @Override
    public String getMessage() {
        return context + ": " + reason;
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
