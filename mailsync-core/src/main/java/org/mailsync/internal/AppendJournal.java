package org.mailsync.internal;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPair;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;

/**
 * What one folder pass writes down in the checkpoint store, and when: before each append batch
 * the intent (source ids, identity keys, flags, and the target's generation and next id), forced
 * to disk; after it the settlement (the pairs it made, possibly fewer); every {@value
 * #SNAPSHOT_EVERY_BATCHES} batches, and at the end, a snapshot that replaces the journal. It keeps
 * the intents not yet settled, which a later pass settles first, and numbers intents so that one
 * already part of a snapshot is not applied twice.
 *
 * <p>Not thread-safe; one instance per folder pass.
 */
final class AppendJournal {
    /** Append batches between interim snapshots: keeps the journal, and a restart's replay, short. */
    static final int SNAPSHOT_EVERY_BATCHES = 25;

    private final Checkpoints store;
    private final FolderPair pair;
    private final List<JournalEntry.AppendIntent> pending = new ArrayList<>();
    private long lastIntentId;
    private int batchesSinceSnapshot;

    AppendJournal(Checkpoints store, FolderPair pair) {
        this.store = store;
        this.pair = pair;
    }

    /** The pair's checkpoint with its journal applied, or the empty one; changes nothing here. */
    FolderCheckpoint load() throws StoreFailureException {
        try {
            return store.load(pair).orElse(FolderCheckpoint.empty());
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()), "cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    /** What the skip test needs of the pair's checkpoint, without its pairs; changes nothing here. */
    CheckpointHead loadHead() throws StoreFailureException {
        try {
            return store.loadHead(pair);
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()), "cannot read checkpoint: " + e.getMessage(), e);
        }
    }

    /** Takes over the unsettled intents and the intent numbering of a loaded checkpoint. */
    void resume(FolderCheckpoint cp) {
        pending.addAll(cp.pending());
        lastIntentId = cp.lastIntentId();
    }

    /** The intents not yet settled, oldest first (a copy). */
    List<JournalEntry.AppendIntent> pending() {
        return List.copyOf(pending);
    }

    /**
     * Writes down, durably, the intent to append these messages to a target folder of this
     * generation and next id; returns it (pending until {@link #settled}).
     */
    JournalEntry.AppendIntent intend(
            Generation targetGeneration, MessageUid targetNextUid, List<JournalEntry.IntentItem> items)
            throws StoreFailureException {
        JournalEntry.AppendIntent intent =
                new JournalEntry.AppendIntent(++lastIntentId, targetGeneration, targetNextUid, items);
        journal(intent);
        pending.add(intent);
        return intent;
    }

    /** Writes down that {@code intent} made these pairs (the rest were not appended). */
    void settled(JournalEntry.AppendIntent intent, List<PairEntry> made) throws StoreFailureException {
        journal(new JournalEntry.AppendDone(intent.id(), made));
        pending.removeIf(i -> i.id() == intent.id());
    }

    /** Counts one append batch; true when an interim snapshot is due. */
    boolean batchDone() {
        return ++batchesSinceSnapshot >= SNAPSHOT_EVERY_BATCHES;
    }

    /**
     * Replaces the snapshot (and drops the journal): each side's state, whether the pass is
     * complete and mirrored, the pairs and orphans, and the intents still pending.
     */
    void save(@Nullable SideState source, @Nullable SideState target, boolean complete, boolean mirrored, PairMap pairs)
            throws StoreFailureException {
        FolderCheckpoint cp = new FolderCheckpoint(
                source,
                target,
                complete,
                mirrored,
                pairs.snapshotPairs(),
                pairs.snapshotOrphans(),
                ImmutableList.copyOf(pending),
                lastIntentId);
        try {
            store.save(pair, cp);
            batchesSinceSnapshot = 0;
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()), "cannot write checkpoint: " + e.getMessage(), e);
        }
    }

    private void journal(JournalEntry entry) throws StoreFailureException {
        try {
            store.journal(pair, entry);
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of("checkpoints", pair.source()),
                    "cannot write checkpoint journal: " + e.getMessage(),
                    e);
        }
    }
}
