package org.mailsync.cluster.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.mailsync.AuthenticationException;
import org.mailsync.FolderPair;
import org.mailsync.FolderReport;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.SyncEngine;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.cluster.AccountJob;
import org.mailsync.cluster.JobState;
import org.mailsync.cluster.PassOptions;
import org.mailsync.cluster.spi.MailboxOpener;
import org.mailsync.jdbc.SecretOpener;
import org.mailsync.spi.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mailbox pass on a worker, as its db-scheduler execution runs it: the account's fenced lease,
 * slots of its legacy host's cap, the copy as a checkpointed {@link SyncEngine} pass whose
 * checkpoints and target writes are fenced by the lease, and the row's outcome. A host that is
 * full, or a lease still held by another run, reschedules the execution shortly instead of
 * blocking the thread.
 *
 * <p>Thread-safe: a worker runs several at once, never two of one account (the lease).
 */
public final class PassRunner {
    private static final Logger log = LoggerFactory.getLogger(PassRunner.class);

    /** What the execution does next: remove itself, or run again at a time. */
    public record Decision(@Nullable Instant runAgainAt) {
        static final Decision FINISHED = new Decision(null);

        static Decision at(Instant when) {
            return new Decision(when);
        }
    }

    private final String worker;
    private final AccountRows rows;
    private final HostSlots slots;
    private final Journal journal;
    private final RunLease.Leasing leasing;
    private final SecretOpener unseal;
    private final MailboxOpener opener;
    private final ScheduledExecutorService ticks;
    private final Duration leaseLength;
    private final Duration renewEvery;
    private final Duration hostFullWait;
    private final AtomicLong refusals = new AtomicLong();

    public PassRunner(
            String worker,
            Sql sql,
            RunLease.Leasing leasing,
            SecretOpener unseal,
            MailboxOpener opener,
            ScheduledExecutorService ticks,
            Duration leaseLength,
            Duration renewEvery,
            Duration hostFullWait) {
        this.worker = worker;
        this.rows = new AccountRows(sql);
        this.slots = new HostSlots(sql);
        this.journal = new Journal(sql, worker);
        this.leasing = leasing;
        this.unseal = unseal;
        this.opener = opener;
        this.ticks = ticks;
        this.leaseLength = leaseLength;
        this.renewEvery = renewEvery;
        this.hostFullWait = hostFullWait;
    }

    /** Late writes of this worker's runs that were refused because their lease had moved on. */
    public long refusals() {
        return refusals.get();
    }

    /** The journal of this worker (events, throughput). */
    public Journal journal() {
        return journal;
    }

    /** Runs the account's pass if it is due; never throws for the account's own failures. */
    public Decision run(String account) throws IOException, InterruptedException {
        Optional<AccountRows.Sealed> found = rows.sealed(account);
        if (found.isEmpty()) {
            return Decision.FINISHED; // deleted meanwhile
        }
        AccountJob job = found.get().job();
        if (job.state() == JobState.DONE || job.state() == JobState.FAILED) {
            return Decision.FINISHED; // an execution left over from before a retry or delta
        }
        Optional<RunLease> taken = leasing.tryAcquire(account, worker, leaseLength);
        if (taken.isEmpty()) {
            // Another run holds it and renews it: it finishes, or its lease runs out and we come back.
            return Decision.at(Instant.now().plus(renewEvery));
        }
        try (RunLease lease = taken.get()) {
            PassOptions options = PassOptions.parse(job.options());
            String holder = worker + "/" + account + "/" + lease.epoch();
            if (!slots.tryAcquire(job.legacyHost(), options.connections(), holder, leaseLength)) {
                rows.waiting(account, "waiting for a free connection to " + job.legacyHost());
                long jitter = ThreadLocalRandom.current().nextLong(hostFullWait.toMillis() / 2 + 1);
                return Decision.at(Instant.now().plus(hostFullWait).plusMillis(jitter));
            }
            try {
                return runLeased(found.get(), lease, options, holder);
            } finally {
                try {
                    slots.release(job.legacyHost(), holder);
                } catch (IOException e) {
                    log.warn(
                            "cannot give back the connection slots of {} (they expire by themselves): {}",
                            account,
                            e.getMessage());
                }
            }
        }
    }

