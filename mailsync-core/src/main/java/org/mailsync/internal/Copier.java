package org.mailsync.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageFailure;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncConfiguration;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * The pipelined copier of one folder pass: cuts the messages to copy into batches (by count and
 * bytes), reads each batch ahead while the one before is appended, within the run's byte budget,
 * and appends each batch under a journaled intent that is settled after it. Under {@link
 * org.mailsync.MessageOrder#FASTEST} the batches are cut into contiguous slices, each appended in
 * order over a connection of its own (ENGINE.md, "Slices"). A message over the target's size
 * limit, refused by the target or unreadable on the source is a message failure; the rest of its
 * batch goes on one by one.
 *
 * <p>Not thread-safe; one instance per folder pass, called on the folder's thread. Its slices run
 * on the run's reader executor and share the pass's state (journal, settler, counters) under one
 * lock; each uses only its own pair of folder openings.
 */
final class Copier {
    /** What the copier asks of its pass between batches. */
    interface Steps {
        /** Stops the folder once its deadline has passed: called before each append. */
        void checkDeadline() throws FolderUnusableException;

        /** Writes an interim snapshot: called when the journal says one is due. */
        void snapshot() throws StoreFailureException;
    }

    private final SyncConfiguration config;
    private final RunContext context;
    private final FolderPair pair;
    private final MailFolder source;
    private final @Nullable MailFolder target;
    private final IdentityMatcher identity;
    private final FlagPropagation flags;
    private final AppendJournal journal;
    private final Settler settler;
    private final FolderCounters counters;
    private final Steps steps;

    /** @param target null where a dry run finds no target folder (a dry run appends nothing) */
    Copier(
            SyncConfiguration config,
            RunContext context,
            FolderPair pair,
            MailFolder source,
            @Nullable MailFolder target,
            IdentityMatcher identity,
            FlagPropagation flags,
            AppendJournal journal,
            Settler settler,
            FolderCounters counters,
            Steps steps) {
        this.config = config;
        this.context = context;
        this.pair = pair;
        this.source = source;
        this.target = target;
        this.identity = identity;
        this.flags = flags;
        this.journal = journal;
        this.settler = settler;
        this.counters = counters;
        this.steps = steps;
    }

    /**
     * Copies these source messages (unpaired, selected): a message over the target's size limit
     * is a failure; the rest go in batches by count and bytes, pipelined. A dry run only counts.
     */
    void copyAll(List<MessageInfo> toCopy) throws MailStoreException, InterruptedException {
        long max = config.target().capabilities().maxMessageSize().orElse(Long.MAX_VALUE);
        List<List<MessageInfo>> batches = new ArrayList<>();
        List<MessageInfo> batch = new ArrayList<>();
        long batchBytes = 0;
        for (MessageInfo m : toCopy) {
            if (m.size() > max) {
                counters.failed(new MessageFailure(
                        ErrorContext.of(config.source().account(), pair.source(), m.uid()),
                        "message of " + m.size() + " bytes exceeds the target's limit of " + max + " bytes"));
                continue;
            }
            if (config.dryRun()) {
                counters.copied(m.size());
                continue;
            }
            if (!batch.isEmpty()
                    && (batch.size() >= config.batchSize() || batchBytes + m.size() > config.batchBytes())) {
                batches.add(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
            batch.add(m);
            batchBytes += m.size();
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        copyPipelined(batches);
    }

    /**
     * Batches a slice keeps at least: another slice takes half of one only if it has twice this
     * many left, since a split costs two connections for what little it would save.
     */
    static final int MIN_SLICE_BATCHES = 2;

    /** Messages appended between comparisons of stored and sent sizes, per slice. */
    static final int ALTERED_CHECK_EVERY = 2000;

    /** Batches finished between attempts to add a slice after an attempt found no connection. */
    private static final int GROWTH_PAUSE_BATCHES = 8;

    /**
     * Guards everything slices share: the journal, settler, pair map (through the settler),
     * counters, listener calls and the slice bookkeeping below.
     */
    private final Object lock = new Object();

    private final List<Slice> slices = new ArrayList<>(); // guarded by lock
    private final List<Future<?>> workers = new ArrayList<>(); // guarded by lock
    private final List<MailFolder> extraFolders = new ArrayList<>(); // guarded by lock

    /**
     * Threads of the slices after the first, and of the opener: not the run's reader executor,
     * whose threads the slices' reads need (a slice waits for its read ahead).
     */
    private java.util.concurrent.@Nullable ExecutorService sliceThreads; // guarded by lock

    private int maxSlices = 1;
    private boolean stopped; // guarded by lock: a slice failed, the others stop after their batch
    private @Nullable Throwable failure; // guarded by lock: the first failure of a slice
    private int appendsInFlight; // guarded by lock: appends sent and not yet settled by ids
    private int settlingByIdentity; // guarded by lock: slices waiting to settle by identity
    private int growthPause; // guarded by lock
    private boolean growing; // guarded by lock: one slice at a time opens connections

    /**
     * One contiguous run of batches (source ids ascending), appended in order over its own target
     * folder and read ahead over its own source folder.
     */
    private final class Slice {
        private final MailFolder from;
        private final MailFolder to;
        private final java.util.ArrayDeque<List<MessageInfo>> left; // guarded by lock
        /** The target's generation and a next id no higher than now, for the intents. */
        private org.mailsync.@Nullable Generation generation;

        private MessageUid nextUidFloor = MessageUid.of(1);

        /**
         * Pairs made by ids whose stored sizes are not compared yet: one listing per {@value
         * #ALTERED_CHECK_EVERY} messages, not one per batch (three round trips on IMAP, while the
         * connection could append). Only the report's altered list waits for it.
         */
        private final List<PairEntry> unchecked = new ArrayList<>();

        private final Map<MessageUid, Long> uncheckedSizes = new HashMap<>();

        /** Compares the stored sizes of the pairs not checked yet with the sizes sent. */
        void checkAltered() throws MailStoreException {
            if (unchecked.isEmpty()) {
                return;
            }
            Map<MessageUid, Long> stored = Settler.storedSizes(to, unchecked);
            synchronized (lock) {
                settler.noticeAltered(uncheckedSizes, unchecked, stored);
            }
            unchecked.clear();
            uncheckedSizes.clear();
        }

        Slice(MailFolder from, MailFolder to, java.util.ArrayDeque<List<MessageInfo>> left) {
            this.from = from;
            this.to = to;
            this.left = left;
        }

        /**
         * The next batch of this slice, or null when the copy is done or stopped. A slice that ran
         * out takes the upper half of what the fullest slice has left (a contiguous run again), so
         * that no connection idles while one slice finishes alone.
         */
        private @Nullable List<MessageInfo> take() {
            synchronized (lock) {
                if (stopped) {
                    return null;
                }
                if (left.isEmpty()) {
                    Slice donor = null;
                    for (Slice s : slices) {
                        if (s != this && (donor == null || s.left.size() > donor.left.size())) {
                            donor = s;
                        }
                    }
                    if (donor != null && donor.left.size() >= 2) {
                        int give = donor.left.size() / 2;
                        for (int k = 0; k < give; k++) {
                            left.addFirst(donor.left.pollLast());
                        }
                    }
                }
                return left.pollFirst();
            }
        }

        void run() throws MailStoreException, InterruptedException {
            List<MessageInfo> first = take();
            if (first == null) {
                return;
            }
            Future<Loaded> next = context.reader().submit(() -> load(first, from));
            try {
                while (next != null) {
                    Loaded current = await(next);
                    next = null;
                    try {
                        List<MessageInfo> following = take();
                        if (following != null) {
                            next = context.reader().submit(() -> load(following, from));
                        }
                        synchronized (lock) {
                            if (stopped) {
                                return;
                            }
                            steps.checkDeadline();
                        }
                        append(current.items(), this);
                        synchronized (lock) {
                            maybeSnapshot();
                        }
                    } finally {
                        current.close();
                    }
                    grow();
                }
                checkAltered();
            } finally {
                if (next != null) {
                    // Stopped early (a failure): wait for the read under way and free what it holds.
                    try {
                        await(next).close();
                    } catch (MailStoreException | RuntimeException e) {
                        // The failure that stopped us is the one to report.
                    }
                }
            }
        }

        /** Runs this slice; a failure stops every slice and is kept for the copier to throw. */
        void runCatching() {
            try {
                run();
            } catch (Throwable e) {
                synchronized (lock) {
                    stopped = true;
                    if (failure == null) {
                        failure = e;
                    } else if (failure != e) {
                        failure.addSuppressed(e);
                    }
                    lock.notifyAll();
                }
            }
        }
    }

    /**
     * Appends the batches over one connection, or under {@link MessageOrder#FASTEST} over several:
     * contiguous slices of the source ids, each appended in order, each read ahead over a source
     * connection of its own. Slices are added while the copy runs, as the stores give connections
     * ({@link org.mailsync.spi.MailStore#tryOpenFolder}); a new slice takes the upper half of the
     * batches the slice with the most has left.
     */
    private void copyPipelined(List<List<MessageInfo>> batches) throws MailStoreException, InterruptedException {
        if (batches.isEmpty()) {
            return;
        }
        MailFolder to = java.util.Objects.requireNonNull(target, "no target folder outside a dry run");
        maxSlices = slicesAllowed() ? config.connectionsPerFolder() : 1;
        Slice first = new Slice(source, to, new java.util.ArrayDeque<>(batches));
        synchronized (lock) {
            slices.add(first);
        }
        try {
            if (maxSlices > 1) {
                // As many slices as the stores give at the start, opened beside the first slice's
                // work (a connection costs a login and a SELECT); more come as others free theirs.
                Future<?> opener = sliceThreads().submit(() -> {
                    try {
                        while (grow()) {
                            // the next one
                        }
                    } catch (MailStoreException | RuntimeException e) {
                        // only fewer slices: a connection the store could not give
                    }
                });
                synchronized (lock) {
                    workers.add(opener);
                }
            }
            first.runCatching();
            for (int k = 0; ; k++) {
                Future<?> worker;
                synchronized (lock) {
                    if (k >= workers.size()) {
                        break;
                    }
                    worker = workers.get(k);
                }
                awaitWorker(worker);
            }
        } finally {
            synchronized (lock) {
                stopped = true;
            }
            // A worker still running (this thread was interrupted) must not write after the pass.
            for (Future<?> worker : List.copyOf(workersSnapshot())) {
                try {
                    worker.get();
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
                    // kept in failure by runCatching
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            synchronized (lock) {
                if (sliceThreads != null) {
                    sliceThreads.shutdown();
                }
            }
            for (MailFolder f : extraFoldersSnapshot()) {
                try {
                    f.close();
                } catch (MailStoreException | RuntimeException e) {
                    // an extra connection closes quietly: what it appended is settled
                }
            }
        }
        Throwable e;
        synchronized (lock) {
            e = failure;
        }
        if (e instanceof MailStoreException m) {
            throw m;
        }
        if (e instanceof InterruptedException i) {
            throw i;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
    }

    private java.util.concurrent.ExecutorService sliceThreads() {
        synchronized (lock) {
            if (sliceThreads == null) {
                java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
                String name = "mailsync-slice-" + pair.source() + "-";
                sliceThreads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, name + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
            return sliceThreads;
        }
    }

    private List<Future<?>> workersSnapshot() {
        synchronized (lock) {
            return List.copyOf(workers);
        }
    }

    private List<MailFolder> extraFoldersSnapshot() {
        synchronized (lock) {
            return List.copyOf(extraFolders);
        }
    }

    private static void awaitWorker(Future<?> worker) throws InterruptedException {
        try {
            worker.get();
        } catch (java.util.concurrent.ExecutionException e) {
            // runCatching keeps every failure; nothing escapes it
        }
    }

    /**
     * Whether a folder may be cut into slices: asked for, and the target tells the new ids. Without
     * them every batch settles by identity, which a slice does alone (no other append out), so
     * slices would only take turns.
     */
    private boolean slicesAllowed() {
        return config.messageOrder() == org.mailsync.MessageOrder.FASTEST
                && config.connectionsPerFolder() > 1
                && !config.dryRun()
                && config.target().capabilities().has(org.mailsync.Capability.APPEND_UID);
    }

    /**
     * Adds a slice if one more is allowed, one has enough batches left to give half away, and both
     * stores give another opening of their folder now; true if it added one.
     */
    private boolean grow() throws MailStoreException {
        synchronized (lock) {
            if (stopped || growing || slices.size() >= maxSlices) {
                return false;
            }
            if (growthPause > 0) {
                growthPause--;
                return false;
            }
            if (donor() == null) {
                return false;
            }
            growing = true;
        }
        MailFolder to = null;
        MailFolder from = null;
        try {
            to = config.target().tryOpenFolder(pair.target()).orElse(null);
            if (to != null) {
                from = config.source().tryOpenFolder(pair.source()).orElse(null);
            }
            synchronized (lock) {
                Slice donor = donor();
                if (to == null || from == null || stopped || donor == null) {
                    growthPause = GROWTH_PAUSE_BATCHES;
                    return false;
                }
                java.util.ArrayDeque<List<MessageInfo>> upper = new java.util.ArrayDeque<>();
                int give = donor.left.size() / 2;
                for (int k = 0; k < give; k++) {
                    upper.addFirst(donor.left.pollLast());
                }
                Slice slice = new Slice(from, to, upper);
                slices.add(slice);
                extraFolders.add(to);
                extraFolders.add(from);
                workers.add(sliceThreads().submit(slice::runCatching));
                to = null;
                from = null;
                return true;
            }
        } finally {
            synchronized (lock) {
                growing = false;
            }
            closeQuietly(to);
            closeQuietly(from);
        }
    }

    /** The slice with the most batches left, if it has enough to give half away. */
    private @Nullable Slice donor() {
        Slice best = null;
        for (Slice s : slices) {
            if (best == null || s.left.size() > best.left.size()) {
                best = s;
            }
        }
        return best != null && best.left.size() >= 2 * MIN_SLICE_BATCHES ? best : null;
    }

    private static void closeQuietly(@Nullable MailFolder folder) {
        if (folder != null) {
            try {
                folder.close();
            } catch (MailStoreException | RuntimeException e) {
                // a connection not used yet
            }
        }
    }

    private static Loaded await(Future<Loaded> future) throws MailStoreException, InterruptedException {
        return Futures.await(future, MailStoreException.class);
    }

    /** A batch read from the source: its messages, holding part of the run's byte budget. */
    private final class Loaded implements AutoCloseable {
        private final List<Item> items;
        private final long taken;

        Loaded(List<Item> items, long taken) {
            this.items = items;
            this.taken = taken;
        }

        List<Item> items() {
            return items;
        }

        @Override
        public void close() {
            items.forEach(i -> i.raw().close());
            context.budget().release(taken);
        }
    }

    /** Reads one batch (on the reader thread); a message the source refuses is reported alone. */
    private Loaded load(List<MessageInfo> batch, MailFolder source) throws MailStoreException, InterruptedException {
        long bytes = batch.stream().mapToLong(MessageInfo::size).sum();
        long taken = context.budget().acquire(bytes);
        Map<MessageUid, RawMessage> raws = new LinkedHashMap<>();
        try {
            try {
                source.readListed(batch, raws::put);
            } catch (MessageRejectedException e) {
                raws.values().forEach(RawMessage::close);
                raws.clear();
                for (MessageInfo m : batch) {
                    try {
                        source.read(m.uid()).ifPresent(raw -> raws.put(m.uid(), raw));
                    } catch (MessageRejectedException one) {
                        synchronized (lock) {
                            config.listener().error(one);
                            counters.failed(new MessageFailure(
                                    ErrorContext.of(config.source().account(), pair.source(), m.uid()),
                                    "cannot read from the source: " + one.reason()));
                        }
                    }
                }
            }
            List<Item> items = new ArrayList<>();
            for (MessageInfo m : batch) {
                RawMessage raw = raws.get(m.uid());
                if (raw == null) {
                    continue; // expunged on the source since the listing, or refused: reported
                }
                String key;
                try (InputStream in = raw.openStream()) {
                    key = identity.key(m, in);
                } catch (IOException e) {
                    throw identity.readFailure(source, m.uid(), e);
                }
                items.add(new Item(m, raw, key, flags.targetFlags(m.flags())));
            }
            return new Loaded(items, taken);
        } catch (MailStoreException | RuntimeException e) {
            raws.values().forEach(RawMessage::close);
            context.budget().release(taken);
            throw e;
        }
    }

    private record Item(MessageInfo info, RawMessage raw, String key, Flags targetFlags) {}

    /**
     * Appends one batch over the slice's target folder under a journaled intent, and settles it:
     * by the ids the store reports, or else by identity, which waits until no other slice has an
     * append out (their messages must not be taken for this batch's twins).
     */
    private void append(List<Item> items, Slice slice) throws MailStoreException, InterruptedException {
        if (items.isEmpty()) {
            return;
        }
        MailFolder target = slice.to;
        if (slice.generation == null) {
            FolderStatus before = target.status();
            slice.generation = before.generation();
            slice.nextUidFloor = before.nextUid();
        }
        JournalEntry.AppendIntent intent;
        synchronized (lock) {
            while (settlingByIdentity > 0) {
                lock.wait();
            }
            // The target's next id now is at least the floor: the intent's lower bound for settling.
            intent = journal.intend(
                    java.util.Objects.requireNonNull(slice.generation),
                    slice.nextUidFloor,
                    items.stream()
                            .map(i -> new JournalEntry.IntentItem(
                                    i.info().uid(), i.key(), i.info().flags()))
                            .toList());
            appendsInFlight++;
        }
        boolean inFlight = true;
        try {
            List<PairEntry> made;
            MessageRejectedException rejected = null;
            try {
                List<Optional<MessageUid>> ids = target.appendAll(items.stream()
                        .map(i -> new AppendRequest(
                                i.raw(), i.targetFlags(), i.info().internalDate()))
                        .toList());
                made = new ArrayList<>();
                for (int k = 0; k < items.size(); k++) {
                    if (ids.get(k).isEmpty()) {
                        made = null;
                        break;
                    }
                    made.add(new PairEntry(
                            items.get(k).info().uid(),
                            ids.get(k).get(),
                            items.get(k).info().flags()));
                }
            } catch (MessageRejectedException e) {
                made = null;
                rejected = e;
            }
            if (made != null) {
                synchronized (lock) {
                    settler.settle(intent, made);
                    countCopied(items, made);
                    appendsInFlight--;
                    inFlight = false;
                    lock.notifyAll();
                }
                made.stream().map(PairEntry::target).max(MessageUid::compareTo).ifPresent(last -> {
                    if (last.compareTo(slice.nextUidFloor) >= 0) {
                        slice.nextUidFloor = MessageUid.of(last.value() + 1);
                    }
                });
                slice.unchecked.addAll(made);
                slice.uncheckedSizes.putAll(sentSizes(items));
                if (slice.unchecked.size() >= ALTERED_CHECK_EVERY) {
                    slice.checkAltered();
                }
                return;
            }
            // The store cannot tell ids, or refused the batch: find what it made by identity,
            // alone, so that no other slice's messages (appended, not yet settled) are taken.
            List<PairEntry> found;
            synchronized (lock) {
                appendsInFlight--;
                inFlight = false;
                settlingByIdentity++;
                try {
                    while (appendsInFlight > 0) {
                        lock.wait();
                    }
                    found = settler.resolve(intent, sentSizes(items), target);
                    settler.settle(intent, found);
                    countCopied(items, found);
                } finally {
                    settlingByIdentity--;
                    lock.notifyAll();
                }
            }
            if (rejected == null) {
                return;
            }
            if (items.size() == 1) {
                synchronized (lock) {
                    config.listener().error(rejected);
                    counters.failed(new MessageFailure(
                            ErrorContext.of(
                                    config.target().account(),
                                    pair.target(),
                                    items.get(0).info().uid()),
                            "source message " + items.get(0).info().uid() + " rejected by the target: "
                                    + rejected.reason()));
                }
                return;
            }
            // Find the culprit: the messages not appended go again one by one.
            Set<MessageUid> done = new HashSet<>();
            found.forEach(p -> done.add(p.source()));
            for (Item item : items) {
                if (!done.contains(item.info().uid())) {
                    synchronized (lock) {
                        steps.checkDeadline();
                    }
                    append(List.of(item), slice);
                }
            }
        } finally {
            if (inFlight) {
                synchronized (lock) {
                    appendsInFlight--;
                    lock.notifyAll();
                }
            }
        }
    }

    private void countCopied(List<Item> items, List<PairEntry> made) {
        Set<MessageUid> done = new HashSet<>();
        made.forEach(p -> done.add(p.source()));
        for (Item item : items) {
            if (done.contains(item.info().uid())) {
                // The bytes read and appended: a source may list a size that is not the message's.
                counters.copied(item.raw().size());
                if (!item.info().flags().keywords().isEmpty()
                        && item.targetFlags().keywords().isEmpty()) {
                    counters.keywordsDropped();
                }
                config.listener()
                        .messageCopied(pair, item.info().uid(), item.raw().size());
            }
        }
    }

    private static Map<MessageUid, Long> sentSizes(List<Item> items) {
        Map<MessageUid, Long> sizes = new HashMap<>();
        items.forEach(i -> sizes.put(i.info().uid(), i.raw().size()));
        return sizes;
    }

    private void maybeSnapshot() throws StoreFailureException {
        if (journal.batchDone()) {
            steps.snapshot();
        }
    }
}
