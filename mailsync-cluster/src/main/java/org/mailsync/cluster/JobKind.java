package org.mailsync.cluster;

import org.mailsync.migration.spi.MigrationRunner;

/**
 * Why an account's pass runs; the declaration order is the priority order, the most urgent first,
 * as {@link MigrationRunner.Priority} orders auto-migration's jobs.
 */
public enum JobKind {
    /** A user waiting at the login prompt for their mail. */
    LOGIN(90),
    /** A pass that was under way before a failure, or that an operator retried. */
    RESUME(70),
    /** A delta pass over a completed account, for mail that still reached the legacy server. */
    DELTA(50),
    /** Bulk pre-staging. */
    BULK(30);

    private final int priority;

    JobKind(int priority) {
        this.priority = priority;
    }

    /** db-scheduler's priority (higher runs first). */
    public int priority() {
        return priority;
    }

    /** The kind of an auto-migration job's priority. */
    public static JobKind of(MigrationRunner.Priority p) {
        return switch (p) {
            case LOGIN -> LOGIN;
            case RESUME -> RESUME;
            case DELTA -> DELTA;
            case BULK -> BULK;
        };
    }
}
