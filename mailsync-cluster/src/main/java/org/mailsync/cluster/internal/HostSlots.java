package org.mailsync.cluster.internal;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Cluster-wide connection caps per legacy host: a row per slot in {@code cluster_host_slots}; a
 * pass takes as many slots as it opens connections, all or none, and holds them under its own
 * holder name until they expire (renewed with its lease), so a killed worker's slots come free by
 * themselves. Counted in the database, so the cap holds over all nodes together. Times are the
 * database's clock.
 *
 * <p>Thread-safe.
 */
public final class HostSlots {
    private final Sql sql;

    public HostSlots(Sql sql) {
        this.sql = sql;
    }

    /** Sets the host's cap (creating or dropping slot rows); slots held above a lowered cap just go. */
    public void setCap(String host, int maxConnections) throws IOException {
        sql.update(
                "set the connection cap of " + host,
                "INSERT INTO cluster_host_caps (host, max_connections) VALUES (?, ?)"
                        + " ON CONFLICT (host) DO UPDATE SET max_connections = EXCLUDED.max_connections",
                host,
                maxConnections);
        sql.update(
                "create the connection slots of " + host,
                "INSERT INTO cluster_host_slots (host, slot) SELECT ?, s FROM generate_series(0, ? - 1) s"
                        + " ON CONFLICT DO NOTHING",
                host,
                maxConnections);
        sql.update(
                "drop the connection slots of " + host + " above its cap",
                "DELETE FROM cluster_host_slots WHERE host = ? AND slot >= ?",
                host,
                maxConnections);
    }

    /** Sets the host's cap unless it has one (a cap set by an operator stands). */
    public void setCapIfAbsent(String host, int maxConnections) throws IOException {
        int added = sql.update(
                "set the connection cap of " + host,
                "INSERT INTO cluster_host_caps (host, max_connections) VALUES (?, ?) ON CONFLICT (host) DO NOTHING",
                host,
                maxConnections);
        if (added == 1) {
            setCap(host, maxConnections);
        }
    }

    /**
     * Takes {@code count} free (or expired) slots of {@code host} for {@code holder}, or none.
     * Rows locked by another node's attempt right now are skipped, never waited for.
     *
     * @return whether the slots were taken; false when the host is full (or has fewer slots)
     */
    public boolean tryAcquire(String host, int count, String holder, Duration ttl) throws IOException {
        try (Connection c = sql.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("WITH free AS (SELECT slot FROM cluster_host_slots"
                    + " WHERE host = ? AND (holder IS NULL OR expires_at < now()) ORDER BY slot LIMIT ?"
                    + " FOR UPDATE SKIP LOCKED)"
                    + " UPDATE cluster_host_slots s SET holder = ?, expires_at = now() + ? * interval '1 millisecond'"
                    + " FROM free WHERE s.host = ? AND s.slot = free.slot")) {
                Sql.bind(p, host, count, holder, ttl.toMillis(), host);
                int taken = p.executeUpdate();
                if (taken == count) {
                    c.commit();
                    return true;
                }
                c.rollback();
                return false;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IOException("cannot take connection slots of " + host + ": " + e.getMessage(), e);
        }
    }

    /** Extends the holder's slots; returns how many it still held. */
    public int renew(String host, String holder, Duration ttl) throws IOException {
        return sql.update(
                "renew connection slots of " + host,
                "UPDATE cluster_host_slots SET expires_at = now() + ? * interval '1 millisecond'"
                        + " WHERE host = ? AND holder = ?",
                ttl.toMillis(),
                host,
                holder);
    }

    /** Gives the holder's slots back. */
    public void release(String host, String holder) throws IOException {
        sql.update(
                "give back connection slots of " + host,
                "UPDATE cluster_host_slots SET holder = NULL, expires_at = NULL WHERE host = ? AND holder = ?",
                host,
                holder);
    }

    /** Slots held (not expired) right now, per the database's clock; for status and tests. */
    public int inUse(String host) throws IOException {
        return sql.query(
                        "count connection slots of " + host,
                        "SELECT count(*) FROM cluster_host_slots WHERE host = ? AND holder IS NOT NULL"
                                + " AND expires_at >= now()",
                        (ResultSet r) -> r.getInt(1),
                        host)
                .get(0);
    }
}
