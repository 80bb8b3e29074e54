package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fenced leases, one per mailbox, in table {@code mailsync_lease}: at most one run holds a
 * mailbox at a time, and a run whose lease expired or was taken over cannot write any more.
 *
 * <ul>
 *   <li>{@link #acquire} succeeds only if the mailbox is free or its lease expired, and increments
 *       the epoch: a later holder always has a higher one.
 *   <li>Expiry is computed by the database clock ({@code now()}) only, so the nodes' clocks do not
 *       matter; each {@link Lease} also has a local deadline on {@link System#nanoTime()}, set a
 *       little before the database's expiry from the moment the request was sent.
 *   <li>Every write of the holder ({@link JdbcCheckpointStore}, {@code JdbcMigrationStateStore})
 *       runs in one statement with the fence: the lease row with this mailbox, this epoch and an
 *       unexpired time, locked {@code FOR SHARE} until the write commits, so that a concurrent
 *       acquisition waits for it (and the new holder reads it) or it sees the new epoch and writes
 *       nothing.
 *   <li>An expired lease is lost for good, even if nobody took it yet: {@link #renew} refuses it.
 * </ul>
 *
 * <p>The lease's length should be about the job runner's takeover time: shorter and a busy but
 * healthy run may lose it between renewals; longer and a dead worker's mailbox waits.
 *
 * <p>Thread-safe. Closing stops the background renewals ({@link #keepRenewed}); it does not
 * release leases (they expire).
 */
public final class MailboxLeases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MailboxLeases.class);

    /**
     * The fence, as a CTE: one row if {@code (mailbox, epoch)} is the current, unexpired lease, kept
     * share-locked to the end of the statement's transaction. Parameters: mailbox, epoch.
     */
    static final String FENCE = "fence as (select 1 from mailsync_lease"
            + " where mailbox = ? and epoch = ? and expires_at > now() for share)";

    private final DataSource dataSource;
    private final Duration length;
    private final long localNanos;
    private @Nullable ScheduledExecutorService renewer;
    private boolean closed;

    private MailboxLeases(DataSource dataSource, Duration length) {
        this.dataSource = dataSource;
        this.length = length;
        // The local deadline keeps a twentieth (at least 100 ms) in hand for clock-rate
        // differences and the time the request took to reach the database.
        long nanos = length.toNanos();
        this.localNanos = nanos - Math.max(nanos / 20, TimeUnit.MILLISECONDS.toNanos(100));
    }

    /**
     * Leases of {@code length} (at least one second) in the database behind {@code dataSource},
     * whose schema {@link Schema#migrate} has created.
     */
    public static MailboxLeases over(DataSource dataSource, Duration length) {
        checkArgument(
                length.compareTo(Duration.ofSeconds(1)) >= 0, "a lease must last at least one second, not %s", length);
        return new MailboxLeases(dataSource, length);
    }

    /**
     * A holder name for this process: {@code <pid>@<host>} (the host as the operating system names
     * it, or {@code unknown-host}); add a thread or worker number when one process runs several.
     */
    public static String thisProcess() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }

    /** How long a lease lasts after each acquisition or renewal. */
    public Duration length() {
        return length;
    }

    /**
     * Takes the mailbox's lease if it is free or expired, with the next epoch.
     *
     * @param holder who takes it (a worker's name and host: shown to operators, never a secret)
     * @return the lease, or empty if another holder's lease is still running
     */
    public Optional<Lease> acquire(String mailbox, String holder) throws IOException {
        checkArgument(!mailbox.isBlank(), "mailbox must not be blank");
        checkArgument(!holder.isBlank(), "holder must not be blank");
        long sent = System.nanoTime();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("insert into mailsync_lease as l"
                        + " (mailbox, epoch, holder, acquired_at, expires_at)"
                        + " values (?, 1, ?, now(), now() + ? * interval '1 millisecond')"
                        + " on conflict (mailbox) do update set epoch = l.epoch + 1, holder = excluded.holder,"
                        + " acquired_at = excluded.acquired_at, expires_at = excluded.expires_at"
                        + " where l.expires_at <= now()"
                        + " returning epoch")) {
            ps.setString(1, mailbox);
            ps.setString(2, holder);
            ps.setLong(3, length.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Lease(mailbox, rs.getLong(1), holder, sent + localNanos));
            }
        } catch (SQLException e) {
            throw new IOException("cannot take the lease of mailbox " + mailbox + ": " + e.getMessage(), e);
        }
    }

    /**
     * Extends the lease by its {@link #length()} from now, if it is still current and unexpired,
     * and moves its local deadline on.
     *
     * @throws CheckpointLostException if it expired or another holder took it; the lease is then
     *     lost for good (its local checks fail too)
     */
    public void renew(Lease lease) throws IOException {
        lease.checkLocally();
        long sent = System.nanoTime();
        int updated;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("update mailsync_lease"
                        + " set expires_at = now() + ? * interval '1 millisecond'"
                        + " where mailbox = ? and epoch = ? and expires_at > now()")) {
            ps.setLong(1, length.toMillis());
            ps.setString(2, lease.mailbox());
            ps.setLong(3, lease.epoch());
            updated = ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot renew " + lease + ": " + e.getMessage(), e);
        }
        if (updated == 0) {
            throw lost(lease);
        }
        lease.extendTo(sent + localNanos);
    }

    /**
     * Lets the mailbox go (it expires now), if the lease is still current; a lease already lost is
     * left as it is. The lease is unusable afterwards.
     */
    public void release(Lease lease) throws IOException {
        lease.markLost("it was released");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("update mailsync_lease set expires_at = now()"
                        + " where mailbox = ? and epoch = ? and expires_at > now()")) {
            ps.setString(1, lease.mailbox());
            ps.setLong(2, lease.epoch());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot release " + lease + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks the lease locally, then in the database.
     *
     * @throws CheckpointLostException if it expired or another holder took it
     */
    public void check(Lease lease) throws IOException {
        lease.checkLocally();
        try (Connection c = dataSource.getConnection()) {
            checkFence(c, lease);
        } catch (SQLException e) {
            throw new IOException("cannot check " + lease + ": " + e.getMessage(), e);
        }
    }

    /** Fails with the lost-lease exception unless the lease is current and unexpired in the database. */
    static void checkFence(Connection c, Lease lease) throws SQLException, CheckpointLostException {
        try (PreparedStatement ps = c.prepareStatement("with " + FENCE + " select count(*) from fence")) {
            ps.setString(1, lease.mailbox());
            ps.setLong(2, lease.epoch());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    throw lost(c, lease);
                }
            }
        }
    }

    /** The mailbox's lease row, if it ever had one. */
    public Optional<LeaseInfo> current(String mailbox) throws IOException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(current(c, mailbox));
        } catch (SQLException e) {
            throw new IOException("cannot read the lease of mailbox " + mailbox + ": " + e.getMessage(), e);
        }
    }

    /** Every lease held now (unexpired), by mailbox: what is running, for a status page. */
    public List<LeaseInfo> held() throws IOException {
        List<LeaseInfo> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select mailbox, epoch, holder, acquired_at, expires_at, true"
                        + " from mailsync_lease where expires_at > now() order by mailbox");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(info(rs));
            }
        } catch (SQLException e) {
            throw new IOException("cannot list the leases: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Renews {@code lease} in the background every third of its length until the returned handle
     * is closed or the lease is lost (then its local checks fail at once). A renewal that fails for
     * another reason (the database unreachable) is tried again at the next turn; if none succeeds,
     * the local deadline passes and the holder's next write stops it.
     */
    public synchronized Renewal keepRenewed(Lease lease) {
        if (closed) {
            throw new IllegalStateException("these MailboxLeases are closed");
        }
        if (renewer == null) {
            renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mailsync-lease-renewer");
                t.setDaemon(true);
                return t;
            });
        }
        long period = Math.max(1, length.toMillis() / 3);
        ScheduledFuture<?> task = renewer.scheduleWithFixedDelay(
                () -> {
                    try {
                        renew(lease);
                    } catch (CheckpointLostException e) {
                        // Marked lost already (or past its deadline for good): an exception ends
                        // the repetition.
                        throw new IllegalStateException("lease lost", e);
                    } catch (IOException | RuntimeException e) {
                        log.warn("cannot renew {} (will try again): {}", lease, e.getMessage());
                    }
                },
                period,
                period,
                TimeUnit.MILLISECONDS);
        return () -> task.cancel(false);
    }

    /** A background renewal; closing it stops renewing (it does not release the lease). Thread-safe. */
    public interface Renewal extends AutoCloseable {
        /** Stops renewing. */
        @Override
        void close();
    }

    /** Stops every background renewal. */
    @Override
    public synchronized void close() {
        closed = true;
        if (renewer != null) {
            renewer.shutdownNow();
        }
    }

    /** The lost-lease exception for {@code lease}, naming who holds the mailbox now if known; marks it lost. */
    CheckpointLostException lost(Lease lease) {
        try (Connection c = dataSource.getConnection()) {
            return lost(c, lease);
        } catch (SQLException e) {
            String reason =
                    "the database refused the write, and then its lease row could not be read: " + e.getMessage();
            lease.markLost(reason);
            return lease.lost(reason);
        }
    }

    private static CheckpointLostException lost(Connection c, Lease lease) {
        String reason;
        try {
            LeaseInfo now = current(c, lease.mailbox());
            if (now == null) {
                reason = "the mailbox has no lease row any more";
            } else if (now.epoch() != lease.epoch()) {
                reason = "taken over with epoch " + now.epoch() + " by " + now.holder() + " at " + now.acquiredAt();
            } else {
                reason = "it expired at " + now.expiresAt() + " by the database clock";
            }
        } catch (SQLException e) {
            reason = "the database refused the write, and then its lease row could not be read: " + e.getMessage();
        }
        lease.markLost(reason);
        return lease.lost(reason);
    }

    private static @Nullable LeaseInfo current(Connection c, String mailbox) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select mailbox, epoch, holder, acquired_at, expires_at,"
                + " expires_at > now() from mailsync_lease where mailbox = ?")) {
            ps.setString(1, mailbox);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? info(rs) : null;
            }
        }
    }

    private static LeaseInfo info(ResultSet rs) throws SQLException {
        return new LeaseInfo(
                rs.getString(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getObject(4, OffsetDateTime.class).toInstant(),
                rs.getObject(5, OffsetDateTime.class).toInstant(),
                rs.getBoolean(6));
    }

    /** The database behind these leases (for the stores fenced by them). */
    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public String toString() {
        return "MailboxLeases[" + length + "]";
    }
}
