package org.mailsync.cluster;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One account's row in the cluster's table, as read (never its sealed passwords). Immutable.
 *
 * @param account the account id (the db-scheduler instance id: one execution per account)
 * @param source the source mailbox
 * @param target the target mailbox
 * @param legacyHost the source's {@code host:port}, the key of its cluster-wide connection cap
 * @param options the pass's options ({@link PassOptions#format()})
 * @param kind why its pass runs
 * @param state where it stands
 * @param reason why it failed or waits; empty for none
 * @param messagesDone messages copied by the current or last pass
 * @param messagesTotal messages the current or last pass found to copy
 * @param bytesDone bytes copied by the current or last pass
 * @param bytesTotal bytes the current or last pass found to copy
 * @param attempts failed attempts in a row
 * @param passes completed passes
 * @param worker the worker that runs or last ran it
 * @param enqueuedAt when it was (last) queued
 * @param startedAt when its current or last run started
 * @param finishedAt when its last pass ended
 * @param updatedAt when the row last changed
 */
public record AccountJob(
        String account,
        Mailbox source,
        Mailbox target,
        String legacyHost,
        String options,
        JobKind kind,
        JobState state,
        String reason,
        long messagesDone,
        long messagesTotal,
        long bytesDone,
        long bytesTotal,
        int attempts,
        int passes,
        @Nullable String worker,
        Instant enqueuedAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        Instant updatedAt) {

    /** The worker that runs or last ran it, if any. */
    public Optional<String> optionalWorker() {
        return Optional.ofNullable(worker);
    }
}
