package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;
import org.mailsync.internal.SideState;

/**
 * Issue 14.4: checkpoint directories written before the checkpoint became opaque still load. The
 * directory under {@code src/test/resources/checkpoint-v1} was written by FileCheckpointStore as
 * it was then (commit 9846a76): a snapshot with a pending intent and an orphan, its journal with
 * a settled intent, a new intent and a torn last record, and a journal without a snapshot.
 */
class CheckpointFormatV1Test {
    @TempDir
    Path dir;

    private static final FolderPair SENT =
            new FolderPair(FolderPath.of("Gesendete Objekte", "2024"), FolderPath.of("Sent", "2024"));
    private static final FolderPair DRAFTS = new FolderPair(FolderPath.INBOX, FolderPath.of("Archiv", "Entwürfe"));

    private static final JournalEntry.AppendIntent INTENT_3 = new JournalEntry.AppendIntent(
            3,
            Generation.of(42),
            MessageUid.of(7),
            List.of(
                    new JournalEntry.IntentItem(MessageUid.of(5), "h5ab", Flags.of(Flag.SEEN)),
                    new JournalEntry.IntentItem(
                            MessageUid.of(6), "h6cd", Flags.of(Set.of(Flag.DRAFT), Set.of("$Label1")))));
    private static final JournalEntry.AppendIntent INTENT_4 = new JournalEntry.AppendIntent(
            4,
            Generation.of(42),
            MessageUid.of(9),
            List.of(new JournalEntry.IntentItem(MessageUid.of(8), "hkey-für-8", Flags.of(Flag.FLAGGED))));

    /** The snapshot as it was saved. */
    private static final FolderCheckpoint SNAPSHOT = new FolderCheckpoint(
            new SideState(Generation.of(1700000000), MessageUid.of(7), 4, ModSeq.of(99)),
            new SideState(Generation.of(42), MessageUid.of(7), 3, null),
            false,
            true,
            ImmutableSortedMap.of(
                    MessageUid.of(1),
                    new PairEntry(MessageUid.of(1), MessageUid.of(1), Flags.NONE),
                    MessageUid.of(2),
                    new PairEntry(
                            MessageUid.of(2),
                            MessageUid.of(4),
                            Flags.of(
                                    Set.of(Flag.SEEN, Flag.FLAGGED, Flag.ANSWERED, Flag.DELETED, Flag.DRAFT),
                                    Set.of("$Forwarded", "Wichtig")))),
            ImmutableSortedSet.of(MessageUid.of(3)),
            ImmutableList.of(INTENT_3),
            3);

    private Checkpoints oldDirectory() throws Exception {
        Path fixture = Path.of(getClass().getResource("/checkpoint-v1").toURI());
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return Checkpoints.over(FileCheckpointStore.in(dir));
    }

    @Test
    void aSnapshotWithItsJournalLoadsAsBeforeTheTornRecordLeftOut() throws Exception {
        FolderCheckpoint loaded = oldDirectory().load(SENT).orElseThrow();

        assertThat(loaded)
                .isEqualTo(SNAPSHOT.apply(new JournalEntry.AppendDone(
                                3, List.of(new PairEntry(MessageUid.of(5), MessageUid.of(7), Flags.of(Flag.SEEN)))))
                        .apply(INTENT_4));
        assertThat(loaded.pending()).containsExactly(INTENT_4);
        assertThat(loaded.orphans()).containsExactly(MessageUid.of(3));
        assertThat(loaded.pairs()).containsOnlyKeys(MessageUid.of(1), MessageUid.of(2), MessageUid.of(5));
    }

    @Test
    void aJournalWithoutASnapshotLoads() throws Exception {
        assertThat(oldDirectory().load(DRAFTS).orElseThrow().pending())
                .containsExactly(new JournalEntry.AppendIntent(
                        1,
                        Generation.of(5),
                        MessageUid.of(1),
                        List.of(new JournalEntry.IntentItem(MessageUid.of(1), "habc", Flags.NONE))));
    }

    @Test
    void theOldJournalGoesOnAfterItsTornRecordAndSnapshotsAreWrittenByteForByteAsBefore() throws Exception {
        Checkpoints store = oldDirectory();
        FolderCheckpoint before = store.load(SENT).orElseThrow();
        JournalEntry.AppendDone settled = new JournalEntry.AppendDone(
                4, List.of(new PairEntry(MessageUid.of(8), MessageUid.of(9), Flags.of(Flag.FLAGGED))));
        store.journal(SENT, settled);
        assertThat(store.load(SENT)).contains(before.apply(settled));

        Path snapshot = Path.of(getClass().getResource("/checkpoint-v1").toURI())
                .resolve("89fde539bf4967dc0c8622de.checkpoint");
        assertThat(CheckpointCodec.encodeSnapshot(SENT, SNAPSHOT)).isEqualTo(Files.readString(snapshot));
        store.save(SENT, SNAPSHOT);
        assertThat(dir.resolve("89fde539bf4967dc0c8622de.checkpoint")).hasSameBinaryContentAs(snapshot);
        assertThat(dir.resolve("89fde539bf4967dc0c8622de.journal")).doesNotExist();
    }
}
