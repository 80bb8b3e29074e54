package org.mailsync.internal;

import com.google.common.collect.ArrayListMultimap;
import com.google.common.collect.ListMultimap;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.mailsync.AlteredMessage;
import org.mailsync.Capability;
import org.mailsync.DeletionPolicy;
import org.mailsync.ErrorContext;
import org.mailsync.FlagPolicy;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderReport;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;
import org.mailsync.SyncConfiguration;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * One pass over one folder pair: the skip test, settling interrupted appends, identity matching
 * where ids cannot be trusted, copying new messages under a journaled intent, flag propagation,
 * mirror deletions, and the checkpoint at the end. Each step that writes to the target is written
 * down first, so a pass killed at any point and run again leaves every message exactly once.
 *
 * <p>Not thread-safe; one instance per pair and pass.
 */
public final class FolderSync {

    private final SyncConfiguration config;
    private final RunContext context;
    private final FolderPair pair;
    private final Instant started;
    private final RunContext.Deadline deadline;

    private final PairMap pairs = new PairMap();

    private final FolderCounters counters = new FolderCounters();
    private final AppendJournal journal;
    private final FlagPropagation flags;

    /** Each side's state when this pass began: what an interim snapshot records. */
    private @Nullable SideState startSource;

    private @Nullable SideState startTarget;
    private @Nullable MailFolder src;
    /** Identity keys and matching over the two folders, once they are open (set first in run()). */
    @SuppressWarnings("NullAway.Init")
    private IdentityMatcher identity;

    private @Nullable MailFolder tgt;
    private @Nullable FolderStatus tStatus;

    /** The source folder: open from the start of run() on. */
    private MailFolder src() {
        return Objects.requireNonNull(src, "the source folder is opened first in run()");
    }

    /** The target folder, where it exists: always outside a dry run. */
    private MailFolder tgt() {
        return Objects.requireNonNull(tgt, "the target folder is open outside a dry run");
    }

    /**
     * @param config what the engine was built with
     * @param context what the engine's run made for its folder passes
     * @param deadline when this folder must stop, and why: checked before each append batch
     */
    public FolderSync(SyncConfiguration config, RunContext context, FolderPair pair, RunContext.Deadline deadline) {
        this.config = config;
        this.context = context;
        this.pair = pair;
        this.started = config.clock().instant();
        this.deadline = deadline;
        this.journal = new AppendJournal(Checkpoints.over(config.checkpoints()), pair);
        this.flags = new FlagPropagation(
                config.flagMapping(),
                config.flagPolicy(),
                config.target().capabilities().has(Capability.KEYWORDS));
    }

