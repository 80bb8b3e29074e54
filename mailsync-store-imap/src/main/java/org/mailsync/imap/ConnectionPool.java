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
    private final Settings settings;
    private final Semaphore permits;
    private final Deque<Connection> idle = new ArrayDeque<>();

    /** Alerts received on connections given back, until a folder reports them. */
    private final java.util.Queue<String> alerts = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private boolean closed;

    ConnectionPool(Settings settings) {
        this.settings = settings;
        this.permits = new Semaphore(settings.maxConnections(), true);
    }

    /** A connection for the caller alone; waits for a free one up to the configured time. */
    Connection borrow() throws Exception {
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
        try {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("store " + settings.account() + " is closed");
                }
                while (!idle.isEmpty()) {
                    Connection c = idle.pop();
                    if (!c.broken()) {
                        return c;
                    }
                    c.close();
                }
            }
            return Connection.open(settings);
        } catch (Exception | Error e) {
            permits.release();
            throw e;
        }
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
            connection.close();
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
            c.close();
        }
    }
}
