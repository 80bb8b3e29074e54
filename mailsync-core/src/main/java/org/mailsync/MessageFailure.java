package org.mailsync;

/**
 * A message the sync could not copy or update, and why: the context names account, folder and
 * message.
 *
 * <p>Immutable.
 */
public record MessageFailure(ErrorContext context, String reason) {
    @Override
    public String toString() {
        return context + ": " + reason;
    }
}
