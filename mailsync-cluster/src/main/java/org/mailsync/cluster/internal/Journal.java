package org.mailsync.cluster.internal;

import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cluster records beside the account rows: events (takeovers, refused late writes,
 * give-ups) and throughput per worker and minute. Recording never fails a pass: a failure to
 * record is logged.
 *
 * <p>Thread-safe.
 */
public final class Journal {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    /** A run of a paused or cut-off worker tried to write after its lease moved on, and was refused. */
    public static final String FENCED_WRITE_REFUSED = "FENCED_WRITE_REFUSED";
    /** A run took an account's lease over from a run that had not released it. */
    public static final String TAKEOVER = "TAKEOVER";
    /** An account was parked as FAILED. */
    public static final String PARKED = "PARKED";

    private final Sql sql;
    private final String worker;

    public Journal(Sql sql, String worker) {
        this.sql = sql;
        this.worker = worker;
    }

    /** Records an event. */
    public void event(String kind, @Nullable String account, String detail) {
        try {
            sql.update(
                    "record event " + kind,
                    "INSERT INTO cluster_events (worker, account_id, kind, detail) VALUES (?, ?, ?, ?)",
                    worker,
                    account,
                    kind,
                    detail);
        } catch (IOException e) {
            log.warn("cannot record event {} of {}: {}", kind, account, e.getMessage());
        }
    }

    /** Adds to this minute's throughput of this worker. */
    public void throughput(long messages, long bytes, int accountsDone) {
        if (messages == 0 && bytes == 0 && accountsDone == 0) {
            return;
        }
        try {
            sql.update(
                    "record throughput",
                    "INSERT INTO cluster_throughput (minute, worker, messages, bytes, accounts_done)"
                            + " VALUES (date_trunc('minute', now()), ?, ?, ?, ?) ON CONFLICT (minute, worker) DO UPDATE"
                            + " SET messages = cluster_throughput.messages + EXCLUDED.messages,"
                            + " bytes = cluster_throughput.bytes + EXCLUDED.bytes,"
                            + " accounts_done = cluster_throughput.accounts_done + EXCLUDED.accounts_done",
                    worker,
                    messages,
                    bytes,
                    accountsDone);
        } catch (IOException e) {
            log.warn("cannot record throughput: {}", e.getMessage());
        }
    }
}
