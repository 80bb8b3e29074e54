package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mailsync.migration.AccountState;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.spi.MigrationStateStore;

/**
 * Auto-migration's account states in table {@code mailsync_account_state}, one row per account,
 * each with a version that every save compares and increments: two nodes (or two store instances)
 * updating one account cannot overwrite each other's change unseen; the later save fails with
 * {@link StaleStateException} and must start again from the current state.
 *
 * <p>This instance remembers the version of each state it read ({@link #loadAll}, {@link #load})
 * or wrote; {@link #save} is based on it (no version known: the account must have no row yet).
 * {@link #update} reads, changes and saves in a loop until no other writer intervened. A job that
 * holds the account's {@link Lease} saves with {@link #save(AccountState, Lease)}: refused as well
 * once the lease moved on.
 *
 * <p>Times are kept to the microsecond (PostgreSQL's {@code timestamptz}).
 *
 * <p>Thread-safe.
 */
public final class JdbcMigrationStateStore implements MigrationStateStore {
    private static final String COLUMNS = "account, domain, legacy_login, status, reason, provisioned, password_set,"
            + " recent_pass_done, queued, attempts, next_attempt_at, first_copy_at, last_pass_at, messages_copied,"
            + " updated_at";
    private static final int UPDATE_ATTEMPTS = 20;

    private final DataSource dataSource;
    private final Map<String, Long> versions = new ConcurrentHashMap<>();

    private JdbcMigrationStateStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The states in the database behind {@code dataSource}, whose schema {@link Schema#migrate} created. */
    public static JdbcMigrationStateStore over(DataSource dataSource) {
        return new JdbcMigrationStateStore(dataSource);
    }

    /**
     * A state and the version it has in the database. Immutable.
     *
     * @param state the state
     * @param version its version: 1 when first saved, one more on every save
     */
    public record Versioned(AccountState state, long version) {
        public Versioned {
            checkArgument(version >= 1, "a saved state has version 1 or more, not %s", version);
        }
    }

    @Override
    public List<AccountState> loadAll() throws IOException {
        List<AccountState> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select " + COLUMNS + ", version from mailsync_account_state order by account");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Versioned v = read(rs);
                versions.put(v.state().account(), v.version());
                out.add(v.state());
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the migration states: " + e.getMessage(), e);
        }
        return out;
    }

