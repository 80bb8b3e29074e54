package org.mailsync;

import org.jspecify.annotations.Nullable;

/**
 * A folder cannot be used: it does not exist, cannot be created, its name cannot be held by this
 * store (a path that would escape a Maildir root, a separator inside a segment), or it is damaged.
 * Skip this folder, report it, and go on with the others.
 *
 * <p>Immutable once thrown.
 */
public final class FolderUnusableException extends MailStoreException {
    private static final long serialVersionUID = 1L;

    public FolderUnusableException(ErrorContext context, @Nullable String reason, @Nullable Throwable cause) {
        super(context, reason, cause);
    }
}
