package org.mailsync;

import org.jspecify.annotations.Nullable;

/**
 * The store refused the credentials. Stop this account; retrying would only lock it out.
 *
 * <p>Immutable once thrown.
 */
public final class AuthenticationException extends MailStoreException {
    private static final long serialVersionUID = 1L;

    public AuthenticationException(ErrorContext context, @Nullable String reason, @Nullable Throwable cause) {
        super(context, reason, cause);
    }
}
