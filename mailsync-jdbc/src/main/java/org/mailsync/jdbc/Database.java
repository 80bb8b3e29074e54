package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * A pool of connections to mailsync's PostgreSQL database (HikariCP). Every store of this module
 * takes a plain {@link DataSource}; this is the one a worker or a CLI command usually gives them.
 *
 * <p>Thread-safe. Its {@link #toString()} names the URL and user, never the password.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final String url;
    private final String user;

    private Database(HikariDataSource pool, String url, String user) {
        this.pool = pool;
        this.url = url;
        this.user = user;
    }

    /**
     * Opens a pool of at most {@code maxConnections} to {@code url} ({@code
     * jdbc:postgresql://host:port/db}); connects lazily, so a wrong password shows on first use.
     *
     * @param password the password, or an empty array for none (trust or peer authentication);
     *     copied, the caller may clear its array
     */
    public static Database connect(String url, String user, char[] password, int maxConnections) {
        checkArgument(
                url.startsWith("jdbc:postgresql:"),
                "a mailsync database URL starts with jdbc:postgresql:, not %s",
                url);
        checkArgument(!user.isBlank(), "user must not be blank");
        checkArgument(maxConnections >= 1, "max connections must be at least 1, not %s", maxConnections);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        if (password.length > 0) {
            config.setPassword(new String(password));
        }
        config.setMaximumPoolSize(maxConnections);
        config.setMinimumIdle(Math.min(2, maxConnections));
        config.setPoolName("mailsync");
        // A database that does not answer must fail a lease renewal well inside the lease.
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        config.setInitializationFailTimeout(-1);
        return new Database(new HikariDataSource(config), url, user);
    }

    /** The pool, for the stores of this module. */
    public DataSource dataSource() {
        return pool;
    }

    /** The JDBC URL. */
    public String url() {
        return url;
    }

    /** Closes every connection. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "Database[" + url + " as " + user + "]";
    }
}
