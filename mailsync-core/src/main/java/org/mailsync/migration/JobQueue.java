package org.mailsync.migration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration queue: one job per account at most, queued or running; jobs run in priority order
 * (a login before a resume before a delta pass before a bulk pre-stage, then first come first
 * served), at most {@code maxRunning} at once, and never more sessions on a legacy host than its
 * cap allows. Login checks take sessions from the same per-host count, so when the cap is 2 or more
 * migrations leave one free for them.
 *
 * <p>Thread-safe: every method synchronizes on this queue.
 */
final class JobQueue {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

    /** Why a job runs; the order is the priority. */
    enum Kind {
        LOGIN,
        RESUME,
        DELTA,
        BULK
    }

    record Job(String account, DomainSettings domain, Kind kind, long seq) {}

    private static final Comparator<Job> ORDER = Comparator.comparing(Job::kind).thenComparingLong(Job::seq);

    private final int maxRunning;
    private final Executor executor;
    private final Consumer<Job> body;
    private final TreeSet<Job> queue = new TreeSet<>(ORDER);
    private final Map<String, Job> queued = new HashMap<>();
    private final Set<String> running = new HashSet<>();
    private final LegacySessions sessions;
    private int runningCount;
    private long seq;
    private boolean closed;
    private boolean pumping;

    JobQueue(int maxRunning, Executor executor, LegacySessions sessions, Consumer<Job> body) {
        this.maxRunning = maxRunning;
        this.executor = executor;
        this.sessions = sessions;
        this.body = body;
        // A session given back (by a login check or a job) may let a waiting job start.
        sessions.onRelease(this::pumpNow);
    }

    /**
     * Queues a job for the account; a job already queued keeps its place unless this one has a
     * higher priority (a login jumps the queue); a running one is left to finish.
     */
    synchronized void submit(String account, DomainSettings domain, Kind kind) {
        if (closed || running.contains(account)) {
            return;
        }
        Job old = queued.get(account);
        if (old != null) {
            if (old.kind().compareTo(kind) <= 0) {
                return;
            }
            queue.remove(old);
        }
        Job job = new Job(account, domain, kind, seq++);
        queue.add(job);
        queued.put(account, job);
        pump();
    }

    /** Whether the account has a job queued or running. */
    synchronized boolean busy(String account) {
        return running.contains(account) || queued.containsKey(account);
    }

    /** The queued accounts, in the order they will run (for a status page, and tests). */
    synchronized List<String> queuedAccounts() {
        List<String> out = new ArrayList<>();
        queue.forEach(j -> out.add(j.account()));
        return out;
    }

    /** Waits until nothing is queued or running; false if the timeout came first. */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (runningCount > 0 || !queue.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Drops what is queued and takes no more; running jobs finish (or see their interrupt). */
    synchronized void close() {
        closed = true;
        queue.clear();
        queued.clear();
        notifyAll();
    }

    private synchronized void pumpNow() {
        pump();
    }

    /** Starts the first queued jobs that a free thread and a free legacy session allow. */
    private void pump() {
        if (pumping) {
            return; // a session given back while this pump runs: it goes on anyway
        }
        pumping = true;
        try {
            while (!closed && runningCount < maxRunning) {
                Job next = null;
                for (Job job : queue) {
                    if (sessions.tryAcquireForMigration(
                            job.domain().legacy().hostKey(), job.domain().maxConnectionsPerHost())) {
                        next = job;
                        break;
                    }
                }
                if (next == null) {
                    return;
                }
                Job job = next;
                queue.remove(job);
                queued.remove(job.account());
                running.add(job.account());
                runningCount++;
                try {
                    executor.execute(() -> run(job));
                } catch (RejectedExecutionException e) {
                    log.error(
                            "migration executor refused the job of {}; it stays where it is until a restart",
                            job.account());
                    running.remove(job.account());
                    runningCount--;
                    notifyAll();
                    sessions.release(job.domain().legacy().hostKey());
                    return;
                }
            }
        } finally {
            pumping = false;
        }
    }

    private void run(Job job) {
        try {
            body.accept(job);
        } finally {
            synchronized (this) {
                running.remove(job.account());
                runningCount--;
                notifyAll();
            }
            // Outside this queue's monitor: the release pumps it (and wakes waiting logins).
            sessions.release(job.domain().legacy().hostKey());
        }
    }
}
