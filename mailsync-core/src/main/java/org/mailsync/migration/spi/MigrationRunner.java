package org.mailsync.migration.spi;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs the accounts' migration jobs for an {@link org.mailsync.migration.AutoMigration}: when, in
 * which order and on which thread (or machine). The default runner works in process: a thread pool
 * of {@code maxConcurrentMigrations}, jobs in {@link Priority} order and first come first served
 * within one, and no more sessions on a legacy host than its cap allows, login checks included. A
 * cluster scheduler may replace it without touching the rest ({@code
 * AutoMigration.Builder.runner(...)}): it records the jobs where every node sees them and, on the
 * node that picks one, hands it to that node's {@code work}.
 *
 * <p>What every runner promises: at most one job per account queued or running; a job submitted
 * for an account that has one queued replaces it only if its priority is higher, and one submitted
 * while the account's job runs is dropped (the service submits again when it is due); a job may run
 * more than once (at least once, never lost while the service runs). After a restart the service
 * submits again what its saved states say is due, so a runner needs keep nothing across restarts.
 *
 * <p>Implementations must be thread-safe: the service calls them from login, tick and job threads.
 */
public interface MigrationRunner {
    /** Why a job runs; the declaration order is the priority order, the most urgent first. */
    enum Priority {
        /** A user waiting at the login prompt for their mail. */
        LOGIN,
        /** A migration that was under way before a restart or a failure, or that an operator retried. */
        RESUME,
        /** A delta pass over a synced account, for mail that still reached the legacy server. */
        DELTA,
        /** Bulk pre-staging, before the account's user ever logs in. */
        BULK
    }

    /**
     * One account's job: what a runner schedules. The work to do is the service's; the runner
     * learns only what it needs to order and cap the jobs. Immutable.
     *
     * @param account the local account name
     * @param priority why it runs
     * @param legacyHost the legacy host it opens a session on ({@code host:port})
     * @param maxSessionsOnHost the host's session cap; a migration leaves one for login checks when
     *     it is 2 or more
     */
    record Job(String account, Priority priority, String legacyHost, int maxSessionsOnHost) {
        public Job {
            checkArgument(!account.isBlank(), "account must not be blank");
            checkArgument(!legacyHost.isBlank(), "legacy host must not be blank");
            checkArgument(maxSessionsOnHost >= 1, "max sessions on host must be at least 1, not %s", maxSessionsOnHost);
        }
    }

    /**
     * Connects the runner to the service on this node: {@code work} runs one job (it handles its own
     * failures and returns when the job is over). Called once, by {@code AutoMigration.start()},
     * before any other method.
     */
    void start(Consumer<Job> work);

    /** Queues {@code job}, or not, as the class comment says. */
    void submit(Job job);

    /** Drops the account's queued job; a running one is left to finish. True if one was dropped. */
    boolean cancel(String account);

    /** Whether the account has a job queued or running. */
    boolean busy(String account);

    /** The accounts whose jobs are queued, in the order they will run (for a status page). */
    List<String> queued();

    /** Waits until no job is queued or running; false if the timeout came first. */
    boolean awaitIdle(Duration timeout) throws InterruptedException;

    /**
     * Drops what is queued and takes no more jobs; running jobs are interrupted if they run on
     * threads of the runner's own, and waited for a bounded time (the service's state lets the next
     * start resume them).
     */
    void shutdown();
}
