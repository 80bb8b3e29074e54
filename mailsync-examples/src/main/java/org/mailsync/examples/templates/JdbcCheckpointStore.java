package org.mailsync.examples.templates;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

/**
 * Template: keep the engine's checkpoints in your own database instead of files. The engine hands
 * over records (a key, a format version, bytes) and never asks the store to read them, so two
 * tables do: a snapshot row per folder pair, and journal rows appended between snapshots. What
 * {@link CheckpointStore} asks for: a journal row is committed before {@code append} returns
 * (auto-commit), and {@code save} replaces the snapshot and clears the journal in one transaction.
 *
 * <p>The columns are standard SQL as H2 takes it; on PostgreSQL write {@code BYTEA} for {@code
 * BLOB} and {@code BIGSERIAL} for the identity column. The tables of this template's first version
 * (the engine's model as text) are not these: drop them first. Several runs sharing the database
 * also need {@link CheckpointStore#lock()} (a lease row with an epoch); this template leaves it
 * out.
 *
 * <p>Thread-safe if the data source is: each call takes its own connection.
 */
public final class JdbcCheckpointStore implements CheckpointStore {
    private final DataSource dataSource;
    private final String syncId;

    private JdbcCheckpointStore(DataSource dataSource, String syncId) {
        this.dataSource = dataSource;
        this.syncId = syncId;
    }

    /**
     * A store for the sync named {@code syncId} (one per source/target pair, e.g. the account), in
     * {@code dataSource}; creates the tables if they are missing.
     */
    public static JdbcCheckpointStore create(DataSource dataSource, String syncId) throws IOException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS mailsync_checkpoint ("
                    + "sync_id VARCHAR(200) NOT NULL, pair_key VARCHAR(4000) NOT NULL, "
                    + "version BIGINT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (sync_id, pair_key))");
            s.execute("CREATE TABLE IF NOT EXISTS mailsync_journal ("
                    + "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sync_id VARCHAR(200) NOT NULL, "
                    + "pair_key VARCHAR(4000) NOT NULL, version BIGINT NOT NULL, data BLOB NOT NULL)");
        } catch (SQLException e) {
            throw new IOException("cannot create the checkpoint tables: " + e.getMessage(), e);
        }
        return new JdbcCheckpointStore(dataSource, syncId);
    }

    @Override
    public Optional<CheckpointRecord> snapshot(String key) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement q = prepare(
                        c, "SELECT version, data FROM mailsync_checkpoint WHERE sync_id=? AND pair_key=?", key);
                ResultSet rs = q.executeQuery()) {
            return rs.next() ? Optional.of(new CheckpointRecord(key, rs.getLong(1), rs.getBytes(2))) : Optional.empty();
        } catch (SQLException e) {
            throw new IOException("cannot read the checkpoint " + describeSnapshot(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<CheckpointRecord> journal(String key) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement q = prepare(
                        c,
                        "SELECT version, data FROM mailsync_journal WHERE sync_id=? AND pair_key=? ORDER BY seq",
                        key);
                ResultSet rs = q.executeQuery()) {
            List<CheckpointRecord> entries = new ArrayList<>();
            while (rs.next()) {
                entries.add(new CheckpointRecord(key, rs.getLong(1), rs.getBytes(2)));
            }
            return entries;
        } catch (SQLException e) {
            throw new IOException("cannot read the checkpoint " + describeJournal(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(CheckpointRecord snapshot) throws IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement d =
                        prepare(c, "DELETE FROM mailsync_checkpoint WHERE sync_id=? AND pair_key=?", snapshot.key())) {
                    d.executeUpdate();
                }
                try (PreparedStatement i = prepare(
                        c,
                        "INSERT INTO mailsync_checkpoint (sync_id, pair_key, version, data) VALUES (?, ?, ?, ?)",
                        snapshot.key())) {
                    i.setLong(3, snapshot.version());
                    i.setBytes(4, snapshot.data());
                    i.executeUpdate();
                }
                try (PreparedStatement d =
                        prepare(c, "DELETE FROM mailsync_journal WHERE sync_id=? AND pair_key=?", snapshot.key())) {
                    d.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException(
                    "cannot save the checkpoint " + describeSnapshot(snapshot.key()) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void append(CheckpointRecord entry) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement i = prepare(
                        c,
                        "INSERT INTO mailsync_journal (sync_id, pair_key, version, data) VALUES (?, ?, ?, ?)",
                        entry.key())) {
            i.setLong(3, entry.version());
            i.setBytes(4, entry.data());
            i.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IOException("cannot append to " + describeJournal(entry.key()) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describeSnapshot(String key) {
        return "row (" + syncId + ", " + key + ") of table mailsync_checkpoint";
    }

    @Override
    public String describeJournal(String key) {
        return "rows (" + syncId + ", " + key + ") of table mailsync_journal";
    }

    private PreparedStatement prepare(Connection c, String sql, String key) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setString(1, syncId);
        s.setString(2, key);
        return s;
    }

    @Override
    public String toString() {
        return "JdbcCheckpointStore[" + syncId + "]";
    }
}
