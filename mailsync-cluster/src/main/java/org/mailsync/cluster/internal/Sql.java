package org.mailsync.cluster.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The few JDBC shapes the cluster's tables need: an update with parameters, a query mapped row by
 * row. Every SQL failure becomes an {@link IOException} naming what was being done.
 *
 * <p>Thread-safe (a connection per call).
 */
public final class Sql {
    private final DataSource db;

    public Sql(DataSource db) {
        this.db = db;
    }

    /** The data source. */
    public DataSource dataSource() {
        return db;
    }

    /** Maps one result row. */
    public interface RowMapper<T> {
        T map(ResultSet r) throws SQLException;
    }

    /** Runs an update; returns the rows changed. */
    public int update(String what, String sql, @Nullable Object... params) throws IOException {
        try (Connection c = db.getConnection();
                PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, params);
            return p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    /** Runs a query; returns every row mapped. */
    public <T> List<T> query(String what, String sql, RowMapper<T> mapper, @Nullable Object... params)
            throws IOException {
        try (Connection c = db.getConnection();
                PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, params);
            List<T> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(mapper.map(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    static void bind(PreparedStatement p, @Nullable Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object v = params[i];
            if (v instanceof Instant t) {
                p.setTimestamp(i + 1, Timestamp.from(t));
            } else if (v instanceof String[] array) {
                p.setArray(i + 1, p.getConnection().createArrayOf("text", array));
            } else {
                p.setObject(i + 1, v);
            }
        }
    }

    /** A nullable timestamp column as an instant. */
    public static @Nullable Instant instant(ResultSet r, String column) throws SQLException {
        Timestamp t = r.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
