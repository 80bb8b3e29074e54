package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.internal.CheckpointHead;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;
import org.mailsync.internal.SideState;

/**
 * Issue 15: the skip test reads a checkpoint's head without decoding its pairs, and that head is
 * the one the whole checkpoint has, whatever the snapshot holds; a snapshot cut short is still
 * refused, and a journal is applied whole.
 */
class CheckpointHeadTest {
    private static final FolderPair PAIR = new FolderPair(FolderPath.of("Archiv"), FolderPath.of("Archive"));
    private static final SideState SOURCE =
            new SideState(Generation.of(7), MessageUid.of(20_001), 20_000, ModSeq.of(9));
    private static final SideState TARGET = new SideState(Generation.of(8), MessageUid.of(20_001), 20_000, null);

    private static FolderCheckpoint checkpoint(
            boolean complete, boolean mirrored, int pairs, List<JournalEntry.AppendIntent> pending) {
        ImmutableSortedMap.Builder<MessageUid, PairEntry> map = ImmutableSortedMap.naturalOrder();
        for (int i = 1; i <= pairs; i++) {
            map.put(
                    MessageUid.of(i),
                    new PairEntry(MessageUid.of(i), MessageUid.of(i), i % 2 == 0 ? Flags.of(Flag.SEEN) : Flags.NONE));
        }
        return new FolderCheckpoint(
                SOURCE,
                TARGET,
                complete,
                mirrored,
                map.build(),
                ImmutableSortedSet.of(MessageUid.of(30_000)),
                ImmutableList.copyOf(pending),
                pending.isEmpty() ? 3 : pending.get(pending.size() - 1).id());
    }

    private static JournalEntry.AppendIntent intent(long id) {
        return new JournalEntry.AppendIntent(
                id,
                Generation.of(8),
                MessageUid.of(20_001),
                List.of(new JournalEntry.IntentItem(MessageUid.of(20_001), "h1", Flags.of(Flag.SEEN))));
    }

    private static byte[] encoded(FolderCheckpoint cp) {
        return CheckpointCodec.encodeSnapshot(PAIR, cp).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theHeadOfASnapshotIsTheHeadOfTheWholeCheckpoint() throws Exception {
        List<FolderCheckpoint> cases = List.of(
                checkpoint(true, false, 2_000, List.of()),
                checkpoint(true, true, 3, List.of()),
                checkpoint(false, false, 0, List.of()),
                checkpoint(false, false, 5, List.of(intent(4), intent(5))),
                FolderCheckpoint.empty());
        for (FolderCheckpoint cp : cases) {
            CheckpointHead head = CheckpointCodec.decodeSnapshotHead(encoded(cp), "file");
            assertThat(head).isEqualTo(CheckpointHead.of(cp));
            assertThat(head).isEqualTo(CheckpointHead.of(CheckpointCodec.decodeSnapshot(encoded(cp), "file")));
        }
        assertThat(CheckpointCodec.decodeSnapshotHead(encoded(cases.get(3)), "file")
                        .pending())
                .isTrue();
    }

    @Test
    void aSnapshotCutShortOrNotACheckpointIsRefusedByTheHeadToo() {
        byte[] whole = encoded(checkpoint(true, false, 50, List.of()));
        String text = new String(whole, StandardCharsets.UTF_8);
        List<String> damaged = List.of(
                text.substring(0, text.length() - "end\n".length()), // no end line
                text.substring(0, text.length() - 1), // no final newline
                text.substring(0, text.indexOf("p 1 ")), // cut before the pairs
                "",
                "hello\n" + text.substring(text.indexOf('\n') + 1), // not a checkpoint
                text.replace("complete true", "complete"), // a head line with too few fields
                text.replace("mirrored false", "frobnicate 1")); // a record this version does not know
        for (String d : damaged) {
            assertThatThrownBy(() -> CheckpointCodec.decodeSnapshotHead(d.getBytes(StandardCharsets.UTF_8), "file"))
                    .as(d.length() > 80 ? d.substring(0, 80) : d)
                    .isInstanceOf(CheckpointDamagedException.class)
                    .hasMessageContaining("file");
        }
    }

    @Test
    void aJournalIsAppliedWholeBeforeTheHeadIsTaken() throws Exception {
        CheckpointsOverRecordsTest.RecordStore records = new CheckpointsOverRecordsTest.RecordStore();
        Checkpoints store = Checkpoints.over(records);
        assertThat(store.loadHead(PAIR)).isEqualTo(CheckpointHead.of(FolderCheckpoint.empty()));

        store.save(PAIR, checkpoint(true, true, 10, List.of()));
        assertThat(store.loadHead(PAIR)).isEqualTo(new CheckpointHead(SOURCE, TARGET, true, true, false));

        // An intent after the snapshot: the last pass did not end cleanly, nothing may be skipped.
        store.journal(PAIR, intent(4));
        assertThat(store.loadHead(PAIR)).isEqualTo(new CheckpointHead(SOURCE, TARGET, false, false, true));
        assertThat(store.loadHead(PAIR))
                .isEqualTo(CheckpointHead.of(store.load(PAIR).orElseThrow()));
    }
}
