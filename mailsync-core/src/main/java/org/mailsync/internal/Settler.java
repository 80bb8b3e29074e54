package org.mailsync.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.mailsync.AlteredMessage;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Finds out which pairs an append intent made, and writes that down: after an append whose
 * target ids the store did not report, after an append the target refused part of, and for every
 * intent a killed pass left pending. It looks at the target messages from the intent's next id on
 * that are not paired yet: strict identity keys first (counting, lowest id first), then the
 * second tier for the rest. A target renumbered since the intent settles nothing (the re-match
 * after a generation change finds those messages). What no settling finds was not appended.
 *
 * <p>Not thread-safe; one instance per folder pass, used by one thread at a time (the copier's
 * slices take turns under its lock).
 */
final class Settler {
    /** Records one pair; a pair whose target is paired already stops the folder. */
    interface PairRecorder {
        void put(PairEntry entry) throws FolderUnusableException;
    }

    private final AppendJournal journal;
    private final PairMap pairs;
    private final PairRecorder recorder;
    private final IdentityMatcher identity;
    private final MailFolder source;
    private final @Nullable MailFolder target;
    private final FolderCounters counters;

    /**
     * @param recorder how a pair made goes into {@code pairs} (the pass turns a broken invariant
     *     into its wrong-checkpoint error)
     * @param target null where a dry run finds no target folder (nothing to settle there)
     */
    Settler(
            AppendJournal journal,
            PairMap pairs,
            PairRecorder recorder,
            IdentityMatcher identity,
            MailFolder source,
            @Nullable MailFolder target,
            FolderCounters counters) {
        this.journal = journal;
        this.pairs = pairs;
        this.recorder = recorder;
        this.identity = identity;
        this.source = source;
        this.target = target;
        this.counters = counters;
    }

    /** Settles every intent a killed pass left pending, oldest first. */
    void settlePending() throws MailStoreException {
        for (JournalEntry.AppendIntent intent : journal.pending()) {
            settle(intent, resolve(intent, Map.of()));
        }
    }

    /**
     * The pairs an intent made: target messages from the journaled next id on, not yet paired,
     * whose identity keys match the intent's messages (counting, lowest id first); the rest by the
     * second tier, reported as altered.
     *
     * @param sentSizes the sizes appended, by source id, when known (right after the append);
     *     empty after a restart, when the source's listing gives them
     */
    List<PairEntry> resolve(JournalEntry.AppendIntent intent, Map<MessageUid, Long> sentSizes)
            throws MailStoreException {
        return resolve(intent, sentSizes, target);
    }

