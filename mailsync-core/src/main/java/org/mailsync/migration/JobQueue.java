package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.mailsync.migration.spi.MigrationRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link MigrationRunner}, in process: one job per account at most, queued or running;
 * jobs run in priority order (a login before a resume before a delta pass before a bulk pre-stage,
 * then first come first served), at most {@code maxRunning} at once, and never more sessions on a
 * legacy host than its cap allows. Login checks take sessions from the same per-host count ({@link
 * LegacySessions}), so when the cap is 2 or more migrations leave one free for them.
 *
 * <p>Thread-safe: every method synchronizes on this queue.
 */
final class JobQueue implements MigrationRunner {
    private static final Logger log = LoggerFactory.getLogger(JobQueue.class);

    /** A queued job and its place in the line among jobs of its priority. */
    private record Entry(Job job, long seq) {}

    private static final Comparator<Entry> ORDER =
            Comparator.comparing((Entry e) -> e.job().priority()).thenComparingLong(Entry::seq);

    private final int maxRunning;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final LegacySessions sessions;
    private final TreeSet<Entry> queue = new TreeSet<>(ORDER);
    private final Map<String, Entry> queued = new HashMap<>();
    private final Set<String> running = new HashSet<>();
    private @Nullable Consumer<Job> work;
    private int runningCount;
    private long seq;
    private boolean closed;
    private boolean pumping;

    /**
     * @param executor the vendor's executor (at least {@code maxRunning} threads, left running by
     *     {@link #shutdown}), or null for a pool of our own
     */
    JobQueue(int maxRunning, @Nullable ExecutorService executor, LegacySessions sessions) {
        this.maxRunning = maxRunning;
        this.sessions = sessions;
        if (executor != null) {
            this.executor = executor;
            this.ownsExecutor = false;
        } else {
            AtomicInteger threads = new AtomicInteger();
            this.executor = Executors.newFixedThreadPool(maxRunning, r -> {
                Thread t = new Thread(r, "mailsync-migration-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.ownsExecutor = true;
        }
        // A session given back (by a login check or a job) may let a waiting job start.
        sessions.onRelease(this::pumpNow);
    }

    @Override
    public synchronized void start(Consumer<Job> jobWork) {
        checkState(work == null, "already started");
        work = jobWork;
        pump();
    }

    /**
     * Queues a job for the account; a job already queued keeps its place unless this one has a
     * higher priority (a login jumps the queue); a running one is left to finish.
     */
    @Override
    public synchronized void submit(Job job) {
        if (closed || running.contains(job.account())) {
            return;
        }
        Entry old = queued.get(job.account());
        if (old != null) {
            if (old.job().priority().compareTo(job.priority()) <= 0) {
                return;
            }
            queue.remove(old);
        }
        Entry entry = new Entry(job, seq++);
        queue.add(entry);
        queued.put(job.account(), entry);
        pump();
    }

    @Override
    public synchronized boolean cancel(String account) {
        Entry old = queued.remove(account);
        if (old == null) {
            return false;
        }
        queue.remove(old);
        notifyAll();
        return true;
    }

    @Override
    public synchronized boolean busy(String account) {
        return running.contains(account) || queued.containsKey(account);
    }

    @Override
    public synchronized List<String> queued() {
        List<String> out = new ArrayList<>();
        queue.forEach(e -> out.add(e.job().account()));
        return out;
    }

    @Override
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
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

    /**
     * Drops what is queued and takes no more; running jobs on our own pool are interrupted and
     * waited for up to a minute (a closed service must not write while the next one starts over the
     * same files); on the vendor's executor they finish or see the vendor's interrupt.
     */
    @Override
    public void shutdown() {
        synchronized (this) {
            closed = true;
            queue.clear();
            queued.clear();
            notifyAll();
        }
        if (ownsExecutor) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                    log.error("migrations did not stop within a minute of close()");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void pumpNow() {
        pump();
    }

    /** Starts the first queued jobs that a free thread and a free legacy session allow. */
    private void pump() {
        Consumer<Job> body = work;
        if (pumping || body == null) {
            return; // a session given back while this pump runs: it goes on anyway
        }
        pumping = true;
        try {
            while (!closed && runningCount < maxRunning) {
                Entry next = null;
                for (Entry e : queue) {
                    if (sessions.tryAcquireForMigration(
                            e.job().legacyHost(), e.job().maxSessionsOnHost())) {
                        next = e;
                        break;
                    }
                }
                if (next == null) {
                    return;
                }
                Job job = next.job();
                queue.remove(next);
                queued.remove(job.account());
                running.add(job.account());
                runningCount++;
                try {
                    executor.execute(() -> run(body, job));
                } catch (RejectedExecutionException e) {
                    log.error(
                            "migration executor refused the job of {}; it stays where it is until a restart",
                            job.account());
                    running.remove(job.account());
                    runningCount--;
                    notifyAll();
                    sessions.release(job.legacyHost());
                    return;
                }
            }
        } finally {
            pumping = false;
        }
    }

    private void run(Consumer<Job> body, Job job) {
        try {
            body.accept(job);
        } finally {
            // The session first, so that an idle queue has given every session back. Outside this
            // queue's monitor: the release wakes waiting logins and pumps the queue.
            sessions.release(job.legacyHost());
            synchronized (this) {
                running.remove(job.account());
                runningCount--;
                notifyAll();
                pump(); // the thread is free now too
            }
        }
    }
}
