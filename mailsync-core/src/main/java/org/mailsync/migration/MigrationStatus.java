package org.mailsync.migration;

/** Where an account's migration stands. */
public enum MigrationStatus {
    /** Known (for example queued for bulk pre-staging) but no local account yet. */
    NOT_STARTED,
    /** The local account exists; no copy has started. */
    PROVISIONED,
    /** The first copy is under way (or waiting to be retried). */
    COPYING,
    /** The first copy is complete; delta passes pick up mail that still reaches the legacy server. */
    SYNCED,
    /** Migration is over: no more passes. */
    DONE,
    /** Parked after repeated or fatal failures; see the reason. Other accounts go on. */
    FAILED
}