    /** Stops the folder (FAILED, with the reason) once its deadline has passed. */
    private void checkDeadline() throws FolderUnusableException {
        if (config.clock().instant().isAfter(deadline.at())) {
            throw new FolderUnusableException(
                    ErrorContext.of(config.source().account(), pair.source()),
                    "stopped: " + deadline.reason() + " passed (" + counters.copied()
                            + " messages copied in this pass; the next pass goes on from there)",
                    null);
        }
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
            config.listener().error(e);
            return report(FolderReport.Outcome.FAILED, e.getMessage());
        } finally {
            closeQuietly(src);
            closeQuietly(tgt);
        }
    }

    private FolderReport runOnce() throws MailStoreException, InterruptedException {
        checkDeadline();
        // The skip test reads the checkpoint's head only: the pair map is decoded when it is used.
        CheckpointHead head = journal.loadHead();
        FolderStatus sStatus = config.source().status(pair.source());
        boolean policyAllowsSkip = config.deletions() == DeletionPolicy.KEEP || head.mirrored();
        // Without modseqs a flags-only change leaves the status as it was: unless the user asked
        // for new mail only, the folder is listed to read every message's flags.
        boolean statusShowsFlagChanges = sStatus.highestModSeq() != null
                && config.source().capabilities().has(Capability.MODSEQ);
        if (head.complete()
                && policyAllowsSkip
                && !head.pending()
                && head.source() != null
                && head.source().unchanged(sStatus)
                && (statusShowsFlagChanges || config.newMailOnly())
                && targetIntact(head.target())) {
            return report(FolderReport.Outcome.UNCHANGED, null);
        }
        FolderCheckpoint cp = journal.load();
        for (PairEntry entry : cp.pairs().values()) {
            putPair(entry);
        }
        cp.orphans().forEach(pairs::addOrphan);
        journal.resume(cp);

        src = config.source().openFolder(pair.source());
        tgt = openTarget();
        tStatus = tgt == null ? null : tgt.status();
        identity = new IdentityMatcher(
                config.identity(),
                src,
                config.source().account(),
                tgt,
                config.target().account());

        Settler settler = new Settler(journal, pairs, this::putPair, identity, src, tgt, counters);
        Copier copier = new Copier(
                config, context, pair, src, tgt, identity, flags, journal, settler, counters, new Copier.Steps() {
                    @Override
                    public void checkDeadline() throws FolderUnusableException {
                        FolderSync.this.checkDeadline();
                    }

                    @Override
                    public void snapshot() throws StoreFailureException {
                        FolderSync.this.snapshot();
                    }
                });
        if (!config.dryRun()) {
            settler.settlePending();
        }

        boolean sourceGenChanged =
                cp.source() != null && !cp.source().generation().equals(sStatus.generation());
        boolean targetGenChanged = cp.target() != null
                && tStatus != null
                && (!cp.target().generation().equals(tStatus.generation())
                        // Same generation but the next id went back: renumbered all the same.
                        || tStatus.nextUid().compareTo(cp.target().nextUid()) < 0
                        || targetWiped(cp));
        boolean modSeqDelta = !sourceGenChanged
                && !targetGenChanged
                && cp.complete()
                && config.flagPolicy() == FlagPolicy.SOURCE_CHANGES
                && cp.source() != null
                && cp.source().highestModSeq() != null
                && sStatus.highestModSeq() != null
                && config.source().capabilities().has(Capability.MODSEQ);
        // A mirror pass may skip the full listing only if the source names what it expunged since
        // the last pass began, and that pass mirrored too: a keeping pass leaves pairs whose source
        // went before its modseq, which no vanishedSince after it would name. Asked before the
        // listing, so an id expunged in between is in neither and is named by the next pass.
        Optional<Set<MessageUid>> vanished = Optional.empty();
        if (modSeqDelta
                && config.deletions() == DeletionPolicy.MIRROR
                && cp.mirrored()
                && config.source().capabilities().has(Capability.VANISHED)) {
            vanished = src().vanishedSince(Objects.requireNonNull(
                    Objects.requireNonNull(cp.source()).highestModSeq()));
        }
        boolean fastPath = modSeqDelta && (config.deletions() == DeletionPolicy.KEEP || vanished.isPresent());

        List<MessageInfo> listed = new ArrayList<>();
        src().list(
                        fastPath
                                ? MessageQuery.changedSince(Objects.requireNonNull(
                                        Objects.requireNonNull(cp.source()).highestModSeq()))
                                : MessageQuery.all(),
                        listed::addAll);

        startSource = SideState.of(sStatus);
        startTarget = tStatus == null ? null : SideState.of(tStatus);
        if (sourceGenChanged && targetGenChanged) {
            // Both sides renumbered: no id on either side means anything. Every source message
            // is matched afresh against the whole target by identity (below), as on a first pass.
            pairs.clear();
        } else if (sourceGenChanged) {
            rematchAfterSourceGenerationChange(cp, sStatus, listed);
        } else if (targetGenChanged) {
            rematchAfterTargetGenerationChange(cp, listed);
        }

        // Classify: paired messages may need flags; unpaired selected ones need copying.
        List<MessageInfo> unpaired = new ArrayList<>();
        List<MessageInfo> paired = new ArrayList<>();
        for (MessageInfo m : listed) {
            if (pairs.containsSource(m.uid())) {
                paired.add(m);
            } else {
                Optional<String> rejected = config.selection().reject(m);
                if (rejected.isPresent()) {
                    counters.skippedBySelection();
                } else {
                    unpaired.add(m);
                }
            }
        }
        boolean firstAgainstFullTarget = (cp.source() == null || targetGenChanged)
                && tStatus != null
                && tStatus.messageCount() > pairs.pairedTargets().size();
        if (firstAgainstFullTarget && !unpaired.isEmpty()) {
            List<MessageInfo> rest = matchAgainstTarget(unpaired);
            Set<MessageUid> left = new HashSet<>();
            rest.forEach(m -> left.add(m.uid()));
            unpaired.stream().filter(m -> !left.contains(m.uid())).forEach(paired::add);
            unpaired = rest;
        }
        if ((sourceGenChanged || targetGenChanged || firstAgainstFullTarget) && !config.dryRun()) {
            // Record the re-keyed or newly matched pairs (and orphans) before anything is appended:
            // a restart must neither apply new ids onto a map keyed by old ones nor lose matches
            // it could not make again.
            snapshot();
        }

        long bytesToCopy = unpaired.stream().mapToLong(MessageInfo::size).sum();
        config.listener().folderStarted(pair, unpaired.size(), bytesToCopy);

        if (!fastPath && !sourceGenChanged) {
            Set<MessageUid> present = new HashSet<>();
            listed.forEach(m -> present.add(m.uid()));
            removeGone(uid -> !present.contains(uid), paired);
        } else if (vanished.isPresent()) {
            removeGone(vanished.get()::contains, paired);
        }
        copier.copyAll(unpaired);
        updateFlags(paired);
        for (String warning : src().warnings()) {
            context.notes().accept("source " + pair.source() + ": " + warning);
        }
        counters.skipped(src().skipped());
        if (tgt != null) {
            for (String warning : tgt.warnings()) {
                context.notes().accept("target " + pair.target() + ": " + warning);
            }
        }

        if (config.dryRun()) {
            return report(FolderReport.Outcome.DRY_RUN, null);
        }
        FolderStatus endTarget = tgt().status();
        journal.save(
                SideState.of(sStatus),
                SideState.of(endTarget),
                !counters.anyFailed(),
                config.deletions() == DeletionPolicy.MIRROR
                        && !sourceGenChanged
                        && pairs.orphans().isEmpty(),
                pairs);
        return report(FolderReport.Outcome.SYNCED, null);
    }

    /**
     * Whether the target folder is as the last pass left it, as far as one status tells: still
     * there, same generation, next id and count not lower. Otherwise the checkpoint is not
     * trusted blindly: the pass runs and restores what a wipe, a re-creation or a renumbering
     * lost.
     */
    private boolean targetIntact(@Nullable SideState last) throws MailStoreException {
        if (last == null || !context.targetFolders().contains(pair.target())) {
            return false;
        }
        FolderStatus now = config.target().status(pair.target());
        return now.generation().equals(last.generation())
                && now.nextUid().compareTo(last.nextUid()) >= 0
                && now.messageCount() >= last.messageCount();
    }

    private @Nullable MailFolder openTarget() throws MailStoreException {
        if (config.dryRun()) {
            boolean exists = config.target().listFolders().stream()
                    .anyMatch(f -> f.path().equals(pair.target()) && f.selectable());
            return exists ? config.target().openFolder(pair.target()) : null;
        }
        config.target().createFolder(pair.target());
        return config.target().openFolder(pair.target());
    }

    /**
     * Whether the target folder holds fewer messages than the last pass left and none of those
     * this sync put there is left (emptied, or emptied and refilled): then every pair is stale and
     * the folder is matched afresh by identity, as after a renumbering. A target that lost only
     * some of them keeps its pairs: a message mailsync copied and the target's user deleted is,
     * by design, not copied again (remove the folder's checkpoint to restore such messages).
     */
    private boolean targetWiped(FolderCheckpoint cp) throws MailStoreException {
        if (tStatus == null
                || tStatus.messageCount() >= Objects.requireNonNull(cp.target()).messageCount()
                || pairs.pairedTargets().isEmpty()) {
            return false;
        }
        Set<MessageUid> present = new HashSet<>();
        tgt().list(MessageQuery.all(), batch -> batch.forEach(m -> present.add(m.uid())));
        long kept = pairs.pairedTargets().stream().filter(present::contains).count();
        if (kept == 0) {
            context.notes()
                    .accept(
                            "target " + pair.target() + ": none of the "
                                    + pairs.pairedTargets().size()
                                    + " messages this sync copied there is left (folder emptied or replaced): restoring by identity");
            return true;
        }
        if (kept < pairs.pairedTargets().size()) {
            context.notes()
                    .accept("target " + pair.target() + ": "
                            + (pairs.pairedTargets().size() - kept)
                            + " messages this sync copied were deleted on the target; they are not copied again"
                            + " (remove this folder's checkpoint to restore them)");
        }
        return false;
    }

    /** Records a pair; one whose target is paired already means a wrong checkpoint or store. */
    private void putPair(PairEntry entry) throws FolderUnusableException {
        try {
            pairs.put(entry);
        } catch (IllegalStateException e) {
            throw wrongCheckpoint(String.valueOf(e.getMessage()));
        }
    }

    // ---- identity

    /** Target messages not yet paired, by identity key, lowest id first. */
    private IdentityMatcher.TargetIndex unpairedTargetsByKey(MessageQuery query) throws MailStoreException {
        return identity.unpairedTargets(query, pairs::isPairedTarget);
    }

    /**
     * First pass against a target that already holds mail (a restore, a half-done manual copy, a
     * lost checkpoint): source messages found there are paired, not copied again. Returns the rest.
     */
    private List<MessageInfo> matchAgainstTarget(List<MessageInfo> candidates) throws MailStoreException {
        IdentityMatcher.TargetIndex index = unpairedTargetsByKey(MessageQuery.all());
        ListMultimap<String, MessageUid> targets = index.byKey();
        if (index.infos().isEmpty()) {
            return candidates;
        }
        Map<MessageUid, String> keys = identity.keys(src(), candidates);
        List<MessageInfo> rest = new ArrayList<>();
        Set<MessageUid> taken = new HashSet<>();
        for (MessageInfo m : candidates) {
            String key = keys.get(m.uid());
            List<MessageUid> found = key == null ? List.of() : targets.get(key);
            if (found.isEmpty()) {
                rest.add(m);
            } else {
                // The flags the target has stay; the source's are added (NONE as "last synced").
                MessageUid t = found.remove(0);
                taken.add(t);
                putPair(new PairEntry(m.uid(), t, Flags.NONE));
                counters.alreadyPresent();
            }
        }
        List<MessageInfo> targetsLeft =
                index.infos().stream().filter(t -> !taken.contains(t.uid())).toList();
        Map<MessageUid, MessageInfo> relaxed = identity.matchRelaxed(rest, targetsLeft);
        if (relaxed.isEmpty()) {
            return rest;
        }
        List<MessageInfo> stillLeft = new ArrayList<>();
        for (MessageInfo m : rest) {
            MessageInfo t = relaxed.get(m.uid());
            if (t == null) {
                stillLeft.add(m);
            } else {
                putPair(new PairEntry(m.uid(), t.uid(), Flags.NONE));
                counters.alreadyPresent();
                counters.altered(new AlteredMessage(m.uid(), t.uid(), m.size(), t.size()));
            }
        }
        return stillLeft;
    }

    private void rematchAfterSourceGenerationChange(FolderCheckpoint cp, FolderStatus sStatus, List<MessageInfo> listed)
            throws MailStoreException {
        Map<MessageUid, Flags> syncedByTarget = new HashMap<>();
        // Every target message this sync put there, including those of intents settled just now
        // (whose source ids may already be of the new generation): all are re-keyed by identity.
        pairs.entries().forEach(p -> syncedByTarget.put(p.target(), p.syncedFlags()));
        pairs.clearPairs();
        ListMultimap<String, MessageUid> targets = ArrayListMultimap.create();
        List<MessageInfo> targetInfos = new ArrayList<>();
        tgt().list(MessageQuery.all(), batch -> batch.stream()
                .filter(m -> syncedByTarget.containsKey(m.uid()))
                .forEach(targetInfos::add));
        Map<MessageUid, String> targetKeys = identity.keys(tgt(), targetInfos);
        targetInfos.forEach(m -> targets.put(targetKeys.get(m.uid()), m.uid()));
        Map<MessageUid, String> sourceKeys = identity.keys(src(), listed);
        int matched = 0;
        for (MessageInfo m : listed) {
            List<MessageUid> found = targets.get(sourceKeys.get(m.uid()));
            if (!found.isEmpty()) {
                MessageUid t = found.remove(0);
                putPair(new PairEntry(m.uid(), t, Objects.requireNonNull(syncedByTarget.get(t))));
                matched++;
            }
        }
        for (MessageInfo t : targetInfos) {
            pairs.addOrphan(t.uid());
        }
        checkRematch(
                matched,
                Math.min(targetInfos.size(), listed.size()),
                "source",
                Objects.requireNonNull(cp.source()).generation() + " to " + sStatus.generation());
    }

    private void rematchAfterTargetGenerationChange(FolderCheckpoint cp, List<MessageInfo> listed)
            throws MailStoreException {
        Map<MessageUid, PairEntry> old = pairs.copyOfPairs();
        pairs.clear();
        IdentityMatcher.TargetIndex index = unpairedTargetsByKey(MessageQuery.all());
        ListMultimap<String, MessageUid> targets = index.byKey();
        List<MessageInfo> wasPaired =
                listed.stream().filter(m -> old.containsKey(m.uid())).toList();
        Map<MessageUid, String> sourceKeys = identity.keys(src(), wasPaired);
        int matched = 0;
        List<MessageInfo> left = new ArrayList<>();
        for (MessageInfo m : wasPaired) {
            List<MessageUid> found = targets.get(sourceKeys.get(m.uid()));
            if (!found.isEmpty()) {
                putPair(new PairEntry(
                        m.uid(),
                        found.remove(0),
                        Objects.requireNonNull(old.get(m.uid())).syncedFlags()));
                matched++;
            } else {
                left.add(m);
            }
        }
        Map<MessageUid, MessageInfo> relaxed = identity.matchRelaxed(
                left,
                index.infos().stream()
                        .filter(t -> !pairs.isPairedTarget(t.uid()))
                        .toList());
        for (MessageInfo m : left) {
            MessageInfo t = relaxed.get(m.uid());
            if (t != null) {
                putPair(new PairEntry(
                        m.uid(),
                        t.uid(),
                        Objects.requireNonNull(old.get(m.uid())).syncedFlags()));
                matched++;
            }
        }
        checkRematch(
                matched,
                Math.min(wasPaired.size(), Objects.requireNonNull(tStatus).messageCount()),
                "target",
                Objects.requireNonNull(cp.target()).generation() + " to "
                        + Objects.requireNonNull(tStatus).generation());
    }

    private void checkRematch(int matched, long expected, String side, String change) throws FolderUnusableException {
        if (expected > 0 && matched < config.rematchThreshold() * expected) {
            MailStore store = side.equals("source") ? config.source() : config.target();
            throw new FolderUnusableException(
                    ErrorContext.of(store.account(), side.equals("source") ? pair.source() : pair.target()),
                    "the " + side + " folder's generation (UIDVALIDITY) changed (or it was renumbered or"
                            + " emptied) from " + change + " and only "
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
    private void removeGone(java.util.function.Predicate<MessageUid> goneFromSource, List<MessageInfo> paired)
            throws MailStoreException {
        if (config.deletions() != DeletionPolicy.MIRROR) {
            return;
        }
        List<PairEntry> gone = new ArrayList<>();
        for (PairEntry p : pairs.entries()) {
            if (goneFromSource.test(p.source())) {
                gone.add(p);
            }
        }
        if (gone.isEmpty() && pairs.orphans().isEmpty()) {
            return;
        }
        List<MessageUid> targets = new ArrayList<>(pairs.orphans());
        gone.forEach(p -> targets.add(p.target()));
        if (!gone.isEmpty()) {
            // A pair whose source is gone cannot be checked against it; a wrong checkpoint (two
            // target ids swapped) also breaks pairs whose source is still there: check those.
            verifyPairs(paired);
            Set<MessageUid> live = new HashSet<>();
            paired.forEach(
                    m -> live.add(Objects.requireNonNull(pairs.get(m.uid())).target()));
            for (PairEntry p : gone) {
                if (live.contains(p.target())) {
                    throw wrongCheckpoint("it pairs target message " + p.target()
                            + " with a source message that is gone and with one that is still there");
                }
            }
        }
        if (!config.dryRun()) {
            tgt().delete(targets);
            for (PairEntry p : gone) {
                pairs.remove(p.source());
            }
            pairs.clearOrphans();
        }
        counters.deleted(targets.size());
    }

    /**
     * An interim snapshot: keeps the journal short. It records each side as it was when the pass
     * began (so a generation change after a crash is still seen) and "complete" stays false until
     * the pass ends.
     */
    private void snapshot() throws StoreFailureException {
        journal.save(startSource, startTarget, false, false, pairs);
    }

    // ---- flags

    private void updateFlags(List<MessageInfo> paired) throws MailStoreException {
        List<MessageInfo> candidates = flags.candidates(paired, pairs);
        if (candidates.isEmpty()) {
            return;
        }
        // Check each pair against the target before changing anything, and read the target's
        // flags: a store call is made (and counted) only where it changes something.
        Map<MessageUid, MessageInfo> targetNow = verifyPairs(candidates);
        FlagPropagation.Changes changes = flags.changes(candidates, pairs, targetNow);
        Set<MessageUid> touched = new HashSet<>();
        store(changes.add(), FlagsUpdateMode.ADD, touched);
        store(changes.remove(), FlagsUpdateMode.REMOVE, touched);
        store(changes.replace(), FlagsUpdateMode.REPLACE, touched);
        for (PairEntry p : changes.synced()) {
            if (!config.dryRun()) {
                pairs.put(p);
            }
        }
        counters.flagsUpdated(touched.size());
        if (!touched.isEmpty()) {
            config.listener().flagsUpdated(pair, touched.size());
        }
    }

    /**
     * Checks the pairs of these source messages against the target before anything is changed
     * there by them: the target message must have the source's size or, where the size differs
     * (a server that rewrote it, a source that lists wrong sizes), the same header block up to
     * such rewrites. A pair that fails means the checkpoint is wrong: the folder stops, nothing
     * more is changed in it. Returns the target's listing of the paired messages (a message
     * deleted on the target is missing from it).
     */
    private Map<MessageUid, MessageInfo> verifyPairs(List<MessageInfo> sourceMessages) throws MailStoreException {
        if (tgt == null || sourceMessages.isEmpty()) {
            return Map.of();
        }
        Map<MessageUid, MessageUid> sourceByTarget = new HashMap<>();
        for (MessageInfo m : sourceMessages) {
            MessageUid t = Objects.requireNonNull(pairs.get(m.uid())).target();
            MessageUid other = sourceByTarget.put(t, m.uid());
            if (other != null) {
                throw wrongCheckpoint(
                        "it pairs source messages " + other + " and " + m.uid() + " with one target message " + t);
            }
        }
        MessageUid first =
                sourceByTarget.keySet().stream().min(MessageUid::compareTo).orElseThrow();
        Map<MessageUid, MessageInfo> now = new HashMap<>();
        tgt.list(MessageQuery.from(first), batch -> batch.stream()
                .filter(t -> sourceByTarget.containsKey(t.uid()))
                .forEach(t -> now.put(t.uid(), t)));
        List<MessageInfo> suspectSources = new ArrayList<>();
        List<MessageInfo> suspectTargets = new ArrayList<>();
        for (MessageInfo m : sourceMessages) {
            MessageInfo t = now.get(Objects.requireNonNull(pairs.get(m.uid())).target());
            if (t != null && t.size() != m.size()) {
                suspectSources.add(m);
                suspectTargets.add(t);
            }
        }
        if (!suspectSources.isEmpty()) {
            Map<MessageUid, String> sourceKeys = identity.relaxedKeys(src(), suspectSources);
            Map<MessageUid, String> targetKeys = identity.relaxedKeys(tgt, suspectTargets);
            for (int i = 0; i < suspectSources.size(); i++) {
                MessageInfo m = suspectSources.get(i);
                MessageInfo t = suspectTargets.get(i);
                String key = sourceKeys.get(m.uid());
                if (key == null || !key.equals(targetKeys.get(t.uid()))) {
                    throw wrongCheckpoint("it pairs source message " + m.uid() + " (" + m.size()
                            + " bytes) with target message " + t.uid() + " (" + t.size()
                            + " bytes), whose sizes and headers differ");
                }
            }
        }
        return now;
    }

    private FolderUnusableException wrongCheckpoint(String what) {
        return new FolderUnusableException(
                ErrorContext.of(config.target().account(), pair.target()),
                "the checkpoint of " + pair + " is wrong: " + what
                        + "; stopped before changing flags or deleting in this folder. Remove this folder's"
                        + " checkpoint: the next pass matches its messages again by identity",
                null);
    }

    private void store(Map<Flags, List<MessageUid>> groups, FlagsUpdateMode mode, Set<MessageUid> touched)
            throws MailStoreException {
        for (Map.Entry<Flags, List<MessageUid>> g : groups.entrySet()) {
            if (!config.dryRun()) {
                tgt().storeFlags(g.getValue(), mode, g.getKey());
            }
            touched.addAll(g.getValue());
        }
    }

    // ---- report

    private FolderReport report(FolderReport.Outcome outcome, @Nullable String error) {
        FolderReport report = counters.report(
                pair, outcome, error, Duration.between(started, config.clock().instant()));
        config.listener().folderFinished(report);
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
