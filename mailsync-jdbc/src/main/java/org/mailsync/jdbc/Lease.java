package org.mailsync.jdbc;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointLostException;

/**
 * A run's fenced hold on one mailbox, from {@link MailboxLeases#acquire}: the mailbox, the epoch
 * it was taken with (every write of the holder is conditional on it) and the holder's name; and
 * a local deadline on {@link System#nanoTime()}, a little before the database's expiry, which
 * each renewal moves on. The monotonic clock keeps counting while the process is stopped ({@code
 * SIGSTOP}, a frozen VM), so a run that wakes past its lease sees it at once, without asking the
 * database.
 *
 * <p>Thread-safe: mailbox, epoch and holder never change (they are its identity, for {@code
 * equals}); the deadline only moves on by renewal, or to "lost" for good.
 */
public final class Lease {
    private final String mailbox;
    private final long epoch;
    private final String holder;
    private volatile long deadlineNanos;
    private volatile @Nullable String lostReason;

    Lease(String mailbox, long epoch, String holder, long deadlineNanos) {
        this.mailbox = mailbox;
        this.epoch = epoch;
        this.holder = holder;
        this.deadlineNanos = deadlineNanos;
    }

    /** The mailbox it holds. */
    public String mailbox() {
        return mailbox;
    }

    /** The epoch it was taken with: one more than the previous holder's. */
    public long epoch() {
        return epoch;
    }

    /** Who holds it (a worker's name), as given to {@link MailboxLeases#acquire}. */
    public String holder() {
        return holder;
    }

    /** Time left before the local deadline; zero or negative once passed or lost. */
    public Duration remaining() {
        if (lostReason != null) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(deadlineNanos - System.nanoTime());
    }

    /** Whether the local deadline has not passed and the lease was not found lost. */
    public boolean locallyValid() {
        return lostReason == null && deadlineNanos - System.nanoTime() > 0;
    }

    /**
     * Fails unless {@link #locallyValid()}: the check before each write, without the database.
     *
     * @throws CheckpointLostException if the local deadline passed or the lease was found lost
     */
    public void checkLocally() throws CheckpointLostException {
        String lost = lostReason;
        if (lost != null) {
            throw lost(lost);
        }
        long late = System.nanoTime() - deadlineNanos;
        if (late >= 0) {
            throw lost("its local deadline passed " + Duration.ofNanos(late).toMillis()
                    + " ms ago (this process was stalled or could not renew it in time)");
        }
    }

    /** The exception for this lease lost for {@code reason}. */
    CheckpointLostException lost(String reason) {
        return new CheckpointLostException(
                "of mailbox " + mailbox + " (lease epoch " + epoch + ", holder " + holder + ")", reason);
    }

    /** Moves the deadline on after a renewal (never back, never after it was lost). */
    synchronized void extendTo(long newDeadlineNanos) {
        if (lostReason == null && newDeadlineNanos - deadlineNanos > 0) {
            deadlineNanos = newDeadlineNanos;
        }
    }

    /** Marks it lost for good: every later local check fails with {@code reason}. */
    synchronized void markLost(String reason) {
        if (lostReason == null) {
            lostReason = reason;
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Lease l && mailbox.equals(l.mailbox) && epoch == l.epoch && holder.equals(l.holder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mailbox, epoch, holder);
    }

    @Override
    public String toString() {
        return "Lease[" + mailbox + ", epoch " + epoch + ", " + holder + (locallyValid() ? "" : ", lost") + "]";
    }
}
