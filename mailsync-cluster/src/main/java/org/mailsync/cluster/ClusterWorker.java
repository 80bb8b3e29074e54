package org.mailsync.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mailsync.cluster.internal.AccountRows;
import org.mailsync.cluster.internal.JdbcRunLeases;
import org.mailsync.cluster.internal.PassRunner;
import org.mailsync.cluster.internal.PassTasks;
import org.mailsync.cluster.internal.Sql;
import org.mailsync.cluster.spi.MailboxOpener;
import org.mailsync.jdbc.SecretOpener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of the cluster: a db-scheduler {@link Scheduler} on the shared PostgreSQL database that
 * runs account passes (task {@code mailsync-pass}, one execution per account, LOGIN before RESUME
 * before DELTA before BULK) on {@link Builder#threads} threads, and the recurring task that queues
 * delta passes ({@code mailsync-delta}, on one node at a time).
 *
 * <p>Each pass holds the account's fenced lease (mailsync-jdbc's {@code MailboxLeases}) for its
 * whole run, renewed every heartbeat; its checkpoints and its row are written only under that
 * lease's epoch, and the target refuses appends once the lease's local deadline passes. A worker
 * killed or stalled past {@code heartbeat × (missedHeartbeats + 1)} loses its executions to the
 * others (db-scheduler revives them) and its leases (they expire after the same time); if it wakes
 * up, its late writes are refused and recorded ({@code FENCED_WRITE_REFUSED} events).
 *
 * <p>Thread-safe. Start once, close once.
 */
