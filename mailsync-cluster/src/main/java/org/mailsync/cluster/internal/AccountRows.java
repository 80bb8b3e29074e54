package org.mailsync.cluster.internal;

import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mailsync.cluster.AccountJob;
import org.mailsync.cluster.JobKind;
import org.mailsync.cluster.JobState;
import org.mailsync.cluster.Mailbox;

/**
 * The SQL over {@code cluster_accounts}. A run's writes are conditional on its lease epoch
 * ({@code run_epoch}): a run whose lease moved on changes nothing, and the caller learns so from
 * the count of rows changed.
 *
 * <p>Thread-safe.
 */
public final class AccountRows {
    static final String COLUMNS = "account_id, source_uri, source_user, target_uri, target_user, legacy_host,"
            + " options, kind, state, reason, messages_done, messages_total, bytes_done, bytes_total, attempts,"
            + " passes, worker, enqueued_at, started_at, finished_at, updated_at";

    private final Sql sql;

    public AccountRows(Sql sql) {
        this.sql = sql;
    }

    /** An account's row with its sealed passwords, as a run needs it. */
    public record Sealed(AccountJob job, byte[] sourceSecret, byte[] targetSecret, long epoch) {}

    /**
     * What a sealed password of an account row is bound to: opened under another account's or
     * side's context (a sealed value copied between rows) it does not open.
     */
    public static String secretContext(String account, String side) {
        return "mailsync-cluster " + side + " password of " + account;
    }

    /** Adds an account, queued; false if the id is taken (the row is left as it is). */
    public boolean insert(
            String account,
            Mailbox source,
            byte[] sourceSecret,
            Mailbox target,
            byte[] targetSecret,
            String options,
            JobKind kind)
            throws IOException {
        return sql.update(
                        "enqueue " + account,
                        "INSERT INTO cluster_accounts (account_id, source_uri, source_user, source_secret, target_uri,"
                                + " target_user, target_secret, legacy_host, options, kind, state)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED') ON CONFLICT (account_id) DO NOTHING",
                        account,
                        source.uri(),
                        source.user(),
                        sourceSecret,
                        target.uri(),
                        target.user(),
                        targetSecret,
                        source.server(),
                        options,
                        kind.name())
                == 1;
    }

    /** The account's row, if any. */
    public Optional<AccountJob> get(String account) throws IOException {
        return sql
                .query(
                        "read " + account,
                        "SELECT " + COLUMNS + " FROM cluster_accounts WHERE account_id = ?",
                        AccountRows::job,
                        account)
                .stream()
                .findFirst();
    }

    /** The account's row with its sealed passwords and epoch, if any. */
    public Optional<Sealed> sealed(String account) throws IOException {
        return sql
                .query(
                        "read " + account,
                        "SELECT " + COLUMNS + ", source_secret, target_secret, run_epoch FROM cluster_accounts"
                                + " WHERE account_id = ?",
                        r -> new Sealed(
                                job(r),
                                r.getBytes("source_secret"),
                                r.getBytes("target_secret"),
                                r.getLong("run_epoch")),
                        account)
                .stream()
                .findFirst();
    }

    /** Rows in a state, oldest change first, at most {@code limit}. */
    public List<AccountJob> inState(JobState state, int limit) throws IOException {
        return sql.query(
                "list " + state + " accounts",
                "SELECT " + COLUMNS + " FROM cluster_accounts WHERE state = ? ORDER BY updated_at, account_id LIMIT ?",
                AccountRows::job,
                state.name(),
                limit);
    }

    /**
     * A run with lease epoch {@code epoch} starts: RUNNING on {@code worker}, its figures reset.
     * Refused (false) if a run with a later epoch already started.
     */
    public boolean start(String account, String worker, long epoch) throws IOException {
        return sql.update(
                        "mark " + account + " running",
                        "UPDATE cluster_accounts SET state = 'RUNNING', reason = '', worker = ?, run_epoch = ?, started_at = now(),"
                                + " updated_at = now(), messages_done = 0, bytes_done = 0, messages_total = 0,"
                                + " bytes_total = 0 WHERE account_id = ? AND run_epoch < ?",
                        worker,
                        epoch,
                        account,
                        epoch)
                == 1;
    }

    /** The run's progress; false if its epoch is no longer the row's. */
    public boolean progress(
            String account, long epoch, long messagesDone, long messagesTotal, long bytesDone, long bytesTotal)
            throws IOException {
        return sql.update(
                        "record the progress of " + account,
                        "UPDATE cluster_accounts SET messages_done = ?, messages_total = ?, bytes_done = ?,"
                                + " bytes_total = ?, updated_at = now() WHERE account_id = ? AND run_epoch = ?"
                                + " AND state = 'RUNNING'",
                        messagesDone,
                        messagesTotal,
                        bytesDone,
                        bytesTotal,
                        account,
                        epoch)
                == 1;
    }

