package org.mailsync.status;

/**
 * What a status page shows of a running migration, and its one action: implemented by whoever runs
 * the migration (an in-process runner, or the cluster over its database tables) and read by {@link
 * StatusServer}.
 *
 * <p>Implementations must be thread-safe: the server calls {@link #snapshot()} and {@link
 * #retry(String)} from its HTTP threads, several at once (each open page polls about once a
 * second), while the migration goes on. {@link #snapshot()} should be cheap enough for that rate
 * (one or a few aggregate queries, not a scan per account); it may cap its lists (see {@link
 * StatusSnapshot#runningTotal()} and {@link StatusSnapshot#failuresTotal()}), and the server caps
 * what it sends again.
 */
public interface StatusView {
    /**
     * The migration as it stands now. Never null; an empty migration is a snapshot with empty maps
     * and lists. A failure to read the state (a database down) is thrown as an unchecked exception;
     * the page then shows that the status is unavailable and keeps polling.
     */
    StatusSnapshot snapshot();

    /**
     * Puts a failed account back in the queue, to be tried again from its checkpoint.
     *
     * @param account the account name, as in {@link AccountFailure#account()}; the caller passes
     *     what a browser sent, so it may name no account at all
     * @return true if the account was re-queued by this call; false if there is no such account or
     *     it is not in a state that can be retried (already queued or running, done)
     */
    boolean retry(String account);
}
