package org.mailsync.internal;

import com.google.common.collect.ArrayListMultimap;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ListMultimap;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.mailsync.Capability;
import org.mailsync.DeletionPolicy;
import org.mailsync.ErrorContext;
import org.mailsync.FlagMapping;
import org.mailsync.FlagPolicy;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderReport;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.IdentityStrategy;
import org.mailsync.MailStoreException;
import org.mailsync.MessageFailure;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageSelection;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncListener;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.FolderCheckpoint;
import org.mailsync.spi.JournalEntry;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;
import org.mailsync.spi.PairEntry;
import org.mailsync.spi.SideState;

/**
 * One pass over one folder pair: the skip test, settling interrupted appends, identity matching
 * where ids cannot be trusted, copying new messages under a journaled intent, flag propagation,
 * mirror deletions, and the checkpoint at the end. Each step that writes to the target is written
 * down first, so a pass killed at any point and run again leaves every message exactly once.
 *
 * <p>Not thread-safe; one instance per pair and pass.
 */
public final class FolderSync {
    /** Everything a pass needs that is the same for all folders of a run. */
    public record Settings(
            MailStore source,
            MailStore target,
            CheckpointStore checkpoints,
            IdentityStrategy identity,
            FlagMapping flagMapping,
            FlagPolicy flagPolicy,
            DeletionPolicy deletions,
            MessageSelection selection,
            boolean dryRun,
            int batchSize,
            long batchBytes,
            double rematchThreshold,
            ByteBudget budget,
            ExecutorService reader,
            java.util.function.Consumer<String> notes,
            SyncListener listener,
            Clock clock) {}

    private static final int KEY_CHUNK = 200;
    private static final int SNAPSHOT_EVERY_BATCHES = 25;

    private final Settings s;
    private final FolderPair pair;
    private final Instant started;

    private final TreeMap<MessageUid, PairEntry> pairs = new TreeMap<>();
    private final Set<MessageUid> pairedTargets = new HashSet<>();
    private final List<JournalEntry.AppendIntent> pending = new ArrayList<>();
    private final java.util.TreeSet<MessageUid> orphans = new java.util.TreeSet<>();
    private long lastIntentId;

    private long copied;
    private long copiedBytes;
    private long alreadyPresent;
    private long flagsUpdated;
    private long deleted;
    private long skippedBySelection;
    private final List<org.mailsync.SkippedItem> skipped = new ArrayList<>();
    private long keywordsDropped;
    private final List<MessageFailure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private int batchesSinceSnapshot;

    /** Each side's state when this pass began: what an interim snapshot records. */
    private @Nullable SideState startSource;

    private @Nullable SideState startTarget;
    private @Nullable MailFolder src;
    private @Nullable MailFolder tgt;
    private @Nullable FolderStatus tStatus;

    public FolderSync(Settings settings, FolderPair pair) {
        this.s = settings;
        this.pair = pair;
        this.started = settings.clock().instant();
    }

    /**
     * Runs the pass. Message failures are in the report; folder failures end in a FAILED report;
     * account failures ({@code AuthenticationException}, {@code StoreFailureException}) and
     * connection failures ({@code ConnectionException}, for the caller to retry) are thrown.
     */
    public FolderReport run() throws MailStoreException, InterruptedException {
        try {
            return runOnce();
        } catch (FolderUnusableException e) {
            s.listener().error(e);
            return report(FolderReport.Outcome.FAILED, e.getMessage());
        } finally {
            closeQuietly(src);
            closeQuietly(tgt);
        }
    }