    /**
     * As {@link #resolve(JournalEntry.AppendIntent, Map)}, looking at the target through {@code
     * target}: another opening of the pass's target folder (a slice's own connection).
     */
    List<PairEntry> resolve(
            JournalEntry.AppendIntent intent, Map<MessageUid, Long> sentSizes, @Nullable MailFolder target)
            throws MailStoreException {
        if (target == null || !target.status().generation().equals(intent.targetGeneration())) {
            return List.of(); // the target was renumbered: identity matching will find them
        }
        IdentityMatcher.TargetIndex targets =
                identity.unpairedTargets(target, MessageQuery.from(intent.targetNextUid()), pairs::isPairedTarget);
        List<PairEntry> made = new ArrayList<>();
        Set<MessageUid> taken = new HashSet<>();
        List<JournalEntry.IntentItem> left = new ArrayList<>();
        Map<MessageUid, org.mailsync.Flags> targetFlags = new HashMap<>();
        targets.infos().forEach(m -> targetFlags.put(m.uid(), m.flags()));
        for (JournalEntry.IntentItem item : intent.items()) {
            List<MessageUid> found = targets.byKey().get(item.identityKey());
            if (!found.isEmpty()) {
                // Twins (same key) of several pending intents (slices of one folder in flight at a
                // crash) may lie in any order: the copy carrying the flags sent is the likelier one.
                int pick = 0;
                for (int k = 0; k < found.size(); k++) {
                    if (item.flags().equals(targetFlags.get(found.get(k)))) {
                        pick = k;
                        break;
                    }
                }
                MessageUid t = found.remove(pick);
                taken.add(t);
                made.add(new PairEntry(item.source(), t, item.flags()));
            } else {
                left.add(item);
            }
        }
        // A server that rewrites what it stores (8-bit header bytes to X, a final CRLF added)
        // changes the strict key: the rest is matched by the relaxed one, among the rest only.
        List<MessageInfo> targetsLeft =
                targets.infos().stream().filter(m -> !taken.contains(m.uid())).toList();
        if (left.isEmpty() || targetsLeft.isEmpty()) {
            return made;
        }
        List<MessageInfo> sourceLeft = new ArrayList<>();
        if (left.stream().allMatch(i -> sentSizes.containsKey(i.source()))) {
            left.forEach(i -> sourceLeft.add(MessageInfo.of(
                    i.source(),
                    java.util.Objects.requireNonNull(sentSizes.get(i.source())),
                    i.flags(),
                    Instant.EPOCH)));
        } else {
            // Settling after a restart: the sizes sent are the source's (listed, as read).
            Set<MessageUid> wanted = new HashSet<>();
            left.forEach(i -> wanted.add(i.source()));
            MessageUid first = wanted.stream().min(MessageUid::compareTo).orElseThrow();
            source.list(MessageQuery.from(first), batch -> batch.stream()
                    .filter(m -> wanted.contains(m.uid()))
                    .forEach(sourceLeft::add));
        }
        Map<MessageUid, MessageInfo> relaxed = identity.matchRelaxed(sourceLeft, targetsLeft);
        Map<MessageUid, Long> sizes = new HashMap<>();
        sourceLeft.forEach(m -> sizes.put(m.uid(), m.size()));
        for (JournalEntry.IntentItem item : left) {
            MessageInfo t = relaxed.get(item.source());
            if (t != null) {
                made.add(new PairEntry(item.source(), t.uid(), item.flags()));
                counters.altered(new AlteredMessage(
                        item.source(), t.uid(), java.util.Objects.requireNonNull(sizes.get(item.source())), t.size()));
            }
        }
        return made;
    }

    /**
     * After an append whose target ids are known: lists them and compares the stored sizes with
     * the sizes sent. A message the server rewrote stays paired (by its id) and is reported.
     */
    void noticeAltered(Map<MessageUid, Long> sentSizes, List<PairEntry> made) throws MailStoreException {
        if (made.isEmpty() || target == null) {
            return;
        }
        noticeAltered(sentSizes, made, storedSizes(target, made));
    }

    /** The sizes stored of the target messages these pairs name, read through {@code target}. */
    static Map<MessageUid, Long> storedSizes(MailFolder target, List<PairEntry> made) throws MailStoreException {
        Map<MessageUid, Long> stored = new HashMap<>();
        if (made.isEmpty()) {
            return stored;
        }
        MessageUid first =
                made.stream().map(PairEntry::target).min(MessageUid::compareTo).orElseThrow();
        Set<MessageUid> wanted = new HashSet<>();
        made.forEach(p -> wanted.add(p.target()));
        target.list(MessageQuery.from(first), batch -> batch.stream()
                .filter(m -> wanted.contains(m.uid()))
                .forEach(m -> stored.put(m.uid(), m.size())));
        return stored;
    }

    /** Reports the pairs whose stored size (read by {@link #storedSizes}) is not the size sent. */
    void noticeAltered(Map<MessageUid, Long> sentSizes, List<PairEntry> made, Map<MessageUid, Long> stored) {
        for (PairEntry p : made) {
            Long size = stored.get(p.target());
            long was = java.util.Objects.requireNonNull(sentSizes.get(p.source()));
            if (size != null && size != was) {
                counters.altered(new AlteredMessage(p.source(), p.target(), was, size));
            }
        }
    }

    /** Writes down that {@code intent} made these pairs (no more) and records them. */
    void settle(JournalEntry.AppendIntent intent, List<PairEntry> made)
            throws StoreFailureException, FolderUnusableException {
        journal.settled(intent, made);
        for (PairEntry p : made) {
            recorder.put(p);
        }
    }
}
