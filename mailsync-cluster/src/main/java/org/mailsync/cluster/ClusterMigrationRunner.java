package org.mailsync.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.mailsync.cluster.internal.HostSlots;
import org.mailsync.cluster.internal.Sql;
import org.mailsync.jdbc.JdbcMigrationCheckpoints;
import org.mailsync.jdbc.Lease;
import org.mailsync.jdbc.MailboxLeases;
import org.mailsync.migration.spi.MigrationCheckpoints;
import org.mailsync.migration.spi.MigrationRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link org.mailsync.migration.AutoMigration}'s jobs on db-scheduler over the cluster's
 * database, so that the nodes of a vendor's cluster share them: a job is one execution of task
 * {@value #TASK} per account (whichever node submits it, at most one queued or running), picked by
 * any node in priority order; the node that picks it holds the account's fenced lease for the
 * whole job (renewed by heartbeat; a dead node's job is revived elsewhere once the lease ran out)
 * and one slot of the legacy host's cluster-wide cap, and hands the job to its own service.
 *
 * <p>Wire each node's service with this runner, {@link #checkpoints()} (fenced by the job's lease)
 * and {@link SharedMigrationStates} (states read from the database at each use), and with master
 * credentials: a job may run on another node than the login that started it, which holds no
 * password. The vendor's provisioner must accept being asked twice for one account (a login on one
 * node and a pre-staging job on another may both provision it).
 *
 * <p>Thread-safe.
 */
public final class ClusterMigrationRunner implements MigrationRunner {
    private static final Logger log = LoggerFactory.getLogger(ClusterMigrationRunner.class);

    /** The one-time task of an auto-migration job. */
    public static final String TASK = "mailsync-auto";

    private static final TaskDescriptor<String> JOB = TaskDescriptor.of(TASK, String.class);

    private static final Duration POLLING = Duration.ofMillis(500);

    private final DataSource db;
    private final Sql sql;
    private final String name;
    private final int threads;
    private final Duration heartbeat;
    private final int missedHeartbeats;
    private final MailboxLeases leases;
    private final HostSlots slots;
    private final Map<String, Lease> held = new ConcurrentHashMap<>();
    private @Nullable Scheduler scheduler;
    private volatile boolean stopping;

    private ClusterMigrationRunner(DataSource db, String name, int threads, Duration heartbeat, int missed) {
        this.db = db;
        this.sql = new Sql(db);
        this.name = name;
        this.threads = threads;
        this.heartbeat = heartbeat;
        this.missedHeartbeats = missed;
        this.leases = MailboxLeases.over(db, heartbeat.multipliedBy(missed + 1L));
        this.slots = new HostSlots(sql);
    }

    /**
     * A runner for the node {@code nodeName}, running up to {@code threads} jobs at once, with a 2 s
     * heartbeat and takeover after 4 missed ones (leases of 10 s).
     */
    public static ClusterMigrationRunner over(DataSource db, String nodeName, int threads) {
        return over(db, nodeName, threads, Duration.ofSeconds(2), 4);
    }

    /** As {@link #over(DataSource, String, int)}, with the heartbeat and missed beats given. */
    public static ClusterMigrationRunner over(
            DataSource db, String nodeName, int threads, Duration heartbeat, int missedHeartbeats) {
        checkArgument(!nodeName.isBlank(), "node name must not be blank");
        checkArgument(threads >= 1 && threads <= 256, "threads must be 1..256, not %s", threads);
        checkArgument(missedHeartbeats >= 2, "missed heartbeats must be at least 2, not %s", missedHeartbeats);
        return new ClusterMigrationRunner(db, nodeName, threads, heartbeat, missedHeartbeats);
    }

    /**
     * How long after a node dies (killed, not shut down) its running job is at most running on
     * another node: the lease runs out {@code heartbeat × (missed + 1)} after its last renewal, a
     * job that found it still held retries a heartbeat later, and a node polls twice a second.
     */
    public Duration takeoverBound() {
        return heartbeat.multipliedBy(missedHeartbeats + 2L).plus(POLLING.multipliedBy(2));
    }

    /** The jobs' checkpoints, fenced by the lease the running job holds (give it to the service's builder). */
    public MigrationCheckpoints checkpoints() {
        return JdbcMigrationCheckpoints.heldBy(leases, account -> Optional.ofNullable(held.get(account)));
    }

    @Override
    public synchronized void start(Consumer<Job> work) {
        checkState(scheduler == null, "already started");
        CustomTask<String> task = Tasks.custom(JOB)
                .onDeadExecutionRevive()
                .onFailure((complete, ops) ->
                        ops.reschedule(complete, Instant.now().plusSeconds(5)))
                .execute((instance, context) -> {
                    Instant again = run(instance.getId(), instance.getData(), work);
                    return again == null
                            ? (complete, ops) -> ops.remove()
                            : (CompletionHandler<String>) (complete, ops) -> ops.reschedule(complete, again);
                });
        Scheduler s = Scheduler.create(db, List.of(task))
                .schedulerName(new SchedulerName.Fixed(name))
                .threads(threads)
                .heartbeatInterval(heartbeat)
                .missedHeartbeatsLimit(missedHeartbeats)
                .pollingInterval(POLLING)
                .pollUsingLockAndFetch(0.5, 1.0)
                .enablePriority()
                .enableImmediateExecution()
                .shutdownMaxWait(Duration.ofSeconds(5))
                .build();
        scheduler = s;
        s.start();
    }

