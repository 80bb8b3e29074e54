package org.mailsync.cluster.internal;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskDescriptor;
import java.io.IOException;
import java.time.Instant;
import org.mailsync.cluster.JobKind;

/**
 * The db-scheduler side of an account's pass: one execution of task {@value #PASS_TASK} per
 * account (the instance id is the account id), with the kind's priority.
 *
 * <p>Thread-safe.
 */
public final class PassTasks {
    /** The one-time task of a mailbox pass. */
    public static final String PASS_TASK = "mailsync-pass";

    /** The recurring task that queues delta passes. */
    public static final String DELTA_TASK = "mailsync-delta";

    /** The pass task's descriptor (no data: everything is in the account's row). */
    public static final TaskDescriptor<Void> PASS = TaskDescriptor.of(PASS_TASK);

    private final SchedulerClient client;
    private final Sql sql;

    public PassTasks(SchedulerClient client, Sql sql) {
        this.client = client;
        this.sql = sql;
    }

    /**
     * Schedules the account's pass now, unless it has one; a queued (not yet picked) execution of a
     * lower priority is raised to {@code kind}'s and made due now (a login jumps the queue).
     */
    public void schedule(String account, JobKind kind) throws IOException {
        boolean added = client.scheduleIfNotExists(
                PASS.instance(account).priority(kind.priority()).scheduledTo(Instant.now()));
        if (!added) {
            // db-scheduler's reschedule keeps the priority: raise it in its table directly.
            sql.update(
                    "raise the priority of " + account,
                    "UPDATE scheduled_tasks SET priority = ?, execution_time = least(execution_time, now()),"
                            + " version = version + 1 WHERE task_name = ? AND task_instance = ? AND NOT picked"
                            + " AND coalesce(priority, 0) < ?",
                    kind.priority(),
                    PASS_TASK,
                    account,
                    kind.priority());
        }
    }

    /** Drops the account's execution if it is not running; true if one was dropped. */
    public boolean cancel(String account) throws IOException {
        return sql.update(
                        "cancel the pass of " + account,
                        "DELETE FROM scheduled_tasks WHERE task_name = ? AND task_instance = ? AND NOT picked",
                        PASS_TASK,
                        account)
                == 1;
    }
}
