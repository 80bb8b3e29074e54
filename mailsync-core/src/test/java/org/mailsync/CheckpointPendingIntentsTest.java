package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;
import org.mailsync.internal.SideState;

/** Issue 12.16: a snapshot holding unsettled append intents must give them back when read. */
class CheckpointPendingIntentsTest {
    @TempDir
    Path dir;

    private static final FolderPair PAIR = new FolderPair(FolderPath.of("INBOX"), FolderPath.of("INBOX"));

    /** The engine's view of a file store in {@code dir}. */
    private static Checkpoints files(Path dir) throws java.io.IOException {
        return Checkpoints.over(FileCheckpointStore.in(dir));
    }

    private static JournalEntry.AppendIntent intent(long id, long firstSource) {
        return new JournalEntry.AppendIntent(
                id,
                Generation.of(42),
                MessageUid.of(100 + id),
                List.of(
                        new JournalEntry.IntentItem(MessageUid.of(firstSource), "h" + firstSource, Flags.of(Flag.SEEN)),
                        new JournalEntry.IntentItem(
                                MessageUid.of(firstSource + 1), "h" + (firstSource + 1), Flags.NONE)));
    }

    private static FolderCheckpoint withPending() {
        return new FolderCheckpoint(
                new SideState(Generation.of(7), MessageUid.of(20), 19, null),
                new SideState(Generation.of(42), MessageUid.of(103), 2, ModSeq.of(5)),
                false,
                false,
                ImmutableSortedMap.of(
                        MessageUid.of(1), new PairEntry(MessageUid.of(1), MessageUid.of(101), Flags.of(Flag.SEEN))),
                ImmutableSortedSet.of(),
                ImmutableList.of(intent(2, 10), intent(3, 12)),
                3);
    }

    @Test
    void pendingIntentsSurviveTheCodec() throws Exception {
        FolderCheckpoint cp = withPending();
        FolderCheckpoint back = CheckpointCodec.decodeSnapshot(
                CheckpointCodec.encodeSnapshot(PAIR, cp).getBytes(java.nio.charset.StandardCharsets.UTF_8), "test");
        assertThat(back.pending()).containsExactly(intent(2, 10), intent(3, 12));
        assertThat(back).isEqualTo(cp);
    }

    @Test
    void pendingIntentsSurviveTheFileStoreAndSettleFromTheJournal() throws Exception {
        Checkpoints store = files(dir);
        store.save(PAIR, withPending());
        assertThat(store.load(PAIR)).contains(withPending());
        // The journal settles one of them: only the other stays pending.
        store.journal(
                PAIR,
                new JournalEntry.AppendDone(
                        2, List.of(new PairEntry(MessageUid.of(10), MessageUid.of(102), Flags.of(Flag.SEEN)))));
        FolderCheckpoint loaded = store.load(PAIR).orElseThrow();
        assertThat(loaded.pending()).containsExactly(intent(3, 12));
        assertThat(loaded.pairs()).containsOnlyKeys(MessageUid.of(1), MessageUid.of(10));
    }
}
