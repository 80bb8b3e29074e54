package org.mailsync.status;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One mailbox (one account's mail) being copied now.
 *
 * <p>Immutable.
 *
 * @param account the account name
 * @param worker which worker copies it (a node or thread name; free text for the operator)
 * @param messagesDone messages copied so far in this run
 * @param messagesTotal messages this run will copy, or {@link #UNKNOWN} while the folders are still
 *     being listed; it may grow while the run lists more folders
 * @param bytesDone bytes copied so far in this run
 * @param bytesTotal bytes this run will copy, or {@link #UNKNOWN}
 * @param started when this run started
 */
public record RunningMailbox(
        String account,
        String worker,
        long messagesDone,
        long messagesTotal,
        long bytesDone,
        long bytesTotal,
        Instant started) {

    /** A total not known yet. */
    public static final long UNKNOWN = -1;

    public RunningMailbox {
        requireNonNull(account, "account");
        requireNonNull(worker, "worker");
        requireNonNull(started, "started");
        if (messagesDone < 0 || bytesDone < 0) {
            throw new IllegalArgumentException("done counts must not be negative");
        }
        if (messagesTotal < UNKNOWN || bytesTotal < UNKNOWN) {
            throw new IllegalArgumentException("totals must be UNKNOWN (-1) or not negative");
        }
    }
}