    private FolderReport runOnce() throws MailStoreException, InterruptedException {
        FolderCheckpoint cp = load();
        FolderStatus sStatus = s.source().status(pair.source());
        boolean policyAllowsSkip = s.deletions() == DeletionPolicy.KEEP || cp.mirrored();
        if (cp.complete()
                && policyAllowsSkip
                && cp.pending().isEmpty()
                && cp.source() != null
                && cp.source().unchanged(sStatus)) {
            return report(FolderReport.Outcome.UNCHANGED, null);
        }
        cp.pairs().values().forEach(this::putPair);
        pending.addAll(cp.pending());
        orphans.addAll(cp.orphans());
        lastIntentId = cp.lastIntentId();

        src = s.source().openFolder(pair.source());
        tgt = openTarget();
        tStatus = tgt == null ? null : tgt.status();

        if (!s.dryRun()) {
            for (JournalEntry.AppendIntent intent : List.copyOf(pending)) {
                settle(intent, resolve(intent));
            }
        }

        boolean sourceGenChanged =
                cp.source() != null && !cp.source().generation().equals(sStatus.generation());
        boolean targetGenChanged = cp.target() != null
                && tStatus != null
                && !cp.target().generation().equals(tStatus.generation());
        boolean modSeqDelta = !sourceGenChanged
                && !targetGenChanged
                && cp.complete()
                && s.flagPolicy() == FlagPolicy.SOURCE_CHANGES
                && cp.source() != null
                && cp.source().highestModSeq() != null
                && sStatus.highestModSeq() != null
                && s.source().capabilities().has(Capability.MODSEQ);
        // A mirror pass may skip the full listing only if the source names what it expunged since
        // the last pass began, and that pass mirrored too: a keeping pass leaves pairs whose source
        // went before its modseq, which no vanishedSince after it would name. Asked before the
        // listing, so an id expunged in between is in neither and is named by the next pass.
        Optional<Set<MessageUid>> vanished = Optional.empty();
        if (modSeqDelta
                && s.deletions() == DeletionPolicy.MIRROR
                && cp.mirrored()
                && s.source().capabilities().has(Capability.VANISHED)) {
            vanished = src.vanishedSince(cp.source().highestModSeq());
        }
        boolean fastPath = modSeqDelta && (s.deletions() == DeletionPolicy.KEEP || vanished.isPresent());

        List<MessageInfo> listed = new ArrayList<>();
        src.list(
                fastPath ? MessageQuery.changedSince(cp.source().highestModSeq()) : MessageQuery.all(), listed::addAll);

        startSource = SideState.of(sStatus);
        startTarget = tStatus == null ? null : SideState.of(tStatus);
        if (sourceGenChanged && targetGenChanged) {
            // Both sides renumbered: no id on either side means anything. Every source message
            // is matched afresh against the whole target by identity (below), as on a first pass.
            pairs.clear();
            pairedTargets.clear();
            orphans.clear();
        } else if (sourceGenChanged) {
            rematchAfterSourceGenerationChange(cp, sStatus, listed);
        } else if (targetGenChanged) {
            rematchAfterTargetGenerationChange(cp, listed);
        }

        // Classify: paired messages may need flags; unpaired selected ones need copying.
        List<MessageInfo> unpaired = new ArrayList<>();
        List<MessageInfo> paired = new ArrayList<>();
        for (MessageInfo m : listed) {
            if (pairs.containsKey(m.uid())) {
                paired.add(m);
            } else {
                Optional<String> rejected = s.selection().reject(m);
                if (rejected.isPresent()) {
                    skippedBySelection++;
                } else {
                    unpaired.add(m);
                }
            }
        }
        boolean firstAgainstFullTarget = (cp.source() == null || targetGenChanged)
                && tStatus != null
                && tStatus.messageCount() > pairedTargets.size();
        if (firstAgainstFullTarget && !unpaired.isEmpty()) {
            List<MessageInfo> rest = matchAgainstTarget(unpaired);
            Set<MessageUid> left = new HashSet<>();
            rest.forEach(m -> left.add(m.uid()));
            unpaired.stream().filter(m -> !left.contains(m.uid())).forEach(paired::add);
            unpaired = rest;
        }
        if ((sourceGenChanged || targetGenChanged || firstAgainstFullTarget) && !s.dryRun()) {
            // Record the re-keyed or newly matched pairs (and orphans) before anything is appended:
            // a restart must neither apply new ids onto a map keyed by old ones nor lose matches
            // it could not make again.
            snapshot();
        }

        long bytesToCopy = unpaired.stream().mapToLong(MessageInfo::size).sum();
        s.listener().folderStarted(pair, unpaired.size(), bytesToCopy);

        if (!fastPath && !sourceGenChanged) {
            Set<MessageUid> present = new HashSet<>();
            listed.forEach(m -> present.add(m.uid()));
            removeGone(uid -> !present.contains(uid));
        } else if (vanished.isPresent()) {
            removeGone(vanished.get()::contains);
        }
        copyAll(unpaired);
        updateFlags(paired);
        for (String warning : src.warnings()) {
            s.notes().accept("source " + pair.source() + ": " + warning);
        }
        skipped.addAll(src.skipped());
        if (tgt != null) {
            for (String warning : tgt.warnings()) {
                s.notes().accept("target " + pair.target() + ": " + warning);
            }
        }

        if (s.dryRun()) {
            return report(FolderReport.Outcome.DRY_RUN, null);
        }
        FolderStatus endTarget = tgt.status();
        save(new FolderCheckpoint(
                SideState.of(sStatus),
                SideState.of(endTarget),
                failures.isEmpty(),
                s.deletions() == DeletionPolicy.MIRROR && !sourceGenChanged && orphans.isEmpty(),
                ImmutableSortedMap.copyOf(pairs),
                com.google.common.collect.ImmutableSortedSet.copyOf(orphans),
                ImmutableList.copyOf(pending),
                lastIntentId));
        return report(FolderReport.Outcome.SYNCED, null);
    }

