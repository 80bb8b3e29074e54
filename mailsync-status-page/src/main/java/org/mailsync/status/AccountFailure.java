package org.mailsync.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An account whose migration failed, as the page lists it with a Retry button.
 *
 * <p>Immutable.
 *
 * @param account the account name (what {@link StatusView#retry(String)} takes)
 * @param reason why the last attempt failed, for the operator (the page escapes it: it may hold
 *     text a remote server sent); never a password
 * @param attempts failed attempts in a row (at least 1)
 * @param time when the last attempt failed
 */
public record AccountFailure(String account, String reason, int attempts, Instant time) {
    public AccountFailure {
        requireNonNull(account, "account");
        requireNonNull(reason, "reason");
        requireNonNull(time, "time");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, not " + attempts);
        }
    }
}
