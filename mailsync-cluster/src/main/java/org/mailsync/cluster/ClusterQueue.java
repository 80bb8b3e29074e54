package org.mailsync.cluster;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.mailsync.cluster.internal.AccountRows;
import org.mailsync.cluster.internal.HostSlots;
import org.mailsync.cluster.internal.Journal;
import org.mailsync.cluster.internal.PassTasks;
import org.mailsync.cluster.internal.Sql;
import org.mailsync.jdbc.SecretSealer;

/**
 * The operator's side of the cluster: enqueues accounts (their passwords sealed with the
 * cluster's public key before they reach the database), re-queues failed ones, and summarises
 * where the migration stands. Needs no worker and no private key.
 *
 * <p>Thread-safe.
 */
public final class ClusterQueue {
    private final Sql sql;
    private final AccountRows rows;
    private final HostSlots slots;
    private final PassTasks tasks;

    /** Over the cluster's database (its schema applied: {@link ClusterSchema#apply}). */
    public ClusterQueue(DataSource db) {
        this.sql = new Sql(db);
        this.rows = new AccountRows(sql);
        this.slots = new HostSlots(sql);
        this.tasks = new PassTasks(
                SchedulerClient.Builder.create(db).enablePriority().build(), sql);
    }

    /**
     * Adds accounts and schedules their passes; an account id already in the table is left as it
     * is. Each legacy host named gets {@code maxConnectionsPerHost} as its cluster-wide cap.
     *
     * @param sealer seals the passwords to the workers' public key
     * @return the ids added
     */
    public List<String> enqueue(List<NewAccount> accounts, JobKind kind, int maxConnectionsPerHost, SecretSealer sealer)
            throws IOException {
        List<String> added = new ArrayList<>();
        for (String host :
                accounts.stream().map(a -> a.source().server()).distinct().toList()) {
            slots.setCap(host, maxConnectionsPerHost);
        }
        for (NewAccount a : accounts) {
            if (rows.insert(
                    a.account(),
                    a.source(),
                    sealer.seal(a.sourcePassword(), AccountRows.secretContext(a.account(), "source")),
                    a.target(),
                    sealer.seal(a.targetPassword(), AccountRows.secretContext(a.account(), "target")),
                    a.options().format(),
                    kind)) {
                tasks.schedule(a.account(), kind);
                added.add(a.account());
            }
        }
        return added;
    }

    /**
     * Queues failed (or, with {@code evenDone}, also completed) accounts again as RESUME passes,
     * attempts reset; returns the ids queued.
     */
    public List<String> retry(List<String> accounts, boolean evenDone) throws IOException {
        List<JobState> from = evenDone ? List.of(JobState.FAILED, JobState.DONE) : List.of(JobState.FAILED);
        List<String> queued = rows.requeue(accounts, from, JobKind.RESUME);
        for (String account : queued) {
            tasks.schedule(account, JobKind.RESUME);
        }
        return queued;
    }

    /** Queues every failed account again; returns the ids queued. */
    public List<String> retryFailed() throws IOException {
        return retry(rows.failedIds(), false);
    }

    /** The account's row, if any. */
    public Optional<AccountJob> account(String account) throws IOException {
        return rows.get(account);
    }

    /** Sets a legacy host's cluster-wide connection cap. */
    public void setHostCap(String host, int maxConnections) throws IOException {
        slots.setCap(host, maxConnections);
    }

    /**
     * Where the migration stands: accounts per state, the running ones, up to {@code failureLimit}
     * failures, and the throughput of the last {@code minutes} minutes.
     */
    public ClusterSummary summary(int failureLimit, int minutes) throws IOException {
        Map<JobState, Long> perState = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            perState.put(s, 0L);
        }
        sql.query(
                        "count accounts per state",
                        "SELECT state, count(*) FROM cluster_accounts GROUP BY state",
                        r -> Map.entry(JobState.valueOf(r.getString(1)), r.getLong(2)))
                .forEach(e -> perState.put(e.getKey(), e.getValue()));
        List<ClusterSummary.Minute> throughput = sql.query(
                "read the throughput",
                "SELECT minute, sum(messages), sum(bytes), sum(accounts_done), count(*) FROM cluster_throughput"
                        + " WHERE minute >= date_trunc('minute', now()) - ? * interval '1 minute'"
                        + " GROUP BY minute ORDER BY minute",
                r -> new ClusterSummary.Minute(
                        Objects.requireNonNull(Sql.instant(r, "minute")),
                        r.getLong(2),
                        r.getLong(3),
                        r.getLong(4),
                        r.getInt(5)),
                minutes);
        Map<String, Long> events = new java.util.HashMap<>();
        sql.query(
                        "count events",
                        "SELECT kind, count(*) FROM cluster_events GROUP BY kind",
                        r -> Map.entry(r.getString(1), r.getLong(2)))
                .forEach(e -> events.put(e.getKey(), e.getValue()));
        return new ClusterSummary(
                ImmutableMap.copyOf(perState),
                ImmutableList.copyOf(rows.inState(JobState.RUNNING, 1000)),
                ImmutableList.copyOf(rows.inState(JobState.FAILED, failureLimit)),
                ImmutableList.copyOf(throughput),
                events.getOrDefault(Journal.FENCED_WRITE_REFUSED, 0L),
                events.getOrDefault(Journal.TAKEOVER, 0L));
    }
}