    /** The account's state and version now, if it has one; later saves are based on it. */
    public Optional<Versioned> load(String account) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select " + COLUMNS + ", version from mailsync_account_state where account = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    versions.remove(account);
                    return Optional.empty();
                }
                Versioned v = read(rs);
                versions.put(account, v.version());
                return Optional.of(v);
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the migration state of " + account + ": " + e.getMessage(), e);
        }
    }

    /**
     * Saves the state if the database still holds the version this instance last read or wrote
     * (or no row, if it knows none).
     *
     * @throws StaleStateException if another writer saved the account in between
     */
    @Override
    public void save(AccountState state) throws IOException {
        compareAndSet(state, versions.getOrDefault(state.account(), 0L), null);
    }

    /**
     * {@link #save(AccountState)}, and only while {@code lease} (the account's, held by this job) is
     * current: one statement with the lease fence.
     *
     * @throws org.mailsync.CheckpointLostException if the lease moved on
     * @throws StaleStateException if another writer saved the account in between
     */
    public void save(AccountState state, Lease lease) throws IOException {
        compareAndSet(state, versions.getOrDefault(state.account(), 0L), lease);
    }

    /**
     * Saves {@code state} if the account's version is {@code expectedVersion} (0: no row yet).
     *
     * @return the new version
     * @throws StaleStateException if it is not
     */
    public long compareAndSet(AccountState state, long expectedVersion) throws IOException {
        return compareAndSet(state, expectedVersion, null);
    }

    /**
     * Reads the account's state, applies {@code change} and saves the result, again from the new
     * state whenever another writer saved in between (up to {@value #UPDATE_ATTEMPTS} times).
     * {@code change} may run more than once and must not have side effects.
     *
     * @param fresh the state to start from if the account has none (null: it must have one)
     * @throws IllegalStateException if the account has no state and {@code fresh} is null
     */
    public Versioned update(String account, @Nullable AccountState fresh, UnaryOperator<AccountState> change)
            throws IOException {
        StaleStateException last = null;
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
            Optional<Versioned> now = load(account);
            AccountState before;
            long version;
            if (now.isPresent()) {
                before = now.get().state();
                version = now.get().version();
            } else if (fresh != null) {
                before = fresh;
                version = 0;
            } else {
                throw new IllegalStateException("no migration state for " + account);
            }
            AccountState after = change.apply(before);
            checkArgument(
                    after.account().equals(account), "a change of %s returned a state of %s", account, after.account());
            try {
                return new Versioned(after, compareAndSet(after, version, null));
            } catch (StaleStateException e) {
                last = e;
            }
        }
        throw java.util.Objects.requireNonNull(last);
    }

    /** How many accounts are in each status (statuses with none left out): for a status page. */
    public Map<MigrationStatus, Long> countByStatus() throws IOException {
        Map<MigrationStatus, Long> out = new EnumMap<>(MigrationStatus.class);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select status, count(*) from mailsync_account_state group by status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(MigrationStatus.valueOf(rs.getString(1)), rs.getLong(2));
            }
        } catch (SQLException | IllegalArgumentException e) {
            throw new IOException("cannot count the migration states: " + e.getMessage(), e);
        }
        return out;
    }

    private long compareAndSet(AccountState s, long expected, @Nullable Lease lease) throws IOException {
        checkArgument(expected >= 0, "expected version must not be negative, not %s", expected);
        if (lease != null) {
            lease.checkLocally();
        }
        String fence = lease == null ? "" : "with " + MailboxLeases.FENCE + " ";
        String fenced = lease == null ? "" : " and exists (select 1 from fence)";
        String sql = expected == 0
                ? fence + "insert into mailsync_account_state (" + COLUMNS + ", version)"
                        + " select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1 where true" + fenced
                        + " on conflict (account) do nothing returning version"
                : fence + "update mailsync_account_state set domain = ?, legacy_login = ?, status = ?, reason = ?,"
                        + " provisioned = ?, password_set = ?, recent_pass_done = ?, queued = ?, attempts = ?,"
                        + " next_attempt_at = ?, first_copy_at = ?, last_pass_at = ?, messages_copied = ?,"
                        + " updated_at = ?, version = version + 1"
                        + " where account = ? and version = ?" + fenced + " returning version";
        Long saved;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (lease != null) {
                ps.setString(i++, lease.mailbox());
                ps.setLong(i++, lease.epoch());
            }
            if (expected == 0) {
                ps.setString(i++, s.account());
            }
            ps.setString(i++, s.domain());
            ps.setString(i++, s.legacyLogin());
            ps.setString(i++, s.status().name());
            ps.setString(i++, s.reason());
            ps.setBoolean(i++, s.provisioned());
            ps.setBoolean(i++, s.passwordSet());
            ps.setBoolean(i++, s.recentPassDone());
            ps.setBoolean(i++, s.queued());
            ps.setInt(i++, s.attempts());
            setInstant(ps, i++, s.nextAttemptAt());
            setInstant(ps, i++, s.firstCopyAt());
            setInstant(ps, i++, s.lastPassAt());
            ps.setLong(i++, s.messagesCopied());
            setInstant(ps, i++, s.updatedAt());
            if (expected != 0) {
                ps.setString(i++, s.account());
                ps.setLong(i++, expected);
            }
            try (ResultSet rs = ps.executeQuery()) {
                saved = rs.next() ? rs.getLong(1) : null;
            }
            if (saved == null) {
                if (lease != null) {
                    MailboxLeases.checkFence(c, lease);
                }
                throw new StaleStateException(s.account(), expected, versionOf(c, s.account()));
            }
        } catch (SQLException e) {
            throw new IOException("cannot save the migration state of " + s.account() + ": " + e.getMessage(), e);
        }
        versions.put(s.account(), saved);
        return saved;
    }

    private static long versionOf(Connection c, String account) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("select version from mailsync_account_state where account = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static void setInstant(PreparedStatement ps, int index, @Nullable Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Versioned read(ResultSet rs) throws SQLException {
        AccountState state = new AccountState(
                rs.getString("account"),
                rs.getString("domain"),
                rs.getString("legacy_login"),
                MigrationStatus.valueOf(rs.getString("status")),
                rs.getString("reason"),
                rs.getBoolean("provisioned"),
                rs.getBoolean("password_set"),
                rs.getBoolean("recent_pass_done"),
                rs.getBoolean("queued"),
                rs.getInt("attempts"),
                instant(rs, "next_attempt_at"),
                instant(rs, "first_copy_at"),
                instant(rs, "last_pass_at"),
                rs.getLong("messages_copied"),
                java.util.Objects.requireNonNull(instant(rs, "updated_at")));
        return new Versioned(state, rs.getLong("version"));
    }

    @Override
    public String toString() {
        return "JdbcMigrationStateStore";
    }
}