    /** The run completed its pass: DONE; false if its epoch is no longer the row's. */
    public boolean done(String account, long epoch, String note) throws IOException {
        return sql.update(
                        "mark " + account + " done",
                        "UPDATE cluster_accounts SET state = 'DONE', reason = ?, attempts = 0, passes = passes + 1,"
                                + " finished_at = now(), first_done_at = coalesce(first_done_at, now()),"
                                + " updated_at = now() WHERE account_id = ? AND run_epoch = ?"
                                + " AND state = 'RUNNING'",
                        note,
                        account,
                        epoch)
                == 1;
    }

    /**
     * The run failed: QUEUED again for a retry with {@code reason}, or FAILED when {@code park};
     * false if its epoch is no longer the row's.
     */
    public boolean failed(String account, long epoch, String reason, boolean park) throws IOException {
        return sql.update(
                        "record the failure of " + account,
                        "UPDATE cluster_accounts SET state = ?, kind = CASE WHEN kind = 'BULK' THEN 'RESUME'"
                                + " ELSE kind END, reason = ?, attempts = attempts + 1, finished_at = now(),"
                                + " updated_at = now() WHERE account_id = ? AND run_epoch = ? AND state = 'RUNNING'",
                        park ? JobState.FAILED.name() : JobState.QUEUED.name(),
                        reason,
                        account,
                        epoch)
                == 1;
    }

    /** Marks a queued account as waiting (for a slot of its host, say), without touching its run. */
    public void waiting(String account, String reason) throws IOException {
        sql.update(
                "record why " + account + " waits",
                "UPDATE cluster_accounts SET reason = ?, updated_at = now() WHERE account_id = ? AND state = 'QUEUED'"
                        + " AND reason <> ?",
                reason,
                account,
                reason);
    }

    /**
     * Queues accounts again with {@code kind}: those in {@code from} states. Returns the ids changed.
     */
    public List<String> requeue(List<String> accounts, List<JobState> from, JobKind kind) throws IOException {
        return sql.query(
                "queue " + accounts.size() + " accounts again",
                "UPDATE cluster_accounts SET state = 'QUEUED', kind = ?, reason = '', attempts = 0,"
                        + " enqueued_at = now(), updated_at = now() WHERE account_id = ANY(?) AND state = ANY(?)"
                        + " RETURNING account_id",
                r -> r.getString(1),
                kind.name(),
                accounts.toArray(String[]::new),
                from.stream().map(Enum::name).toArray(String[]::new));
    }

    /** Every FAILED account's id. */
    public List<String> failedIds() throws IOException {
        return sql.query(
                "list failed accounts",
                "SELECT account_id FROM cluster_accounts WHERE state = 'FAILED' ORDER BY account_id",
                r -> r.getString(1));
    }

    /**
     * DONE accounts whose last pass finished more than {@code olderThanMillis} ago and whose first
     * completed within the last {@code periodMillis}, at most {@code limit}.
     */
    public List<String> dueForDelta(long olderThanMillis, long periodMillis, int limit) throws IOException {
        return sql.query(
                "list accounts due for a delta pass",
                "SELECT account_id FROM cluster_accounts WHERE state = 'DONE'"
                        + " AND finished_at < now() - ? * interval '1 millisecond'"
                        + " AND first_done_at > now() - ? * interval '1 millisecond' ORDER BY finished_at LIMIT ?",
                r -> r.getString(1),
                olderThanMillis,
                periodMillis,
                limit);
    }

    static AccountJob job(ResultSet r) throws SQLException {
        return new AccountJob(
                r.getString("account_id"),
                new Mailbox(r.getString("source_uri"), r.getString("source_user")),
                new Mailbox(r.getString("target_uri"), r.getString("target_user")),
                r.getString("legacy_host"),
                r.getString("options"),
                JobKind.valueOf(r.getString("kind")),
                JobState.valueOf(r.getString("state")),
                r.getString("reason"),
                r.getLong("messages_done"),
                r.getLong("messages_total"),
                r.getLong("bytes_done"),
                r.getLong("bytes_total"),
                r.getInt("attempts"),
                r.getInt("passes"),
                r.getString("worker"),
                Objects.requireNonNull(Sql.instant(r, "enqueued_at")),
                Sql.instant(r, "started_at"),
                Sql.instant(r, "finished_at"),
                Objects.requireNonNull(Sql.instant(r, "updated_at")));
    }
}
