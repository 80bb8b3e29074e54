package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Creates and upgrades mailsync's tables in a PostgreSQL database: numbered SQL scripts ({@code
 * V1__initial.sql}, ...) kept beside this class, each applied once and recorded with its checksum
 * in {@code mailsync_schema_version}.
 *
 * <p>Why not Flyway: a handful of tables on one database kind need three things only, all of
 * which PostgreSQL gives directly: DDL inside a transaction (a script applies whole or not at
 * all), an advisory lock (nodes starting at once apply each script once), and a table of applied
 * versions. Flyway 13 would add several megabytes of jars and its own JSON/TOML stack to every
 * worker for that. Other modules (the cluster's scheduler tables) add their scripts as a
 * {@link #migrate(DataSource, String, Class, List) component} of their own.
 *
 * <p>Thread-safe: stateless; concurrent callers, in one process or many, are serialised by the
 * database.
 */
public final class Schema {
    /** The component name of this module's own scripts. */
    public static final String COMPONENT = "mailsync-jdbc";

    /** This module's scripts, in order; script n is version n. */
    static final ImmutableList<String> SCRIPTS = ImmutableList.of("schema/V1__initial.sql");

    /** The key of the transaction-scoped advisory lock that serialises migrations ("mailsync" in ASCII). */
    private static final long ADVISORY_LOCK = 0x6d61696c73796e63L;

    private static final Pattern SCRIPT_NAME = Pattern.compile("(?:.*/)?V(\\d+)__[A-Za-z0-9_]+\\.sql");

    private Schema() {}

    /** The schema version this mailsync writes and reads. */
    public static int latestVersion() {
        return SCRIPTS.size();
    }

    /**
     * Brings the database to this module's {@link #latestVersion() latest} schema; does nothing if
     * it is there already. Safe to call on every start of every node.
     *
     * @throws IOException if the database cannot be reached, holds a newer schema than this
     *     mailsync knows, or an applied script was changed since
     */
    public static int migrate(DataSource dataSource) throws IOException {
        return migrate(dataSource, COMPONENT, Schema.class, SCRIPTS);
    }

    /**
     * Applies {@code scripts} of {@code component}: resources found through {@code anchor} (names
     * relative to its package), named {@code V<n>__<words>.sql}, script n being version n. Each
     * pending script runs in one transaction with its version row, under an advisory lock held
     * until it commits. Scripts are plain statements separated by {@code ;} at the end of a line,
     * with {@code --} comments on lines of their own (no functions or quoted semicolons).
     *
     * @return the component's version afterwards
     */
    public static int migrate(DataSource dataSource, String component, Class<?> anchor, List<String> scripts)
            throws IOException {
        checkArgument(!component.isBlank(), "component must not be blank");
        List<Script> parsed = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            parsed.add(Script.load(anchor, scripts.get(i), i + 1));
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lock(c);
                createVersionTable(c);
                c.commit();
                Map<Integer, String> applied = applied(c, component);
                c.commit();
                int newest = applied.keySet().stream()
                        .mapToInt(Integer::intValue)
                        .max()
                        .orElse(0);
                if (newest > parsed.size()) {
                    throw new IOException("the database holds schema version " + newest + " of " + component
                            + ", newer than this mailsync's " + parsed.size()
                            + ": run the mailsync version that upgraded it, or a newer one");
                }
                for (Script s : parsed) {
                    String checksum = applied.get(s.version());
                    if (checksum != null) {
                        if (!checksum.equals(s.checksum())) {
                            throw new IOException("schema script " + s.name() + " of " + component
                                    + " was changed after it was applied to this database (checksum "
                                    + checksum + ", now " + s.checksum()
                                    + "): applied scripts must never change; add a new one");
                        }
                        continue;
                    }
                    lock(c);
                    // Another node may have applied it while this one waited for the lock.
                    if (applied(c, component).containsKey(s.version())) {
                        c.commit();
                        continue;
                    }
                    try (Statement st = c.createStatement()) {
                        for (String sql : s.statements()) {
                            st.execute(sql);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("insert into mailsync_schema_version"
                            + " (component, version, script, checksum) values (?, ?, ?, ?)")) {
                        ps.setString(1, component);
                        ps.setInt(2, s.version());
                        ps.setString(3, s.name());
                        ps.setString(4, s.checksum());
                        ps.executeUpdate();
                    }
                    c.commit();
                }
                return parsed.size();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException("cannot migrate the schema of " + component + ": " + e.getMessage(), e);
        }
    }

    /** The component's applied version, 0 if none (or the version table is missing). */
    public static int version(DataSource dataSource, String component) throws IOException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select coalesce(max(version), 0) from mailsync_schema_version where component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table: nothing migrated yet
                return 0;
            }
            throw new IOException("cannot read the schema version: " + e.getMessage(), e);
        }
    }

    private static void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            ps.setLong(1, ADVISORY_LOCK);
            ps.execute();
        }
    }

    private static void createVersionTable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("create table if not exists mailsync_schema_version ("
                    + "component text not null, version integer not null, script text not null,"
                    + " checksum text not null, applied_at timestamptz not null default now(),"
                    + " primary key (component, version))");
        }
    }

    private static Map<Integer, String> applied(Connection c, String component) throws SQLException {
        Map<Integer, String> out = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement("select version, checksum from mailsync_schema_version where component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private record Script(String name, int version, String checksum, List<String> statements) {
        static Script load(Class<?> anchor, String name, int expectedVersion) throws IOException {
            Matcher m = SCRIPT_NAME.matcher(name);
            checkArgument(m.matches(), "a schema script is named V<n>__<words>.sql, not %s", name);
            checkArgument(
                    Integer.parseInt(m.group(1)) == expectedVersion,
                    "schema script %s is listed as version %s",
                    name,
                    expectedVersion);
            byte[] bytes;
            try (InputStream in = anchor.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("schema script " + name + " is missing beside " + anchor.getName());
                }
                bytes = in.readAllBytes();
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            StringBuilder sql = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                if (!line.strip().startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            List<String> statements = new ArrayList<>();
            for (String part : sql.toString().split(";\\s*\n")) {
                if (!part.isBlank()) {
                    statements.add(part.strip());
                }
            }
            return new Script(
                    name, expectedVersion, Hashing.sha256().hashBytes(bytes).toString(), List.copyOf(statements));
        }
    }
}
