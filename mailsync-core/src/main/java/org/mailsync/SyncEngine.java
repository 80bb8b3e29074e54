package org.mailsync;

import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.mailsync.internal.ByteBudget;
import org.mailsync.internal.FolderSync;
import org.mailsync.internal.Futures;
import org.mailsync.internal.RunContext;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-way sync of every selected folder of a source store into a target store, checkpointed so
 * that it can run again and again: each pass copies what is new, propagates flag changes, and
 * (when asked) mirrors deletions. A pass killed at any point and run again leaves every message on
 * the target exactly once, byte for byte, with its flags and internal date.
 *
 * <pre>{@code
 * SyncEngine sync = SyncEngine.builder()
 *     .source(oldServer).target(newServer)
 *     .checkpoints(FileCheckpointStore.in(Path.of("state/alice")))
 *     .build();
 * SyncReport report = sync.run();
 * }</pre>
 *
 * <p>Thread-safe; {@link #run()} may be called again (a delta pass), but not concurrently with
 * itself. The stores are not closed by the engine.
 */
public final class SyncEngine {
    private static final Logger log = LoggerFactory.getLogger(SyncEngine.class);

    /** Default of {@link Builder#folderDeadline}, in hours. */
    public static final int DEFAULT_FOLDER_DEADLINE_HOURS = 12;

    /** Default of {@link Builder#accountDeadline}, in hours. */
    public static final int DEFAULT_ACCOUNT_DEADLINE_HOURS = 48;

    private static final Duration DEFAULT_FOLDER_DEADLINE = Duration.ofHours(DEFAULT_FOLDER_DEADLINE_HOURS);
    private static final Duration DEFAULT_ACCOUNT_DEADLINE = Duration.ofHours(DEFAULT_ACCOUNT_DEADLINE_HOURS);

    private final SyncConfiguration config;
    private final ByteBudget budget;
    /** Set while a pass runs: a second pass of this engine at once would write alongside it. */
    private final AtomicBoolean running = new AtomicBoolean();

    private SyncEngine(SyncConfiguration config) {
        this.config = config;
        this.budget = new ByteBudget(config.maxInFlightBytes());
    }

    /** A builder with every setting at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** What this engine was built with. */
    public SyncConfiguration configuration() {
        return config;
    }

    /**
     * Runs one pass and reports what it did. Never throws for a store failure: see the report.
     * Holds the checkpoint store's {@link CheckpointStore#lock() lock} throughout (a dry run,
     * which writes nothing, does not take it).
     *
     * @throws CheckpointBusyException if another run holds the checkpoints
     * @throws IllegalStateException if this engine is running a pass already (in another thread);
     *     once that pass has ended, the next may start
     */
    public SyncReport run() throws InterruptedException, CheckpointBusyException {
        if (!running.compareAndSet(false, true)) {
            throw new IllegalStateException(
                    "this SyncEngine (" + config.source().account() + " to "
                            + config.target().account() + ") is running a pass already; wait until run() returns"
                            + " before starting the next (delta) pass");
        }
        try {
            return runOnce();
        } finally {
            running.set(false);
        }
    }

    private SyncReport runOnce() throws InterruptedException, CheckpointBusyException {
        if (config.dryRun()) {
            return runLocked();
        }
        org.mailsync.spi.CheckpointLock lock;
        try {
            lock = config.checkpoints().lock();
        } catch (CheckpointBusyException e) {
            throw e;
        } catch (IOException e) {
            SyncReport report = new SyncReport(
                    ImmutableList.of(),
                    ImmutableList.of(),
                    ImmutableList.of(),
                    "cannot lock the checkpoints " + config.checkpoints() + ": " + e.getMessage(),
                    Duration.ZERO);
            config.listener().runFinished(report);
            return report;
        }
        try {
            return runLocked();
        } finally {
            try {
                lock.close();
            } catch (IOException e) {
                // The report stands; the OS drops the lock when this process ends at the latest.
                log.warn("cannot release the checkpoint lock of {}: {}", config.checkpoints(), e.getMessage());
            }
        }
    }

    private SyncReport runLocked() throws InterruptedException {
        Instant start = config.clock().instant();
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        List<SkippedItem> skipped = new ArrayList<>();
        List<FolderPair> pairs;
        Set<FolderPath> plannedTargets = new HashSet<>();
        try {
            pairs = plan(notes, plannedTargets);
            skipped.addAll(config.source().skipped());
        } catch (MailStoreException e) {
            config.listener().error(e);
            SyncReport report = new SyncReport(
                    ImmutableList.of(),
                    ImmutableList.copyOf(skipped),
                    ImmutableList.copyOf(notes),
                    e.getMessage(),
                    Duration.between(start, config.clock().instant()));
            config.listener().runFinished(report);
            return report;
        }
        config.listener().runStarted(pairs.size());
        // Pairs that write into one target folder run one after the other: their appends must
        // not interleave, or settling an interrupted append could take the other's messages.
        Map<FolderPath, List<FolderPair>> byTarget = new LinkedHashMap<>();
        for (FolderPair pair : pairs) {
            byTarget.computeIfAbsent(pair.target(), t -> new ArrayList<>()).add(pair);
        }
        List<FolderReport> reports = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<String> accountError = new AtomicReference<>();
        AtomicInteger threadNumber = new AtomicInteger();
        Instant accountDeadline = start.plus(config.accountDeadline());
        ExecutorService readers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mailsync-reader-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        RunContext context = new RunContext(budget, readers, notes::add, plannedTargets, accountDeadline);
        ExecutorService pool =
                Executors.newFixedThreadPool(Math.max(1, Math.min(config.parallelism(), byTarget.size())), r -> {
                    Thread t = new Thread(r, "mailsync-folder-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (List<FolderPair> group : byTarget.values()) {
                futures.add(pool.submit(() -> {
                    for (FolderPair pair : group) {
                        if (accountError.get() != null) {
                            reports.add(notAttempted(pair, accountError.get()));
                            continue;
                        }
                        if (config.clock().instant().isAfter(accountDeadline)) {
                            reports.add(failed(
                                    pair,
                                    "not attempted: the account deadline of " + config.accountDeadline() + " passed"));
                            continue;
                        }
                        reports.add(syncWithRetries(context, pair, accountError));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                Futures.await(f, RuntimeException.class);
            }
        } finally {
            pool.shutdownNow();
            readers.shutdownNow();
            // Never return while a worker may still write: a caller may start the next pass.
            if (!pool.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES)
                    || !readers.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                log.error("folder workers did not stop within 5 minutes of the pass ending");
            }
        }
        List<FolderReport> ordered = new ArrayList<>(reports);
        ordered.sort((x, y) -> x.pair().source().compareTo(y.pair().source()));
        SyncReport report = new SyncReport(
                ImmutableList.copyOf(ordered),
                ImmutableList.copyOf(skipped),
                ImmutableList.copyOf(notes),
                accountError.get(),
                Duration.between(start, config.clock().instant()));
        config.listener().runFinished(report);
        return report;
    }

    /**
     * The folder pairs of this run. Adds to {@code plannedTargets} the selectable target folders
     * listed now: a folder missing there was deleted on the target, and its checkpoint is not
     * trusted.
     */
    private List<FolderPair> plan(List<String> notes, Set<FolderPath> plannedTargets) throws MailStoreException {
        List<FolderInfo> sourceFolders = config.source().listFolders();
        List<FolderInfo> targetFolders = config.target().listFolders();
        targetFolders.stream().filter(FolderInfo::selectable).forEach(f -> plannedTargets.add(f.path()));
        if (!config.source().capabilities().has(Capability.MODSEQ)) {
            notes.add(
                    config.newMailOnly()
                            ? "new-mail-only pass: the source keeps no modification sequences (CONDSTORE), and folders"
                                    + " whose message count and next id are unchanged were not read, so flag changes"
                                    + " there were not looked for"
                            : "the source keeps no modification sequences (CONDSTORE): the flags of every message of"
                                    + " every folder were read (a full pass)");
        }
        List<FolderInfo> selected = sourceFolders.stream()
                .filter(f -> config.folders().selects(f.path()))
                .toList();
        FolderMapping.Plan plan = config.folders().plan(selected, targetFolders);
        notes.addAll(plan.notes());
        Set<FolderPath> placeholders = placeholders(selected, notes);
        Map<SpecialUse, FolderPath> useHolders = specialUseHolders(selected);
        List<FolderPair> pairs = new ArrayList<>();
        Map<FolderPath, List<FolderPath>> sourcesByTarget = new LinkedHashMap<>();
        for (FolderInfo folder : selected) {
            if (!folder.selectable() || placeholders.contains(folder.path())) {
                continue;
            }
            FolderPath target = requireNonNull(plan.targets().get(folder.path()));
            pairs.add(new FolderPair(folder.path(), target));
            sourcesByTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(folder.path());
            Optional<SpecialUse> use =
                    FolderMapping.specialUseOf(folder).filter(u -> folder.path().equals(useHolders.get(u)));
            if (use.isPresent()
                    && !config.dryRun()
                    && !target.isInbox()
                    && targetFolders.stream().noneMatch(t -> t.path().equals(target))) {
                // Created here, with its use (CREATE-SPECIAL-USE where the target has it), so that
                // clients of the new server find Sent, Drafts, Trash and Junk where they look.
                try {
                    config.target().createFolder(target, use.get());
                } catch (FolderUnusableException e) {
                    // Reported when the folder pair itself runs.
                }
            }
            if (config.copySubscriptions() && !config.dryRun() && folder.subscribed()) {
                try {
                    config.target().createFolder(target);
                    config.target().setSubscribed(target, true);
                } catch (FolderUnusableException e) {
                    // Reported when the folder pair itself runs.
                }
            }
        }
        sourcesByTarget.forEach((target, sources) -> {
            if (sources.size() > 1) {
                notes.add("folders " + sources + " all go into " + target + " on the target");
            }
        });
        return pairs;
    }

    /**
     * For each special use, the one source folder that holds it: the folder with the attribute,
     * else the best known name, as {@link FolderMapping#plan} decides. Only that folder's target is
     * created with the use, so that the target never gets two Drafts folders.
     */
    private static Map<SpecialUse, FolderPath> specialUseHolders(List<FolderInfo> folders) {
        Map<SpecialUse, FolderInfo> best = new java.util.EnumMap<>(SpecialUse.class);
        for (FolderInfo f : folders) {
            if (!f.selectable()) {
                continue;
            }
            Optional<SpecialUse> use = FolderMapping.specialUseOf(f);
            if (use.isEmpty()) {
                continue;
            }
            FolderInfo held = best.get(use.get());
            if (held == null || betterHolder(use.get(), f, held)) {
                best.put(use.get(), f);
            }
        }
        Map<SpecialUse, FolderPath> holders = new java.util.EnumMap<>(SpecialUse.class);
        best.forEach((u, f) -> holders.put(u, f.path()));
        return holders;
    }

    private static boolean betterHolder(SpecialUse use, FolderInfo candidate, FolderInfo held) {
        boolean candidateAttr = candidate.specialUse() == use;
        boolean heldAttr = held.specialUse() == use;
        if (candidateAttr != heldAttr) {
            return candidateAttr;
        }
        int c = FolderMapping.nameRank(use, candidate.path());
        int h = FolderMapping.nameRank(use, held.path());
        return c >= 0 && (h < 0 || c < h);
    }

    /**
     * Selectable source folders that are there only for their children: no messages, and at
     * least one folder listed below them (as Cyrus lists the parents it creates by itself). Like
     * {@code \Noselect} parents they get no folder pair: creating a child on the target creates
     * them as parents. One status per folder that has children listed.
     */
    private Set<FolderPath> placeholders(List<FolderInfo> folders, List<String> notes) throws MailStoreException {
        Set<FolderPath> withChildren = new HashSet<>();
        for (FolderInfo f : folders) {
            if (f.path().hasParent()) {
                withChildren.add(f.path().parent());
            }
        }
        Set<FolderPath> placeholders = new HashSet<>();
        for (FolderInfo f : folders) {
            if (f.selectable() && !f.path().isInbox() && withChildren.contains(f.path())) {
                FolderStatus status = config.source().status(f.path());
                if (status.messageCount() == 0) {
                    placeholders.add(f.path());
                    notes.add("folder " + f.path() + " holds no messages and is there for its sub-folders only:"
                            + " created on the target only as their parent");
                }
            }
        }
        return placeholders;
    }

    private FolderReport syncWithRetries(RunContext context, FolderPair pair, AtomicReference<String> accountError)
            throws InterruptedException {
        Instant accountDeadline = context.accountDeadline();
        Instant folderDeadline = config.clock().instant().plus(config.folderDeadline());
        Instant deadline = folderDeadline.isBefore(accountDeadline) ? folderDeadline : accountDeadline;
        String deadlineReason = folderDeadline.isBefore(accountDeadline)
                ? "the folder deadline of " + config.folderDeadline()
                : "the account deadline of " + config.accountDeadline();
        for (int attempt = 1; ; attempt++) {
            try {
                return new FolderSync(config, context, pair, new RunContext.Deadline(deadline, deadlineReason)).run();
            } catch (ConnectionException e) {
                config.listener().error(e);
                BackoffPolicy policy = config.retryPolicy();
                if (!policy.allowsAttemptAfter(attempt)) {
                    return failed(pair, e.getMessage() + " (gave up after " + attempt + " attempts)");
                }
                Instant now = config.clock().instant();
                Optional<Duration> wait =
                        policy.nextDelay(attempt, e.retryAfter().orElse(null), now, deadline);
                if (wait.isEmpty()) {
                    return failed(
                            pair,
                            e.getMessage() + " (not retried: " + deadlineReason
                                    + (now.isAfter(deadline) ? " passed)" : " would pass before the next attempt)"));
                }
                log.warn(
                        "{}: {}; retrying in {} ms (attempt {} of {})",
                        pair,
                        e.getMessage(),
                        wait.get().toMillis(),
                        attempt + 1,
                        policy.maxAttempts());
                BackoffPolicy.Sleeper.THREAD.sleep(wait.get());
            } catch (AuthenticationException | StoreFailureException e) {
                config.listener().error(e);
                accountError.compareAndSet(null, e.getMessage());
                return failed(pair, e.getMessage());
            } catch (MailStoreException e) {
                // A folder that cannot be used, or a message that cannot even be read on the
                // source: this folder stops here, reported; the others go on.
                config.listener().error(e);
                return failed(pair, e.getMessage());
            }
        }
    }

    private FolderReport failed(FolderPair pair, String error) {
        FolderReport report = new FolderReport(
                pair,
                FolderReport.Outcome.FAILED,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                ImmutableList.of(),
                ImmutableList.of(),
                error,
                Duration.ZERO);
        config.listener().folderFinished(report);
        return report;
    }

    private FolderReport notAttempted(FolderPair pair, String accountError) {
        return failed(pair, "not attempted: the account failed: " + accountError);
    }

    /**
     * Builds a {@link SyncEngine}: each setting may be made once (a second call fails with "X was
     * already set to ..."), and each value is checked when it is given. {@link #build()} copies
     * the settings into an immutable {@link SyncConfiguration}: changing the builder afterwards
     * changes no engine already built.
     *
     * <p>Not thread-safe; confine to one thread.
     */
    public static final class Builder {
        private @Nullable MailStore source;
        private @Nullable MailStore target;
        private @Nullable CheckpointStore checkpoints;
        private FolderMapping folders = FolderMapping.defaults();
        private MessageSelection selection = MessageSelection.all();
        private IdentityStrategy identity = IdentityStrategies.headerFingerprint();
        private FlagMapping flagMapping = FlagMapping.identity();
        private FlagPolicy flagPolicy = FlagPolicy.SOURCE_CHANGES;
        private DeletionPolicy deletions = DeletionPolicy.KEEP;
        private boolean dryRun;
        private boolean copySubscriptions;
        private int parallelism = 4;
        private long maxInFlightBytes = 64L << 20;
        private int batchSize = 300;
        private long batchBytes = 8L << 20;
        private double rematchThreshold = 0.5;
        private BackoffPolicy retryPolicy = BackoffPolicy.doubling(Duration.ofSeconds(2), 4);
        private SyncListener listener = SyncListener.NONE;
        private Clock clock = Clock.systemUTC();
        private boolean newMailOnly;
        private Duration folderDeadline = DEFAULT_FOLDER_DEADLINE;
        private Duration accountDeadline = DEFAULT_ACCOUNT_DEADLINE;
        private MessageOrder messageOrder = MessageOrder.FASTEST;
        private int connectionsPerFolder = 4;
        /** The settings made so far, by name, with the value given (for the "already set" message). */
        private final Map<String, Object> set = new HashMap<>();

        private Builder() {}

        /** Records that {@code name} is set to {@code value}; refuses a second time (Caffeine's style). */
        private void once(String name, Object value) {
            Objects.requireNonNull(value, name);
            Object was = set.putIfAbsent(name, value);
            checkState(was == null, "%s was already set to %s", name, was);
        }

        /** The store to read from. Required. */
        public Builder source(MailStore store) {
            once("source", store);
            source = store;
            return this;
        }

        /** The store to write to. Required. */
        public Builder target(MailStore store) {
            once("target", store);
            target = store;
            return this;
        }

        /** Where passes record what they did. Required (or {@link #checkpointDirectory}). */
        public Builder checkpoints(CheckpointStore store) {
            once("checkpoints", store);
            checkpoints = store;
            return this;
        }

        /** Checkpoints as files in {@code directory} (one directory per source/target pair). */
        public Builder checkpointDirectory(Path directory) throws IOException {
            checkState(!set.containsKey("checkpoints"), "checkpoints was already set to %s", set.get("checkpoints"));
            return checkpoints(FileCheckpointStore.in(directory));
        }

        /** Which folders, under which names. Default: all, special-use folders automapped. */
        public Builder folders(FolderMapping mapping) {
            once("folders", mapping);
            folders = mapping;
            return this;
        }

        /** Which messages. Default: all. */
        public Builder selection(MessageSelection messageSelection) {
            once("selection", messageSelection);
            selection = messageSelection;
            return this;
        }

        /** How messages already on the target are recognised. Default: header fingerprint. */
        public Builder identity(IdentityStrategy strategy) {
            once("identity", strategy);
            identity = strategy;
            return this;
        }

        /** How flags translate. Default: as they are. */
        public Builder flagMapping(FlagMapping mapping) {
            once("flagMapping", mapping);
            flagMapping = mapping;
            return this;
        }

        /** How flag changes propagate. Default: source changes only, target changes kept. */
        public Builder flagPolicy(FlagPolicy policy) {
            once("flagPolicy", policy);
            flagPolicy = policy;
            return this;
        }

        /** Whether messages gone from the source leave the target. Default: keep them. */
        public Builder deletions(DeletionPolicy policy) {
            once("deletions", policy);
            deletions = policy;
            return this;
        }

        /** Reports what would happen and writes nothing (no checkpoint either). */
        public Builder dryRun(boolean on) {
            once("dryRun", on);
            dryRun = on;
            return this;
        }

        /** Subscribes on the target to the folders the source subscribes to. Default: off. */
        public Builder copySubscriptions(boolean on) {
            once("copySubscriptions", on);
            copySubscriptions = on;
            return this;
        }

        /** How many folders sync at once (1..64). Default 4. */
        public Builder parallelism(int folders) {
            SyncConfiguration.checkParallelism(folders);
            once("parallelism", folders);
            parallelism = folders;
            return this;
        }

        /** The most message bytes held at once, across all folders (at least 1 MiB). Default 64 MiB. */
        public Builder maxInFlightBytes(long bytes) {
            SyncConfiguration.checkMaxInFlightBytes(bytes);
            once("maxInFlightBytes", bytes);
            maxInFlightBytes = bytes;
            return this;
        }

        /**
         * Messages per append batch (and per journaled intent), 1..10000. Default 300: a target
         * commits (and syncs to disk) once per batch, so fewer, larger batches cost a server less
         * per message (ENGINE.md, "Slices": Dovecot 15-25% less CPU per message than with 100);
         * {@link #batchBytes} still cuts a batch of large messages sooner.
         */
        public Builder batchSize(int messages) {
            SyncConfiguration.checkBatchSize(messages);
            once("batchSize", messages);
            batchSize = messages;
            return this;
        }

        /** Bytes per append batch (a single larger message still goes alone). Default 8 MiB. */
        public Builder batchBytes(long bytes) {
            SyncConfiguration.checkBatchBytes(bytes);
            once("batchBytes", bytes);
            batchBytes = bytes;
            return this;
        }

        /**
         * After a generation change, the share of messages that must be found again by identity
         * for the folder to go on (default 0.5); below it, the folder stops with an error.
         */
        public Builder rematchThreshold(double share) {
            SyncConfiguration.checkRematchThreshold(share);
            once("rematchThreshold", share);
            rematchThreshold = share;
            return this;
        }

        /**
         * Retries of a folder after a connection failure ({@code count} after the first attempt),
         * and the first back-off, doubling: {@code retries(BackoffPolicy.doubling(firstBackoff,
         * count + 1))}. Default 3 retries, 2 s.
         */
        public Builder retries(int count, Duration firstBackoff) {
            SyncConfiguration.checkRetries(count, firstBackoff);
            once("retries", count + " with a first back-off of " + firstBackoff);
            // maxAttempts counts the first attempt too; Integer.MAX_VALUE retries stay "unlimited".
            retryPolicy = BackoffPolicy.doubling(firstBackoff, count == Integer.MAX_VALUE ? count : count + 1);
            return this;
        }

        /**
         * How a folder is retried after a connection failure: the attempts in all, the waits
         * between them (a longer wait the server asked for wins), never past the folder's or the
         * account's deadline. Default {@code BackoffPolicy.doubling(2 s, 4)}.
         */
        public Builder retries(BackoffPolicy policy) {
            once("retries", policy);
            retryPolicy = policy;
            return this;
        }

        /** Receives progress events. */
        public Builder listener(SyncListener syncListener) {
            once("listener", syncListener);
            listener = syncListener;
            return this;
        }

        /**
         * A new-mail-only pass (default false). Where the source keeps no modification sequences
         * (no CONDSTORE), a flags-only change leaves a folder's status as it was: a normal pass
         * therefore lists every folder to read its flags; a new-mail-only pass skips the folders
         * whose count and next id are unchanged, and misses their flag changes. The report's notes
         * say which mode ran. Where the source keeps modification sequences, this changes nothing.
         */
        public Builder newMailOnly(boolean on) {
            once("newMailOnly", on);
            newMailOnly = on;
            return this;
        }

        /**
         * The most time one folder may take in a pass (checked before each append batch); past
         * it the folder stops, is reported FAILED with the reason, and the next pass goes on
         * from there. Default {@value #DEFAULT_FOLDER_DEADLINE_HOURS} hours: a 10 GB folder at
         * a slow 1 MB/s takes about 3 hours.
         */
        public Builder folderDeadline(Duration limit) {
            SyncConfiguration.checkDeadline("folder", limit);
            once("folderDeadline", limit);
            folderDeadline = limit;
            return this;
        }

        /**
         * The most time a whole pass may take (checked before each folder and each append
         * batch); folders past it stop or are not started, reported FAILED. Default {@value
         * #DEFAULT_ACCOUNT_DEADLINE_HOURS} hours.
         */
        public Builder accountDeadline(Duration limit) {
            SyncConfiguration.checkDeadline("account", limit);
            once("accountDeadline", limit);
            accountDeadline = limit;
            return this;
        }

        /**
         * In which order a folder's new messages reach the target. Default {@link
         * MessageOrder#FASTEST}: a large folder is copied over several connections at once, as
         * contiguous slices of its source ids, so target ids interleave across slices; {@link
         * MessageOrder#SOURCE} keeps target ids in source order, one connection per folder, and
         * the largest folder bounds the time (ENGINE.md has the figures).
         */
        public Builder messageOrder(MessageOrder order) {
            once("messageOrder", order);
            messageOrder = order;
            return this;
        }

        /**
         * The most connections (to each store) one folder's copy may use under {@link
         * MessageOrder#FASTEST}, 1..16. Default 4: more connections appending to one folder made
         * Dovecot spend more CPU per message on keeping them in step than they gained (ENGINE.md,
         * "Slices"). Extra ones are taken only when free in the store's own limit (IMAP {@code
         * maxConnections}) and accepted by the server: fewer, never an error.
         */
        public Builder connectionsPerFolder(int connections) {
            SyncConfiguration.checkConnectionsPerFolder(connections);
            once("connectionsPerFolder", connections);
            connectionsPerFolder = connections;
            return this;
        }

        /** The clock for durations in reports and for the deadlines. */
        public Builder clock(Clock syncClock) {
            once("clock", syncClock);
            clock = syncClock;
            return this;
        }

        /**
         * An engine with a copy of these settings: the builder may be changed or dropped
         * afterwards without changing the engine.
         */
        public SyncEngine build() {
            checkState(source != null, "source must be set");
            checkState(target != null, "target must be set");
            checkState(checkpoints != null, "checkpoints must be set (checkpoints(...) or checkpointDirectory(...))");
            checkState(source != target, "source and target must be different stores");
            return new SyncEngine(new SyncConfiguration(
                    source,
                    target,
                    checkpoints,
                    folders,
                    selection,
                    identity,
                    flagMapping,
                    flagPolicy,
                    deletions,
                    dryRun,
                    copySubscriptions,
                    parallelism,
                    maxInFlightBytes,
                    batchSize,
                    batchBytes,
                    rematchThreshold,
                    retryPolicy,
                    listener,
                    clock,
                    newMailOnly,
                    folderDeadline,
                    accountDeadline,
                    messageOrder,
                    connectionsPerFolder));
        }
    }
}
