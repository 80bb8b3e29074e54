package org.mailsync;

import org.jspecify.annotations.Nullable;

/**
 * One message cannot be read or written: too large for the target, refused by the server (its
 * text is in the reason), malformed. Skip this message, report it, and go on.
 *
 * <p>Immutable once thrown.
 */
public final class MessageRejectedException extends MailStoreException {
    private static final long serialVersionUID = 1L;

    public MessageRejectedException(ErrorContext context, @Nullable String reason, @Nullable Throwable cause) {
        super(context, reason, cause);
    }
}