    private @Nullable MailFolder openTarget() throws MailStoreException {
        if (s.dryRun()) {
            boolean exists =
                    s.target().listFolders().stream().anyMatch(f -> f.path().equals(pair.target()) && f.selectable());
            return exists ? s.target().openFolder(pair.target()) : null;
        }
        s.target().createFolder(pair.target());
        return s.target().openFolder(pair.target());
    }

    private FolderCheckpoint load() throws StoreFailureException {
        try {
            return s.checkpoints().load(pair).orElse(FolderCheckpoint.empty());
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()), "cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    private void save(FolderCheckpoint cp) throws StoreFailureException {
        try {
            s.checkpoints().save(pair, cp);
            batchesSinceSnapshot = 0;
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()), "cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    private void journal(JournalEntry entry) throws StoreFailureException {
        try {
            s.checkpoints().journal(pair, entry);
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()),
                    "cannot write checkpoint journal: " + e.getMessage(),
                    e);
        }
    }

    private void putPair(PairEntry entry) {
        PairEntry old = pairs.put(entry.source(), entry);
        if (old != null) {
            pairedTargets.remove(old.target());
        }
        pairedTargets.add(entry.target());
        orphans.remove(entry.target());
    }

    // ---- identity

    /** Identity keys of messages in {@code folder}, read in chunks (headers or whole messages). */
    private Map<MessageUid, String> keysOf(MailFolder folder, List<MessageInfo> infos) throws MailStoreException {
        Map<MessageUid, MessageInfo> byUid = new HashMap<>();
        infos.forEach(m -> byUid.put(m.uid(), m));
        Map<MessageUid, String> keys = new HashMap<>();
        for (int i = 0; i < infos.size(); i += KEY_CHUNK) {
            List<MessageUid> chunk = infos.subList(i, Math.min(infos.size(), i + KEY_CHUNK)).stream()
                    .map(MessageInfo::uid)
                    .toList();
            if (s.identity().needsFullContent()) {
                folder.readAll(chunk, (uid, raw) -> {
                    try (raw;
                            InputStream in = raw.openStream()) {
                        keys.put(uid, key(byUid.get(uid), in));
                    } catch (IOException e) {
                        throw readFailure(folder, uid, e);
                    }
                });
            } else {
                folder.readHeaders(chunk, (uid, block) -> {
                    try {
                        keys.put(uid, key(byUid.get(uid), new ByteArrayInputStream(block)));
                    } catch (IOException e) {
                        throw readFailure(folder, uid, e);
                    }
                });
            }
        }
        return keys;
    }

    private String key(MessageInfo info, InputStream data) throws IOException {
        String key = s.identity().key(info, data);
        if (key.isEmpty() || key.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalStateException(
                    "identity strategy " + s.identity() + " gave an invalid key: '" + key + "'");
        }
        return key;
    }

    private MessageRejectedException readFailure(MailFolder folder, MessageUid uid, IOException e) {
        return new MessageRejectedException(
                ErrorContext.of(
                        folder == src ? s.source().account() : s.target().account(), folder.path(), uid),
                "cannot read message: " + e.getMessage(),
                e);
    }

    /** Target messages not yet paired, by identity key, lowest id first. */
    private ListMultimap<String, MessageUid> unpairedTargetsByKey(MessageQuery query) throws MailStoreException {
        List<MessageInfo> infos = new ArrayList<>();
        tgt.list(query, batch -> {
            for (MessageInfo m : batch) {
                if (!pairedTargets.contains(m.uid())) {
                    infos.add(m);
                }
            }
        });
        Map<MessageUid, String> keys = keysOf(tgt, infos);
        ListMultimap<String, MessageUid> byKey = ArrayListMultimap.create();
        for (MessageInfo m : infos) {
            String key = keys.get(m.uid());
            if (key != null) {
                byKey.put(key, m.uid());
            }
        }
        return byKey;
    }

    /**
     * First pass against a target that already holds mail (a restore, a half-done manual copy, a
     * lost checkpoint): source messages found there are paired, not copied again. Returns the rest.
     */
    private List<MessageInfo> matchAgainstTarget(List<MessageInfo> candidates) throws MailStoreException {
        ListMultimap<String, MessageUid> targets = unpairedTargetsByKey(MessageQuery.all());
        if (targets.isEmpty()) {
            return candidates;
        }
        Map<MessageUid, String> keys = keysOf(src, candidates);
        List<MessageInfo> rest = new ArrayList<>();
        for (MessageInfo m : candidates) {
            String key = keys.get(m.uid());
            List<MessageUid> found = key == null ? List.of() : targets.get(key);
            if (found.isEmpty()) {
                rest.add(m);
            } else {
                // The flags the target has stay; the source's are added (NONE as "last synced").
                putPair(new PairEntry(m.uid(), found.remove(0), Flags.NONE));
                alreadyPresent++;
            }
        }
        return rest;
    }

    private void rematchAfterSourceGenerationChange(FolderCheckpoint cp, FolderStatus sStatus, List<MessageInfo> listed)
            throws MailStoreException {
        Map<MessageUid, Flags> syncedByTarget = new HashMap<>();
        // Every target message this sync put there, including those of intents settled just now
        // (whose source ids may already be of the new generation): all are re-keyed by identity.
        pairs.values().forEach(p -> syncedByTarget.put(p.target(), p.syncedFlags()));
        pairs.clear();
        pairedTargets.clear();
        ListMultimap<String, MessageUid> targets = ArrayListMultimap.create();
        List<MessageInfo> targetInfos = new ArrayList<>();
        tgt.list(MessageQuery.all(), batch -> batch.stream()
                .filter(m -> syncedByTarget.containsKey(m.uid()))
                .forEach(targetInfos::add));
        Map<MessageUid, String> targetKeys = keysOf(tgt, targetInfos);
        targetInfos.forEach(m -> targets.put(targetKeys.get(m.uid()), m.uid()));
        Map<MessageUid, String> sourceKeys = keysOf(src, listed);
        int matched = 0;
        for (MessageInfo m : listed) {
            List<MessageUid> found = targets.get(sourceKeys.get(m.uid()));
            if (!found.isEmpty()) {
                MessageUid t = found.remove(0);
                putPair(new PairEntry(m.uid(), t, syncedByTarget.get(t)));
                matched++;
            }
        }
        for (MessageInfo t : targetInfos) {
            if (!pairedTargets.contains(t.uid())) {
                orphans.add(t.uid());
            }
        }
        checkRematch(
                matched,
                Math.min(targetInfos.size(), listed.size()),
                "source",
                cp.source().generation() + " to " + sStatus.generation());
    }

    private void rematchAfterTargetGenerationChange(FolderCheckpoint cp, List<MessageInfo> listed)
            throws MailStoreException {
        Map<MessageUid, PairEntry> old = new HashMap<>(pairs);
        orphans.clear();
        pairs.clear();
        pairedTargets.clear();
        ListMultimap<String, MessageUid> targets = unpairedTargetsByKey(MessageQuery.all());
        List<MessageInfo> wasPaired =
                listed.stream().filter(m -> old.containsKey(m.uid())).toList();
        Map<MessageUid, String> sourceKeys = keysOf(src, wasPaired);
        int matched = 0;
        for (MessageInfo m : wasPaired) {
            List<MessageUid> found = targets.get(sourceKeys.get(m.uid()));
            if (!found.isEmpty()) {
                putPair(new PairEntry(m.uid(), found.remove(0), old.get(m.uid()).syncedFlags()));
                matched++;
            }
        }
        checkRematch(
                matched,
                Math.min(wasPaired.size(), tStatus.messageCount()),
                "target",
                cp.target().generation() + " to " + tStatus.generation());
    }

    private void checkRematch(int matched, long expected, String side, String change) throws FolderUnusableException {
        if (expected > 0 && matched < s.rematchThreshold() * expected) {
            MailStore store = side.equals("source") ? s.source() : s.target();
            throw new FolderUnusableException(
                    ErrorContext.of(store.account(), side.equals("source") ? pair.source() : pair.target()),
                    "the " + side + " folder's generation (UIDVALIDITY) changed from " + change + " and only "
                            + matched + " of " + expected + " messages were found again by identity; refusing"
                            + " to guess (nothing was copied or deleted). Check the " + side
                            + " server; if the folder was really replaced, remove this folder's checkpoint",
                    null);
        }
    }

    // ---- deletions

    /**
     * Mirror deletions: target messages this sync put there whose source is gone. Under {@link
     * DeletionPolicy#KEEP} the pairs stay in the checkpoint, so that a later mirror pass still
     * knows which target messages it may remove.
     */
    private void removeGone(java.util.function.Predicate<MessageUid> goneFromSource) throws MailStoreException {
        if (s.deletions() != DeletionPolicy.MIRROR) {
            return;
        }
        List<PairEntry> gone = new ArrayList<>();
        for (PairEntry p : pairs.values()) {
            if (goneFromSource.test(p.source())) {
                gone.add(p);
            }
        }
        if (gone.isEmpty() && orphans.isEmpty()) {
            return;
        }
        List<MessageUid> targets = new ArrayList<>(orphans);
        gone.forEach(p -> targets.add(p.target()));
        if (!s.dryRun()) {
            tgt.delete(targets);
            for (PairEntry p : gone) {
                pairs.remove(p.source());
                pairedTargets.remove(p.target());
            }
            orphans.clear();
        }
        deleted += targets.size();
    }

    // ---- copying

    private void copyAll(List<MessageInfo> toCopy) throws MailStoreException, InterruptedException {
        long max = s.target().capabilities().maxMessageSize().orElse(Long.MAX_VALUE);
        List<List<MessageInfo>> batches = new ArrayList<>();
        List<MessageInfo> batch = new ArrayList<>();
        long batchBytes = 0;
        for (MessageInfo m : toCopy) {
            if (m.size() > max) {
                failures.add(new MessageFailure(
                        ErrorContext.of(s.source().account(), pair.source(), m.uid()),
                        "message of " + m.size() + " bytes exceeds the target's limit of " + max + " bytes"));
                continue;
            }
            if (s.dryRun()) {
                copied++;
                copiedBytes += m.size();
                continue;
            }
            if (!batch.isEmpty() && (batch.size() >= s.batchSize() || batchBytes + m.size() > s.batchBytes())) {
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
     * Reads batch k+1 from the source on the reader thread while this thread appends batch k to
     * the target: on IMAP each side has its own connection, so neither waits for the other.
     */
    private void copyPipelined(List<List<MessageInfo>> batches) throws MailStoreException, InterruptedException {
        if (batches.isEmpty()) {
            return;
        }
        Future<Loaded> next = s.reader().submit(() -> load(batches.get(0)));
        try {
            for (int k = 0; k < batches.size(); k++) {
                Loaded current = await(next);
                next = null;
                try {
                    if (k + 1 < batches.size()) {
                        List<MessageInfo> following = batches.get(k + 1);
                        next = s.reader().submit(() -> load(following));
                    }
                    append(current.items());
                    maybeSnapshot();
                } finally {
                    current.close();
                }
            }
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
            s.budget().release(taken);
        }
    }

    /** Reads one batch (on the reader thread); a message the source refuses is reported alone. */
    private Loaded load(List<MessageInfo> batch) throws MailStoreException, InterruptedException {
        long bytes = batch.stream().mapToLong(MessageInfo::size).sum();
        long taken = s.budget().acquire(bytes);
        Map<MessageUid, RawMessage> raws = new LinkedHashMap<>();
        try {
            try {
                src.readAll(batch.stream().map(MessageInfo::uid).toList(), raws::put);
            } catch (MessageRejectedException e) {
                raws.values().forEach(RawMessage::close);
                raws.clear();
                for (MessageInfo m : batch) {
                    try {
                        src.read(m.uid()).ifPresent(raw -> raws.put(m.uid(), raw));
                    } catch (MessageRejectedException one) {
                        s.listener().error(one);
                        synchronized (failures) {
                            failures.add(new MessageFailure(
                                    ErrorContext.of(s.source().account(), pair.source(), m.uid()),
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
                    key = key(m, in);
                } catch (IOException e) {
                    throw readFailure(src, m.uid(), e);
                }
                items.add(new Item(m, raw, key, targetFlags(m.flags())));
            }
            return new Loaded(items, taken);
        } catch (MailStoreException | RuntimeException e) {
            raws.values().forEach(RawMessage::close);
            s.budget().release(taken);
            throw e;
        }
    }

    private record Item(MessageInfo info, RawMessage raw, String key, Flags targetFlags) {}

    /** The flags a source message gets on the target, after mapping and what the target can hold. */
    private Flags targetFlags(Flags sourceFlags) {
        Flags mapped = s.flagMapping().map(sourceFlags);
        if (!mapped.keywords().isEmpty() && !s.target().capabilities().has(Capability.KEYWORDS)) {
            return mapped.systemOnly();
        }
        return mapped;
    }

    private void append(List<Item> items) throws MailStoreException {
        if (items.isEmpty()) {
            return;
        }
        FolderStatus before = tgt.status();
        JournalEntry.AppendIntent intent = new JournalEntry.AppendIntent(
                ++lastIntentId,
                before.generation(),
                before.nextUid(),
                items.stream()
                        .map(i -> new JournalEntry.IntentItem(
                                i.info().uid(), i.key(), i.info().flags()))
                        .toList());
        journal(intent);
        pending.add(intent);
        List<PairEntry> made;
        try {
            List<Optional<MessageUid>> ids = tgt.appendAll(items.stream()
                    .map(i ->
                            new AppendRequest(i.raw(), i.targetFlags(), i.info().internalDate()))
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
            if (made == null) {
                made = resolve(intent); // the store cannot tell ids: find them by identity
            }
        } catch (MessageRejectedException e) {
            List<PairEntry> partial = resolve(intent);
            settle(intent, partial);
            countCopied(items, partial);
            if (items.size() == 1) {
                s.listener().error(e);
                failures.add(new MessageFailure(
                        ErrorContext.of(
                                s.target().account(),
                                pair.target(),
                                items.get(0).info().uid()),
                        "source message " + items.get(0).info().uid() + " rejected by the target: " + e.reason()));
                return;
            }
            // Find the culprit: the messages not appended go again one by one.
            Set<MessageUid> done = new HashSet<>();
            partial.forEach(p -> done.add(p.source()));
            for (Item item : items) {
                if (!done.contains(item.info().uid())) {
                    append(List.of(item));
                }
            }
            return;
        }
        settle(intent, made);
        countCopied(items, made);
    }

    private void countCopied(List<Item> items, List<PairEntry> made) {
        Set<MessageUid> done = new HashSet<>();
        made.forEach(p -> done.add(p.source()));
        for (Item item : items) {
            if (done.contains(item.info().uid())) {
                copied++;
                copiedBytes += item.info().size();
                if (!item.info().flags().keywords().isEmpty()
                        && item.targetFlags().keywords().isEmpty()) {
                    keywordsDropped++;
                }
                s.listener().messageCopied(pair, item.info().uid(), item.info().size());
            }
        }
    }

    /**
     * The pairs an intent made: target messages from the journaled next id on, not yet paired,
     * whose identity keys match the intent's messages (counting, lowest id first).
     */
    private List<PairEntry> resolve(JournalEntry.AppendIntent intent) throws MailStoreException {
        if (tStatus == null || !tgt.status().generation().equals(intent.targetGeneration())) {
            return List.of(); // the target was renumbered: identity matching will find them
        }
        ListMultimap<String, MessageUid> targets = unpairedTargetsByKey(MessageQuery.from(intent.targetNextUid()));
        List<PairEntry> made = new ArrayList<>();
        for (JournalEntry.IntentItem item : intent.items()) {
            List<MessageUid> found = targets.get(item.identityKey());
            if (!found.isEmpty()) {
                made.add(new PairEntry(item.source(), found.remove(0), item.flags()));
            }
        }
        return made;
    }

    private void settle(JournalEntry.AppendIntent intent, List<PairEntry> made) throws StoreFailureException {
        journal(new JournalEntry.AppendDone(intent.id(), made));
        pending.removeIf(i -> i.id() == intent.id());
        made.forEach(this::putPair);
    }

    private void maybeSnapshot() throws StoreFailureException {
        if (++batchesSinceSnapshot >= SNAPSHOT_EVERY_BATCHES) {
            snapshot();
        }
    }

    /**
     * An interim snapshot: keeps the journal short. It records each side as it was when the pass
     * began (so a generation change after a crash is still seen) and "complete" stays false until
     * the pass ends.
     */
    private void snapshot() throws StoreFailureException {
        save(new FolderCheckpoint(
                startSource,
                startTarget,
                false,
                false,
                ImmutableSortedMap.copyOf(pairs),
                com.google.common.collect.ImmutableSortedSet.copyOf(orphans),
                ImmutableList.copyOf(pending),
                lastIntentId));
    }

    // ---- flags

    private void updateFlags(List<MessageInfo> paired) throws MailStoreException {
        Map<Flags, List<MessageUid>> add = new HashMap<>();
        Map<Flags, List<MessageUid>> remove = new HashMap<>();
        Map<Flags, List<MessageUid>> replace = new HashMap<>();
        Map<MessageUid, Flags> targetNow = s.flagPolicy() == FlagPolicy.MIRROR ? targetFlagsNow() : Map.of();
        List<PairEntry> changed = new ArrayList<>();
        for (MessageInfo m : paired) {
            PairEntry entry = pairs.get(m.uid());
            Flags wanted = targetFlags(m.flags());
            if (s.flagPolicy() == FlagPolicy.MIRROR) {
                Flags now = targetNow.get(entry.target());
                if (now != null && !now.equals(wanted)) {
                    replace.computeIfAbsent(wanted, f -> new ArrayList<>()).add(entry.target());
                }
            } else if (!m.flags().equals(entry.syncedFlags())) {
                Flags last = targetFlags(entry.syncedFlags());
                Flags added = wanted.minus(last);
                Flags removed = last.minus(wanted);
                if (!added.isEmpty()) {
                    add.computeIfAbsent(added, f -> new ArrayList<>()).add(entry.target());
                }
                if (!removed.isEmpty()) {
                    remove.computeIfAbsent(removed, f -> new ArrayList<>()).add(entry.target());
                }
                if (added.isEmpty() && removed.isEmpty()) {
                    changed.add(new PairEntry(entry.source(), entry.target(), m.flags()));
                    continue;
                }
            } else {
                continue;
            }
            changed.add(new PairEntry(entry.source(), entry.target(), m.flags()));
        }
        Set<MessageUid> touched = new HashSet<>();
        store(add, FlagsUpdateMode.ADD, touched);
        store(remove, FlagsUpdateMode.REMOVE, touched);
        store(replace, FlagsUpdateMode.REPLACE, touched);
        for (PairEntry p : changed) {
            if (!s.dryRun()) {
                pairs.put(p.source(), p);
            }
        }
        flagsUpdated += touched.size();
        if (!touched.isEmpty()) {
            s.listener().flagsUpdated(pair, touched.size());
        }
    }

    private Map<MessageUid, Flags> targetFlagsNow() throws MailStoreException {
        Map<MessageUid, Flags> now = new HashMap<>();
        if (tgt != null) {
            tgt.list(MessageQuery.all(), batch -> batch.forEach(m -> now.put(m.uid(), m.flags())));
        }
        return now;
    }

    private void store(Map<Flags, List<MessageUid>> groups, FlagsUpdateMode mode, Set<MessageUid> touched)
            throws MailStoreException {
        for (Map.Entry<Flags, List<MessageUid>> g : groups.entrySet()) {
            if (!s.dryRun()) {
                tgt.storeFlags(g.getValue(), mode, g.getKey());
            }
            touched.addAll(g.getValue());
        }
    }

    // ---- report

    private FolderReport report(FolderReport.Outcome outcome, @Nullable String error) {
        FolderReport report = new FolderReport(
                pair,
                outcome,
                copied,
                copiedBytes,
                alreadyPresent,
                flagsUpdated,
                deleted,
                skippedBySelection,
                keywordsDropped,
                ImmutableList.copyOf(failures),
                ImmutableList.copyOf(skipped),
                error,
                Duration.between(started, s.clock().instant()));
        s.listener().folderFinished(report);
        return report;
    }

    private static void closeQuietly(@Nullable MailFolder folder) {
        if (folder == null) {
            return;
        }
        try {
            folder.close();
        } catch (MailStoreException e) {
            // Closing after the work is done (or failed) changes nothing in what was synced.
        }
    }
}
