package org.mailsync.imap;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;

/**
 * At most {@code maxConnections} connections to one server: idle ones are reused (a connection
 * that had a mailbox selected is fine, SELECT of another one closes it without expunge, RFC 3501
 * 6.4.2), broken ones are dropped. Angus Mail does not pipeline, so each open folder holds one
 * connection of its own and store-level commands borrow one for their duration.
 *
 * <p>Thread-safe.
 */
final class ConnectionPool {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConnectionPool.class);

    private final Settings settings;
    private final Semaphore permits;
    private final Deque<Connection> idle = new ArrayDeque<>();

    /** Alerts received on connections given back, until a folder reports them. */
    private final java.util.Queue<String> alerts = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private boolean closed;

    /** Connections of this pool open now (idle or lent). */
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    /** Permits given up because the server refused one more connection: the pool is that much smaller. */
    private final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

    ConnectionPool(Settings settings) {
        this.settings = settings;
        this.permits = new Semaphore(settings.maxConnections(), true);
    }

    /**
     * A connection for the caller alone; waits for a free one up to the configured time. A server
     * that refuses one more connection (its per-user limit) while this pool holds others makes the
     * pool smaller by one, and the caller waits for one of those instead.
     */
    Connection borrow() throws Exception {
        while (true) {
            acquire();
            try {
                return idleOrNew();
            } catch (Exception e) {
                if (!refusedAnother(e)) {
                    permits.release();
                    throw e;
                }
                // The permit stays taken for good: the server will not give this many.
            } catch (Error e) {
                permits.release();
                throw e;
            }
        }
    }

    /**
     * A connection if one is free within {@code maxConnections} and the server gives it, without
     * waiting; empty otherwise (a refusal by the server's per-user limit makes the pool smaller by
     * one; another failure to connect is only logged: the caller has connections already).
     */
    java.util.Optional<Connection> tryBorrow() {
        if (!permits.tryAcquire()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(idleOrNew());
        } catch (Exception e) {
            if (!refusedAnother(e)) {
                permits.release();
                LOG.debug("{}: no extra connection: {}", settings.account(), e.getMessage());
            }
            return java.util.Optional.empty();
        } catch (Error e) {
            permits.release();
            throw e;
        }
    }

    /**
     * Whether opening a connection failed because the server will not give this user one more
     * (Dovecot's {@code mail_max_userip_connections}, a {@code [LIMIT]} or "too many connections"
     * answer at login) while this pool holds at least one other: then the permit is given up and
     * true returned. A server that refuses the only connection is an error for the caller.
     */
    private boolean refusedAnother(Exception e) {
        if (open.get() == 0 || !connectionLimit(e)) {
            return false;
        }
        int less = refused.incrementAndGet();
        LOG.info(
                "{}: the server refused connection {} ({}); going on with fewer",
                settings.account(),
                open.get() + 1,
                Failure.of(e).text());
        LOG.debug("{}: {} connection(s) given up", settings.account(), less);
        return true;
    }

    /** How many connections the server refused by its limit: the pool is that much smaller. */
    int refusals() {
        return refused.get();
    }

    /** Whether a failure to connect or log in names a limit on connections. */
    static boolean connectionLimit(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (text.contains("[limit]")
                    || text.contains("maximum number of connections")
                    || text.contains("too many connections")
                    || text.contains("too many simultaneous")
                    || text.contains("connection limit")
                    || text.contains("mail_max_userip_connections")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private void acquire() throws ConnectionException {
        try {
            // Waiting for a free connection counts against the operation's deadline too.
            long wait = Math.min(
                    settings.connectionWait().toNanos(), Math.max(0, Deadline.remainingNanos(System.nanoTime())));
            if (!permits.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                throw new ConnectionException(
                        ErrorContext.of(settings.account()),
                        "no free connection within " + settings.connectionWait() + " (maxConnections is "
                                + settings.maxConnections() + ")",
                        null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException(ErrorContext.of(settings.account()), "interrupted", e);
        }
    }

    /** An idle healthy connection, or a new one; the caller holds a permit. */
    private Connection idleOrNew() throws Exception {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("store " + settings.account() + " is closed");
            }
            while (!idle.isEmpty()) {
                Connection c = idle.pop();
                if (!c.broken()) {
                    return c;
                }
                closeOne(c);
            }
        }
        Connection c = Connection.open(settings);
        open.incrementAndGet();
        return c;
    }

    private void closeOne(Connection c) {
        c.close();
        open.decrementAndGet();
    }

    /** Gives a connection back: kept for reuse when healthy, closed otherwise. */
    void release(Connection connection) {
        alerts.addAll(connection.drainAlerts());
        boolean keep;
        synchronized (this) {
            keep = !closed && !connection.broken();
            if (keep) {
                idle.push(connection);
            }
        }
        if (!keep) {
            closeOne(connection);
        }
        permits.release();
    }

    /**
     * The alerts received on connections since given back (by store-level commands, or by folders
     * that have been closed), oldest first; each is handed out once.
     */
    java.util.List<String> drainAlerts() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String a; (a = alerts.poll()) != null; ) {
            out.add(a);
        }
        return out;
    }

    /** Closes the idle connections; those in use are closed when given back. */
    void close() {
        Deque<Connection> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        for (Connection c : toClose) {
            closeOne(c);
        }
    }
}