    /** Runs one job under the account's lease and a slot of its host; null when done, else when to try again. */
    private @Nullable Instant run(String account, String data, Consumer<Job> work) {
        Job job = decode(account, data);
        try {
            Optional<Lease> lease = leases.acquire(account, name);
            if (lease.isEmpty()) {
                return Instant.now().plus(heartbeat); // a login's pass elsewhere, or a dying node's lease
            }
            // A migration leaves one session of a capped host for login checks, as the in-process runner does.
            int cap = job.maxSessionsOnHost() >= 2 ? job.maxSessionsOnHost() - 1 : 1;
            String holder = name + "/" + account + "/" + lease.get().epoch();
            slots.setCapIfAbsent(job.legacyHost(), cap);
            if (!slots.tryAcquire(job.legacyHost(), 1, holder, leases.length())) {
                leases.release(lease.get());
                return Instant.now().plus(heartbeat);
            }
            held.put(account, lease.get());
            AutoCloseable renewal = leases.keepRenewed(lease.get());
            try {
                work.accept(job);
            } finally {
                renewal.close();
                held.remove(account);
                slots.release(job.legacyHost(), holder);
                leases.release(lease.get());
            }
            // A job cut short by this node's shutdown stays queued: another node resumes it from
            // the saved state and the checkpoints (a killed node's job is revived by db-scheduler).
            return stopping ? Instant.now() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            log.error("auto-migration job of {} failed", account, e);
            return null; // the service records its failures; its tick() submits again what is due
        }
    }

    @Override
    public void submit(Job job) {
        try {
            boolean added = client().scheduleIfNotExists(JOB.instance(job.account())
                    .data(encode(job))
                    .priority(JobKind.of(job.priority()).priority())
                    .scheduledTo(Instant.now()));
            if (!added) {
                int p = JobKind.of(job.priority()).priority();
                sql.update(
                        "raise the priority of " + job.account(),
                        "UPDATE scheduled_tasks SET priority = ?, execution_time = least(execution_time, now()),"
                                + " version = version + 1 WHERE task_name = ? AND task_instance = ? AND NOT picked"
                                + " AND coalesce(priority, 0) < ?",
                        p,
                        TASK,
                        job.account(),
                        p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean cancel(String account) {
        try {
            return sql.update(
                            "cancel the job of " + account,
                            "DELETE FROM scheduled_tasks WHERE task_name = ? AND task_instance = ? AND NOT picked",
                            TASK,
                            account)
                    == 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean busy(String account) {
        try {
            return !sql.query(
                            "look up the job of " + account,
                            "SELECT 1 FROM scheduled_tasks WHERE task_name = ? AND task_instance = ?",
                            r -> 1,
                            TASK,
                            account)
                    .isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> queued() {
        try {
            return sql.query(
                    "list queued jobs",
                    "SELECT task_instance FROM scheduled_tasks WHERE task_name = ? AND NOT picked"
                            + " ORDER BY priority DESC NULLS LAST, execution_time",
                    r -> r.getString(1),
                    TASK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until no job is queued or running on any node (the cluster's queue is one). */
    @Override
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                int left = sql.query(
                                "count jobs",
                                "SELECT count(*) FROM scheduled_tasks WHERE task_name = ?",
                                r -> r.getInt(1),
                                TASK)
                        .get(0);
                if (left == 0) {
                    return true;
                }
            } catch (IOException e) {
                log.warn("cannot count the jobs: {}", e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    /**
     * Stops this node's scheduler: running jobs are interrupted within a few seconds and left queued
     * for the other nodes, which resume them.
     */
    @Override
    public synchronized void shutdown() {
        stopping = true;
        Scheduler s = scheduler;
        if (s != null) {
            s.stop();
        }
        leases.close();
    }

    private com.github.kagkarlsson.scheduler.SchedulerClient client() {
        Scheduler s = scheduler;
        checkState(s != null, "start() was not called");
        return s;
    }

    private static String encode(Job job) {
        return job.priority().name() + "|" + job.maxSessionsOnHost() + "|" + job.legacyHost();
    }

    private static Job decode(String account, @Nullable String data) {
        checkArgument(data != null, "job of %s has no data", account);
        String[] parts = data.split("\\|", 3);
        return new Job(account, Priority.valueOf(parts[0]), parts[2], Integer.parseInt(parts[1]));
    }
}
