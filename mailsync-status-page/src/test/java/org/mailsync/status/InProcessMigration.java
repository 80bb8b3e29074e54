package org.mailsync.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mailsync.AuthenticationException;
import org.mailsync.ErrorContext;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncListener;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * A real migration in this process, for the status page's tests: a few worker threads copy
 * in-memory accounts with the real {@link SyncEngine}, from sources slowed down to a few messages a
 * second (a slow legacy server, so that a progress bar visibly moves), and record progress through
 * a {@link SyncListener}. Accounts named in {@code failOnce} fail their first attempt at login with
 * {@link #FAILURE_REASON}; a retry then succeeds.
 *
 * <p>Thread-safe.
 */
final class InProcessMigration implements StatusView, AutoCloseable {
    /** Hostile on purpose: a reason is text a remote server may have sent. */
    static final String FAILURE_REASON = "LOGIN refused: <script>window.__pwned=1</script>"
            + "<img src=x onerror=\"window.__pwned=2\"> & \"quotes\"";

    private enum State {
        QUEUED,
        RUNNING,
        DONE,
        FAILED
    }

    private static final class Account {
        final String name;
        final MailStore source;
        final InMemoryStore target;
        final Path checkpoints;
        final AtomicInteger failuresLeft;
        // Guarded by InProcessMigration.this.
        State state = State.QUEUED;
        int attempts;
        String reason = "";
        Instant failedAt = Instant.EPOCH;
        Instant started = Instant.EPOCH;
        String worker = "";
        // Written by the engine's threads, read by snapshot().
        final AtomicLong messagesDone = new AtomicLong();
        final AtomicLong messagesTotal = new AtomicLong();
        final AtomicLong bytesDone = new AtomicLong();
        final AtomicLong bytesTotal = new AtomicLong();

        Account(String name, MailStore source, Path checkpoints, boolean failOnce) {
            this.name = name;
            this.source = source;
            this.target = InMemoryStore.create("target:" + name);
            this.checkpoints = checkpoints;
            this.failuresLeft = new AtomicInteger(failOnce ? 1 : 0);
        }
    }

    private final Clock clock;
    private final Map<String, Account> accounts = new LinkedHashMap<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService sampler;
    private final AtomicLong copied = new AtomicLong();
    private final Deque<ThroughputPoint> throughput = new ArrayDeque<>();
    private final List<String> retried = new CopyOnWriteArrayList<>();
    private long lastSampleCopied;
    private Instant lastSampleAt;

    /**
     * @param names the accounts, in order
     * @param failOnce the accounts whose first attempt fails
     * @param messagesPerAccount messages in each source's INBOX
     * @param readDelayMillis how long the source takes per message read
     */
    InProcessMigration(
            List<String> names,
            List<String> failOnce,
            int messagesPerAccount,
            long readDelayMillis,
            int workerThreads,
            Path stateDirectory)
            throws MailStoreException {
        this.clock = Clock.systemUTC();
        for (String name : names) {
            InMemoryStore store = InMemoryStore.create("source:" + name);
            store.createFolder(FolderPath.INBOX);
            try (MailFolder folder = store.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < messagesPerAccount; i++) {
                    byte[] mail = ("From: a@example.org\r\nTo: " + name + "\r\nSubject: message " + i
                                    + "\r\nMessage-ID: <" + i + "." + name.hashCode() + "@example.org>\r\n\r\nbody " + i
                                    + "\r\n")
                            .getBytes(StandardCharsets.UTF_8);
                    folder.append(
                            new AppendRequest(RawMessage.of(mail), Flags.NONE, Instant.parse("2026-01-01T00:00:00Z")));
                }
            }
            Account account = new Account(
                    name,
                    new SlowSource(store, readDelayMillis),
                    stateDirectory.resolve("account-" + accounts.size()),
                    failOnce.contains(name));
            accounts.put(name, account);
        }
        AtomicInteger threadNumber = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(workerThreads, r -> {
            Thread t = new Thread(r, "worker-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "throughput-sampler");
            t.setDaemon(true);
            return t;
        });
        this.lastSampleAt = clock.instant();
    }

    /** Queues every account and starts sampling throughput once a second. */
    void start() {
        sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
        for (Account account : accounts.values()) {
            workers.execute(() -> run(account));
        }
    }

    /** The accounts retried through {@link #retry(String)}, in order. */
    List<String> retried() {
        return List.copyOf(retried);
    }

    /** The messages on an account's target now. */
    long targetMessages(String name) throws MailStoreException {
        Account account = accounts.get(name);
        try (MailFolder inbox = account.target.openFolder(FolderPath.INBOX)) {
            return inbox.status().messageCount();
        }
    }

    private void run(Account account) {
        synchronized (this) {
            account.state = State.RUNNING;
            account.started = clock.instant();
            account.worker = Thread.currentThread().getName();
            account.messagesDone.set(0);
            account.messagesTotal.set(0);
            account.bytesDone.set(0);
            account.bytesTotal.set(0);
        }
        String failure;
        try {
            MailStore source = account.failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? new RefusingSource(account.source)
                    : account.source;
            SyncEngine engine = SyncEngine.builder()
                    .source(source)
                    .target(account.target)
                    .checkpoints(FileCheckpointStore.in(account.checkpoints))
                    .listener(new Progress(account))
                    // Small batches: progress is reported per appended batch, and the bar should move often.
                    .batchSize(4)
                    .build();
            SyncReport report = engine.run();
            failure = report.verdict() == SyncReport.Verdict.FAILED
                    ? report.optionalAccountError().orElse("a folder failed: " + report.folders())
                    : null;
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        synchronized (this) {
            if (failure == null) {
                account.state = State.DONE;
            } else {
                account.state = State.FAILED;
                account.attempts++;
                account.reason = failure;
                account.failedAt = clock.instant();
            }
        }
    }

    private final class Progress implements SyncListener {
        private final Account account;

        Progress(Account account) {
            this.account = account;
        }

        @Override
        public void folderStarted(FolderPair pair, long messagesToCopy, long bytesToCopy) {
            account.messagesTotal.addAndGet(messagesToCopy);
            account.bytesTotal.addAndGet(bytesToCopy);
        }

        @Override
        public void messageCopied(FolderPair pair, MessageUid source, long bytes) {
            account.messagesDone.incrementAndGet();
            account.bytesDone.addAndGet(bytes);
            copied.incrementAndGet();
        }
    }

    private synchronized void sample() {
        Instant now = clock.instant();
        long total = copied.get();
        double minutes = (now.toEpochMilli() - lastSampleAt.toEpochMilli()) / 60_000.0;
        if (minutes > 0) {
            throughput.addLast(new ThroughputPoint(now, (total - lastSampleCopied) / minutes));
            while (throughput.size() > 600) {
                throughput.removeFirst();
            }
        }
        lastSampleCopied = total;
        lastSampleAt = now;
    }

    @Override
    public synchronized StatusSnapshot snapshot() {
        Map<String, Long> states = new LinkedHashMap<>();
        for (State s : State.values()) {
            states.put(s.name(), 0L);
        }
        List<RunningMailbox> running = new ArrayList<>();
        List<AccountFailure> failures = new ArrayList<>();
        for (Account a : accounts.values()) {
            states.merge(a.state.name(), 1L, Long::sum);
            if (a.state == State.RUNNING) {
                running.add(new RunningMailbox(
                        a.name,
                        a.worker,
                        a.messagesDone.get(),
                        a.messagesTotal.get(),
                        a.bytesDone.get(),
                        a.bytesTotal.get(),
                        a.started));
            } else if (a.state == State.FAILED) {
                failures.add(new AccountFailure(a.name, a.reason, a.attempts, a.failedAt));
            }
        }
        failures.sort(Comparator.comparing(AccountFailure::time).reversed());
        return new StatusSnapshot(clock.instant(), states, running, List.copyOf(throughput), failures);
    }

    @Override
    public boolean retry(String account) {
        Account a;
        synchronized (this) {
            a = accounts.get(account);
            if (a == null || a.state != State.FAILED) {
                return false;
            }
            a.state = State.QUEUED;
            retried.add(account);
        }
        workers.execute(() -> run(a));
        return true;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A legacy server that answers slowly: each message read takes a while. */
    private static final class SlowSource extends ForwardingMailStore {
        private final long delayMillis;

        SlowSource(MailStore delegate, long delayMillis) {
            super(delegate);
            this.delayMillis = delayMillis;
        }

        @Override
        public MailFolder openFolder(FolderPath path) throws MailStoreException {
            return new ForwardingMailFolder(super.openFolder(path)) {
                @Override
                public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer)
                        throws MailStoreException {
                    super.readAll(uids, (uid, raw) -> {
                        pause();
                        consumer.accept(uid, raw);
                    });
                }

                @Override
                public java.util.Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
                    pause();
                    return super.read(uid);
                }
            };
        }

        private void pause() {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A legacy server that refuses the login, with a reason a hostile server could send. */
    private static final class RefusingSource extends ForwardingMailStore {
        RefusingSource(MailStore delegate) {
            super(delegate);
        }

        @Override
        public List<FolderInfo> listFolders() throws MailStoreException {
            throw new AuthenticationException(ErrorContext.of(account()), FAILURE_REASON, null);
        }
    }
}
