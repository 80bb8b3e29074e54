package org.mailsync.internal;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.mailsync.MessageUid;

/**
 * Everything the engine remembers of one folder pair between passes: each side's state when the
 * last pass ended, whether that pass finished with nothing left over ({@code complete}: the skip
 * test and the modseq fast path are allowed only then), whether it mirrored deletions ({@code
 * mirrored}: a pass that keeps deletions leaves pairs whose source is gone, so a mirror pass must
 * not skip after it), the pair map (source id to target id and
 * flags at last sync), orphans (target messages this sync put there whose source could not be
 * found again after a source generation change: a later mirror pass may remove them), and append intents not yet settled.
 *
 * <p>Immutable.
 */
public record FolderCheckpoint(
        @Nullable SideState source,
        @Nullable SideState target,
        boolean complete,
        boolean mirrored,
        ImmutableSortedMap<MessageUid, PairEntry> pairs,
        ImmutableSortedSet<MessageUid> orphans,
        ImmutableList<JournalEntry.AppendIntent> pending,
        long lastIntentId) {
    /** The checkpoint of a pair never synced. */
    public static FolderCheckpoint empty() {
        return new FolderCheckpoint(
                null, null, false, false, ImmutableSortedMap.of(), ImmutableSortedSet.of(), ImmutableList.of(), 0);
    }

    public Optional<SideState> optionalSource() {
        return Optional.ofNullable(source);
    }

    public Optional<SideState> optionalTarget() {
        return Optional.ofNullable(target);
    }

    /**
     * This checkpoint with a journal entry applied: an intent becomes pending; a settled intent is
     * no longer pending and its pairs join the pair map. Loading a checkpoint applies its journal
     * onto its snapshot this way.
     */
    public FolderCheckpoint apply(JournalEntry entry) {
        if (entry instanceof JournalEntry.AppendIntent intent) {
            if (intent.id() <= lastIntentId) {
                return this; // already part of this snapshot (a crash between save and journal reset)
            }
            List<JournalEntry.AppendIntent> list = new ArrayList<>(pending);
            list.add(intent);
            return new FolderCheckpoint(
                    source,
                    target,
                    false,
                    false,
                    pairs,
                    orphans,
                    ImmutableList.copyOf(list),
                    Math.max(lastIntentId, intent.id()));
        }
        JournalEntry.AppendDone done = (JournalEntry.AppendDone) entry;
        Map<MessageUid, PairEntry> map = new TreeMap<>(pairs);
        for (PairEntry pair : done.pairs()) {
            map.put(pair.source(), pair);
        }
        ImmutableList<JournalEntry.AppendIntent> left =
                pending.stream().filter(i -> i.id() != done.intentId()).collect(ImmutableList.toImmutableList());
        return new FolderCheckpoint(
                source, target, false, false, ImmutableSortedMap.copyOf(map), orphans, left, lastIntentId);
    }
}
