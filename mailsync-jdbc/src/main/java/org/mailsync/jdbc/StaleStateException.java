package org.mailsync.jdbc;

import java.io.IOException;

/**
 * An account's migration state was changed by another node (or another store instance) since
 * this one last read it, so this save was refused rather than overwrite it: read the state again
 * ({@link JdbcMigrationStateStore#load}), apply the change to it and save again, or use {@link
 * JdbcMigrationStateStore#update}, which does that.
 *
 * <p>Immutable once thrown.
 */
public final class StaleStateException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String account;
    private final long expectedVersion;
    private final long foundVersion;

    /**
     * @param expectedVersion the version this save was based on, 0 for "no state yet"
     * @param foundVersion the version in the database, 0 for none
     */
    public StaleStateException(String account, long expectedVersion, long foundVersion) {
        super("the migration state of " + account + " was changed elsewhere (version " + foundVersion
                + " in the database, this save was based on "
                + (expectedVersion == 0 ? "no state" : "version " + expectedVersion)
                + "): read it again and apply the change to the current state");
        this.account = account;
        this.expectedVersion = expectedVersion;
        this.foundVersion = foundVersion;
    }

    /** The account. */
    public String account() {
        return account;
    }

    /** The version the refused save was based on (0: none). */
    public long expectedVersion() {
        return expectedVersion;
    }

    /** The version found in the database (0: none). */
    public long foundVersion() {
        return foundVersion;
    }
}
