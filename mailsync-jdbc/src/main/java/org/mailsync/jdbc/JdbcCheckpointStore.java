package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointBusyException;
import org.mailsync.CheckpointLostException;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

/**
 * A {@link CheckpointStore} in PostgreSQL, fenced by a {@link MailboxLeases mailbox lease}: per
 * folder-pair key a snapshot row in {@code mailsync_checkpoint_snapshot} and the journal entries
 * since it as rows of {@code mailsync_checkpoint_journal}, all under one store name (the mailbox,
 * or the mailbox and a pass kind).
 *
 * <p>Every write ({@link #append}, {@link #save}) and {@link #lock} first checks the lease's local
 * deadline, then runs as one statement joined with the lease row (this mailbox, this epoch,
 * unexpired by the database clock, locked {@code FOR SHARE}): when the lease moved on it writes
 * nothing and throws {@link CheckpointLostException}. The engine journals an intent before each
 * append of mail, so a run whose lease moved on stops before its next append. Reads are not
 * fenced (a dry run reads without a lease).
 *
 * <p>Two ways to hold the lease:
 *
 * <ul>
 *   <li>{@link #fencedBy}: the caller (a job runner) took the lease and renews it; {@link #lock()}
 *       only checks it, and closing that lock leaves it to the caller.
 *   <li>{@link #leasing}: {@link #lock()} takes the lease (or fails with {@link
 *       CheckpointBusyException} naming the holder), renews it in the background, and closing
 *       the lock releases it. Writes outside a lock are refused.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JdbcCheckpointStore implements CheckpointStore {
    private final MailboxLeases leases;
    private final String mailbox;
    private final String store;
    private final @Nullable String holder;
    private volatile @Nullable Lease lease;

    private JdbcCheckpointStore(
            MailboxLeases leases, String mailbox, String store, @Nullable String holder, @Nullable Lease lease) {
        checkArgument(!store.isBlank(), "store must not be blank");
        this.leases = leases;
        this.mailbox = mailbox;
        this.store = store;
        this.holder = holder;
        this.lease = lease;
    }

    /** The checkpoints named after the lease's mailbox, fenced by a lease the caller holds. */
    public static JdbcCheckpointStore fencedBy(MailboxLeases leases, Lease lease) {
        return fencedBy(leases, lease, lease.mailbox());
    }

    /**
     * The checkpoints named {@code store} (e.g. {@code mailbox + "/all"}), fenced by a lease the
     * caller holds and renews.
     */
    public static JdbcCheckpointStore fencedBy(MailboxLeases leases, Lease lease, String store) {
        return new JdbcCheckpointStore(leases, lease.mailbox(), store, null, lease);
    }

    /**
     * The checkpoints named {@code store}, whose {@link #lock()} takes the lease of {@code mailbox}
     * as {@code holder} for the length of the run.
     */
    public static JdbcCheckpointStore leasing(MailboxLeases leases, String mailbox, String store, String holder) {
        checkArgument(!mailbox.isBlank(), "mailbox must not be blank");
        checkArgument(!holder.isBlank(), "holder must not be blank");
        return new JdbcCheckpointStore(leases, mailbox, store, holder, null);
    }

    /** The store name the rows are kept under. */
    public String name() {
        return store;
    }

    /** The lease writes are fenced by now, if any. */
    public Optional<Lease> lease() {
        return Optional.ofNullable(lease);
    }

    @Override
    public CheckpointLock lock() throws IOException, InterruptedException {
        String me = holder;
        if (me == null) {
            Lease held = current();
            leases.check(held);
            return CheckpointLock.NONE;
        }
        Optional<Lease> taken = leases.acquire(mailbox, me);
        if (taken.isEmpty()) {
            String who = leases.current(mailbox)
                    .map(i -> i.holder() + ", lease epoch " + i.epoch() + " until " + i.expiresAt())
                    .orElse("unknown");
            throw new CheckpointBusyException(describe(), who);
        }
        Lease held = taken.get();
        MailboxLeases.Renewal renewal = leases.keepRenewed(held);
        lease = held;
        return new CheckpointLock() {
            private boolean closed;

            @Override
            public synchronized void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                renewal.close();
                lease = null;
                leases.release(held);
            }
        };
    }

    private Lease current() throws CheckpointLostException {
        Lease held = lease;
        if (held == null) {
            throw new CheckpointLostException(
                    describe(), "no lease is held: writes need the lock the engine takes at the start of a pass");
        }
        return held;
    }

    @Override
    public Optional<CheckpointRecord> snapshot(String key) throws IOException {
        try (Connection c = leases.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select version, data from mailsync_checkpoint_snapshot where store = ? and key = ?")) {
            ps.setString(1, store);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new CheckpointRecord(key, rs.getLong(1), rs.getBytes(2)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IOException("cannot read " + describeSnapshot(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<CheckpointRecord> journal(String key) throws IOException {
        List<CheckpointRecord> out = new ArrayList<>();
        try (Connection c = leases.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("select version, data from mailsync_checkpoint_journal"
                        + " where store = ? and key = ? order by seq")) {
            ps.setString(1, store);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CheckpointRecord(key, rs.getLong(1), rs.getBytes(2)));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read " + describeJournal(key) + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Replaces the snapshot and drops the key's journal in one fenced statement. */
    @Override
    public void save(CheckpointRecord snapshot) throws IOException {
        Lease held = current();
        held.checkLocally();
        int saved;
        try (Connection c = leases.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("with " + MailboxLeases.FENCE + ","
                        + " saved as (insert into mailsync_checkpoint_snapshot (store, key, version, data, saved_at)"
                        + " select ?, ?, ?, ?, now() from fence"
                        + " on conflict (store, key) do update set version = excluded.version, data = excluded.data,"
                        + " saved_at = excluded.saved_at returning 1),"
                        + " dropped as (delete from mailsync_checkpoint_journal where store = ? and key = ?"
                        + " and exists (select 1 from saved))"
                        + " select count(*) from saved")) {
            ps.setString(1, held.mailbox());
            ps.setLong(2, held.epoch());
            ps.setString(3, store);
            ps.setString(4, snapshot.key());
            ps.setLong(5, snapshot.version());
            ps.setBytes(6, snapshot.data());
            ps.setString(7, store);
            ps.setString(8, snapshot.key());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                saved = rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IOException("cannot write " + describeSnapshot(snapshot.key()) + ": " + e.getMessage(), e);
        }
        if (saved == 0) {
            throw leases.lost(held);
        }
    }

    /** Adds a journal row in one fenced statement; committed when this returns. */
    @Override
    public void append(CheckpointRecord entry) throws IOException {
        Lease held = current();
        held.checkLocally();
        int inserted;
        try (Connection c = leases.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("with " + MailboxLeases.FENCE
                        + " insert into mailsync_checkpoint_journal (store, key, version, data)"
                        + " select ?, ?, ?, ? from fence")) {
            ps.setString(1, held.mailbox());
            ps.setLong(2, held.epoch());
            ps.setString(3, store);
            ps.setString(4, entry.key());
            ps.setLong(5, entry.version());
            ps.setBytes(6, entry.data());
            inserted = ps.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot write " + describeJournal(entry.key()) + ": " + e.getMessage(), e);
        }
        if (inserted == 0) {
            throw leases.lost(held);
        }
    }

    /** Deletes every snapshot and journal row of this store (an operator's reset), fenced too. */
    public void deleteAll() throws IOException {
        Lease held = current();
        held.checkLocally();
        try (Connection c = leases.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("with " + MailboxLeases.FENCE + ","
                        + " s as (delete from mailsync_checkpoint_snapshot where store = ?"
                        + " and exists (select 1 from fence) returning 1),"
                        + " j as (delete from mailsync_checkpoint_journal where store = ?"
                        + " and exists (select 1 from fence) returning 1)"
                        + " select count(*) from fence")) {
            ps.setString(1, held.mailbox());
            ps.setLong(2, held.epoch());
            ps.setString(3, store);
            ps.setString(4, store);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    throw leases.lost(held);
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot delete the checkpoints " + describe() + ": " + e.getMessage(), e);
        }
    }

    private String describe() {
        return "'" + store + "' (mailbox " + mailbox + ")";
    }

    @Override
    public String describeSnapshot(String key) {
        return "snapshot row (" + store + ", " + key + ") of table mailsync_checkpoint_snapshot";
    }

    @Override
    public String describeJournal(String key) {
        return "journal rows (" + store + ", " + key + ") of table mailsync_checkpoint_journal";
    }

    @Override
    public String toString() {
        return "JdbcCheckpointStore[" + store + ", mailbox " + mailbox + "]";
    }
}