    private Decision runLeased(AccountRows.Sealed sealed, RunLease lease, PassOptions options, String holder)
            throws IOException, InterruptedException {
        AccountJob job = sealed.job();
        String account = job.account();
        if (!rows.start(account, worker, lease.epoch())) {
            refused(account, lease, "start");
            return Decision.FINISHED;
        }
        if (job.state() == JobState.RUNNING) {
            // The row still says RUNNING: the run before this one neither finished nor failed
            // (its worker died or stalled), and its lease ran out.
            journal.event(
                    Journal.TAKEOVER,
                    account,
                    "epoch " + lease.epoch() + " after " + job.optionalWorker().orElse("an unknown worker"));
            log.info(
                    "took over {} from {} (epoch {})",
                    account,
                    job.optionalWorker().orElse("?"),
                    lease.epoch());
        }
        Progress progress = new Progress();
        AtomicBoolean lost = new AtomicBoolean();
        ScheduledFuture<?> renewer = ticks.scheduleWithFixedDelay(
                () -> tick(job, lease, holder, progress, lost),
                renewEvery.toMillis(),
                renewEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        SyncReport report;
        try {
            report = copy(sealed, lease, options, progress, lost);
        } catch (MailStoreException e) {
            renewer.cancel(false);
            return failed(job, lease, options, e.reason(), e instanceof AuthenticationException, lost);
        } finally {
            renewer.cancel(false);
        }
        progress.flush(rows, journal, account, lease.epoch());
        if (report.verdict() == SyncReport.Verdict.FAILED) {
            return failed(job, lease, options, reasonOf(report), false, lost);
        }
        String note = report.verdict() == SyncReport.Verdict.COMPLETE_WITH_SKIPS
                ? report.failed() + " messages could not be copied (see the worker's log)"
                : "";
        if (lost.get() || !lease.heldLocally() || !rows.done(account, lease.epoch(), note)) {
            refused(account, lease, "completion");
            return Decision.FINISHED;
        }
        journal.throughput(0, 0, 1);
        log.info("{}: pass complete, {} copied, {} already there", account, report.copied(), report.alreadyPresent());
        return Decision.FINISHED;
    }

    private SyncReport copy(
            AccountRows.Sealed sealed, RunLease lease, PassOptions options, Progress progress, AtomicBoolean lost)
            throws IOException, InterruptedException {
        AccountJob job = sealed.job();
        MailStore source = null;
        MailStore target = null;
        char[] sourcePassword = new char[0];
        char[] targetPassword = new char[0];
        try {
            sourcePassword =
                    unseal.openChars(sealed.sourceSecret(), AccountRows.secretContext(job.account(), "source"));
            targetPassword =
                    unseal.openChars(sealed.targetSecret(), AccountRows.secretContext(job.account(), "target"));
            source = opener.open(job.source(), sourcePassword, options.connections(), false);
            target = new FencedTarget(
                    opener.open(job.target(), targetPassword, options.connections(), true),
                    () -> !lost.get() && lease.heldLocally(),
                    () -> lost.set(true));
            return SyncEngine.builder()
                    .source(source)
                    .target(target)
                    .checkpoints(lease.checkpoints())
                    .parallelism(Math.max(1, options.connections() - 1))
                    .batchSize(options.batch())
                    .listener(progress)
                    .build()
                    .run();
        } finally {
            Arrays.fill(sourcePassword, '\0');
            Arrays.fill(targetPassword, '\0');
            closeQuietly(source);
            closeQuietly(target);
        }
    }

    /** Every heartbeat: the lease and the slots extended, the progress written. */
    private void tick(AccountJob job, RunLease lease, String holder, Progress progress, AtomicBoolean lost) {
        try {
            if (!lost.get() && !lease.renew()) {
                lost.set(true);
                refused(job.account(), lease, "lease renewal");
                return;
            }
            slots.renew(job.legacyHost(), holder, leaseLength);
            if (!progress.flush(rows, journal, job.account(), lease.epoch())) {
                lost.set(true);
                refused(job.account(), lease, "progress");
            }
        } catch (IOException | RuntimeException e) {
            // The lease runs out by itself if the database stays away; heldLocally() then stops appends.
            log.warn("heartbeat of {} failed: {}", job.account(), e.getMessage());
        }
    }

    private Decision failed(
            AccountJob job,
            RunLease lease,
            PassOptions options,
            String reason,
            boolean loginRefused,
            AtomicBoolean lost)
            throws IOException {
        String account = job.account();
        if (lost.get() || !lease.heldLocally()) {
            refused(account, lease, "failure record");
            return Decision.FINISHED;
        }
        boolean park = loginRefused || job.attempts() + 1 >= options.maxAttempts();
        if (!rows.failed(account, lease.epoch(), reason, park)) {
            refused(account, lease, "failure record");
            return Decision.FINISHED;
        }
        if (park) {
            journal.event(Journal.PARKED, account, reason);
            log.error("{} parked as failed: {}", account, reason);
            return Decision.FINISHED;
        }
        Duration wait = Duration.ofSeconds(Math.min(300, 5L << Math.min(6, job.attempts())));
        log.warn("{} failed (attempt {}): {}; retrying in {} s", account, job.attempts() + 1, reason, wait.toSeconds());
        return Decision.at(Instant.now().plus(wait));
    }

    /** A write of a run whose lease moved on was refused: logged and recorded, never retried. */
    private void refused(String account, RunLease lease, String what) {
        refusals.incrementAndGet();
        log.warn("late write refused: {} of {} by epoch {} (the lease moved on)", what, account, lease.epoch());
        journal.event(Journal.FENCED_WRITE_REFUSED, account, what + " by epoch " + lease.epoch());
    }

    private static String reasonOf(SyncReport report) {
        String accountError = report.accountError();
        if (accountError != null) {
            return accountError;
        }
        for (FolderReport f : report.folders()) {
            String error = f.error();
            if (error != null) {
                return f.pair() + ": " + error;
            }
        }
        return "the pass failed";
    }

    private static void closeQuietly(@Nullable MailStore store) {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (MailStoreException | RuntimeException e) {
            log.debug("closing {} failed", store.account(), e);
        }
    }

    /** Counts as the engine reports them; written to the row and the throughput at each heartbeat. */
    private static final class Progress implements SyncListener {
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong total = new AtomicLong();
        private final AtomicLong bytesDone = new AtomicLong();
        private final AtomicLong bytesTotal = new AtomicLong();
        private long reportedMessages;
        private long reportedBytes;

        @Override
        public void folderStarted(FolderPair pair, long messagesToCopy, long bytesToCopy) {
            total.addAndGet(messagesToCopy);
            bytesTotal.addAndGet(bytesToCopy);
        }

        @Override
        public void messageCopied(FolderPair pair, MessageUid source, long bytes) {
            done.incrementAndGet();
            bytesDone.addAndGet(bytes);
        }

        /** Writes the figures (false if the row's epoch moved on) and the throughput since last time. */
        synchronized boolean flush(AccountRows rows, Journal journal, String account, long epoch) throws IOException {
            long d = done.get();
            long b = bytesDone.get();
            journal.throughput(d - reportedMessages, b - reportedBytes, 0);
            reportedMessages = d;
            reportedBytes = b;
            return rows.progress(account, epoch, d, total.get(), b, bytesTotal.get());
        }
    }
}
