package org.mailsync.migration;

import org.mailsync.SyncReport;

/**
 * Receives migration events: for a vendor's status page, a log, a metrics counter. Every method
 * has an empty default.
 *
 * <p>Implementations must be thread-safe and quick: they are called from login and migration threads.
 */
public interface MigrationListener {
    /** A listener that ignores everything. */
    MigrationListener NONE = new MigrationListener() {};

    /** An account's state was saved with a change (status, counts, reason). */
    default void stateChanged(AccountState previous, AccountState now) {}

    /** A sync pass of an account ended; {@code pass} is "inbox-recent" or "all". */
    default void passFinished(String account, String pass, SyncReport report) {}
}