public final class ClusterWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterWorker.class);

    private final String name;
    private final Scheduler scheduler;
    private final PassRunner runner;
    private final ScheduledExecutorService ticks;
    private final JdbcRunLeases leases;
    private final Duration leaseLength;
    private final Duration takeoverBound;
    private boolean started;

    private ClusterWorker(Builder b, DataSource db, SecretOpener unseal) {
        this.name = b.name != null ? b.name : defaultName();
        Sql sql = new Sql(db);
        this.leaseLength = b.heartbeat.multipliedBy(b.missedHeartbeats + 1L);
        this.takeoverBound = b.takeoverBound();
        this.ticks = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "mailsync-cluster-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.leases = new JdbcRunLeases(db, leaseLength);
        this.runner =
                new PassRunner(name, sql, leases, unseal, b.opener, ticks, leaseLength, b.heartbeat, b.hostFullWait);
        CustomTask<Void> pass = Tasks.custom(PassTasks.PASS)
                .onDeadExecutionRevive()
                .onFailure((complete, ops) ->
                        ops.reschedule(complete, Instant.now().plusSeconds(5)))
                .execute((instance, context) -> {
                    Instant again;
                    try {
                        again = runner.run(instance.getId()).runAgainAt();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        again = Instant.now().plus(b.heartbeat);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    Instant at = again;
                    return at == null
                            ? (complete, ops) -> ops.remove()
                            : (CompletionHandler<Void>) (complete, ops) -> ops.reschedule(complete, at);
                });
        AccountRows rows = new AccountRows(sql);
        Duration deltaAfter = b.deltaAfter;
        Duration deltaPeriod = b.deltaPeriod;
        RecurringTask<Void> delta = Tasks.recurring(PassTasks.DELTA_TASK, FixedDelay.of(b.deltaEvery))
                .execute((instance, context) ->
                        queueDeltas(rows, new PassTasks(context.getSchedulerClient(), sql), deltaAfter, deltaPeriod));
        this.scheduler = Scheduler.create(db, List.of(pass))
                .startTasks(delta)
                .schedulerName(new SchedulerName.Fixed(name))
                .threads(b.threads)
                .heartbeatInterval(b.heartbeat)
                .missedHeartbeatsLimit(b.missedHeartbeats)
                .pollingInterval(b.pollingInterval)
                .pollUsingLockAndFetch(0.5, 1.0)
                .enablePriority()
                .enableImmediateExecution()
                .shutdownMaxWait(Duration.ofSeconds(5))
                .build();
    }

    /** A builder; the database and the secret opener are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts polling for passes. */
    public synchronized void start() {
        checkState(!started, "already started");
        started = true;
        scheduler.start();
        log.info("worker {} started (lease {} s)", name, leaseLength.toSeconds());
    }

    /** This worker's name, as its rows and events show it. */
    public String name() {
        return name;
    }

    /** How long a run's lease lasts between renewals: about the scheduler's takeover time. */
    public Duration leaseLength() {
        return leaseLength;
    }

    /** See {@link Builder#takeoverBound()}. */
    public Duration takeoverBound() {
        return takeoverBound;
    }

    /** Late writes of this worker's runs refused since it started (their lease had moved on). */
    public long refusedWrites() {
        return runner.refusals();
    }

    /** Stops polling, lets running passes end within a few seconds, stops the heartbeats. */
    @Override
    public synchronized void close() {
        scheduler.stop();
        ticks.shutdownNow();
        leases.close();
    }

    private static void queueDeltas(AccountRows rows, PassTasks tasks, Duration after, Duration period) {
        try {
            for (String account : rows.dueForDelta(after.toMillis(), period.toMillis(), 10_000)) {
                if (!rows.requeue(List.of(account), List.of(JobState.DONE), JobKind.DELTA)
                        .isEmpty()) {
                    tasks.schedule(account, JobKind.DELTA);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String defaultName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** Builds a {@link ClusterWorker}; each setting once. Not thread-safe. */
    public static final class Builder {
        private @Nullable DataSource db;
        private @Nullable SecretOpener unseal;
        private @Nullable String name;
        private int threads = 4;
        private MailboxOpener opener = ImapMailboxOpener.DEFAULT;
        private Duration heartbeat = Duration.ofSeconds(2);
        private int missedHeartbeats = 4;
        private Duration pollingInterval = Duration.ofSeconds(1);
        private Duration hostFullWait = Duration.ofSeconds(2);
        private Duration deltaEvery = Duration.ofMinutes(1);
        private Duration deltaAfter = Duration.ofMinutes(15);
        private Duration deltaPeriod = Duration.ofDays(7);

        private Builder() {}

        /** The cluster's database (a pool of at least threads + 4 connections). Required. */
        public Builder database(DataSource dataSource) {
            checkState(db == null, "database was already set");
            db = dataSource;
            return this;
        }

        /** Opens the sealed passwords of account rows, with the workers' private key. Required. */
        public Builder secrets(SecretOpener opener) {
            checkState(unseal == null, "secrets were already set");
            unseal = opener;
            return this;
        }

        /** The name in rows, leases and events. Default: host name and process id. */
        public Builder name(String workerName) {
            checkState(name == null, "name was already set to %s", name);
            checkArgument(!workerName.isBlank(), "name must not be blank");
            name = workerName;
            return this;
        }

        /** Passes at once on this worker. Default 4. */
        public Builder threads(int n) {
            checkArgument(n >= 1 && n <= 256, "threads must be 1..256, not %s", n);
            threads = n;
            return this;
        }

        /** Opens the mailboxes of account rows. Default: IMAP. */
        public Builder opener(MailboxOpener mailboxes) {
            opener = mailboxes;
            return this;
        }

        /**
         * The heartbeat (of db-scheduler and of the leases) and how many may be missed before a run
         * is taken over; lease length = heartbeat × (missed + 1). Default 2 s and 4: about 10 s.
         */
        public Builder heartbeat(Duration every, int missed) {
            checkArgument(
                    every.compareTo(Duration.ofMillis(200)) >= 0, "heartbeat must be at least 200 ms, not %s", every);
            checkArgument(missed >= 2 && missed <= 100, "missed heartbeats must be 2..100, not %s", missed);
            heartbeat = every;
            missedHeartbeats = missed;
            return this;
        }

        /** How often the scheduler looks for due passes. Default 1 s. */
        public Builder pollingInterval(Duration every) {
            checkArgument(!every.isNegative() && !every.isZero(), "polling interval must be positive, not %s", every);
            pollingInterval = every;
            return this;
        }

        /** How long a pass whose legacy host is at its cap waits before it tries again. Default 2 s (plus jitter). */
        public Builder hostFullWait(Duration wait) {
            checkArgument(!wait.isNegative() && !wait.isZero(), "wait must be positive, not %s", wait);
            hostFullWait = wait;
            return this;
        }

        /**
         * Delta passes: every {@code every} one node looks for accounts whose last pass finished
         * at least {@code after} ago and queues a DELTA pass for each. Default 1 min, 15 min.
         */
        public Builder delta(Duration every, Duration after) {
            return delta(every, after, deltaPeriod);
        }

        /**
         * As {@link #delta(Duration, Duration)}, for accounts whose first pass completed less than
         * {@code period} ago (default 7 days: after that their users read mail on the new server).
         */
        public Builder delta(Duration every, Duration after, Duration period) {
            checkArgument(!period.isNegative(), "delta period must not be negative, not %s", period);
            deltaPeriod = period;
            checkArgument(
                    !every.isNegative() && !every.isZero(), "delta check interval must be positive, not %s", every);
            checkArgument(!after.isNegative(), "delta interval must not be negative, not %s", after);
            deltaEvery = every;
            deltaAfter = after;
            return this;
        }

        /**
         * The longest a dead or stalled worker's pass waits before another worker runs it, with
         * these settings: the lease runs out at most a lease length after the last renewal
         * (db-scheduler declares the execution dead sooner, after the missed heartbeats), then a
         * pass that found the lease still held tries again a heartbeat later, and a worker polls.
         */
        public Duration takeoverBound() {
            return heartbeat.multipliedBy(missedHeartbeats + 2L).plus(pollingInterval.multipliedBy(2));
        }

        /** The worker (not started). */
        public ClusterWorker build() {
            checkState(db != null, "database must be set");
            checkState(unseal != null, "secrets must be set");
            return new ClusterWorker(this, db, unseal);
        }
    }
}
