package org.mailsync.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.Flags;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

class AppendJournalTest {
    private static final FolderPair PAIR = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);
    private static final Generation GEN = Generation.of(7);

    @TempDir
    Path tmp;

    private static JournalEntry.IntentItem item(long source) {
        return new JournalEntry.IntentItem(MessageUid.of(source), "k" + source, Flags.NONE);
    }

    @Test
    void anIntentIsOnDiskAndPendingUntilSettledAndASettlementRecordsItsPairs() throws Exception {
        Checkpoints store = Checkpoints.over(FileCheckpointStore.in(tmp));
        AppendJournal journal = new AppendJournal(store, PAIR);
        journal.resume(journal.load());

        JournalEntry.AppendIntent first = journal.intend(GEN, MessageUid.of(10), List.of(item(1), item(2)));
        JournalEntry.AppendIntent second = journal.intend(GEN, MessageUid.of(12), List.of(item(3)));
        // A crash now: a new pass finds both intents pending, in order.
        assertThat(new AppendJournal(store, PAIR).load().pending()).containsExactly(first, second);
        assertThat(journal.pending()).containsExactly(first, second);

        PairEntry made = new PairEntry(MessageUid.of(1), MessageUid.of(10), Flags.NONE);
        journal.settled(first, List.of(made)); // message 2 was not appended
        FolderCheckpoint reloaded = new AppendJournal(store, PAIR).load();
        assertThat(reloaded.pending()).containsExactly(second);
        assertThat(reloaded.pairs()).containsEntry(MessageUid.of(1), made).hasSize(1);
        assertThat(journal.pending()).containsExactly(second);
    }

    @Test
    void aSnapshotKeepsWhatIsPendingAndTheNumberingGoesOnAfterARestart() throws Exception {
        Checkpoints store = Checkpoints.over(FileCheckpointStore.in(tmp));
        AppendJournal journal = new AppendJournal(store, PAIR);
        journal.resume(journal.load());
        JournalEntry.AppendIntent a = journal.intend(GEN, MessageUid.of(10), List.of(item(1)));
        journal.intend(GEN, MessageUid.of(11), List.of(item(2)));
        PairMap pairs = new PairMap();
        pairs.put(new PairEntry(MessageUid.of(5), MessageUid.of(6), Flags.NONE));
        pairs.addOrphan(MessageUid.of(9));
        SideState side = new SideState(GEN, MessageUid.of(12), 2, null);
        journal.save(side, side, false, false, pairs);

        AppendJournal restarted = new AppendJournal(store, PAIR);
        FolderCheckpoint cp = restarted.load();
        assertThat(cp.pending()).hasSize(2).first().isEqualTo(a);
        assertThat(cp.pairs()).containsOnlyKeys(MessageUid.of(5));
        assertThat(cp.orphans()).containsExactly(MessageUid.of(9));
        assertThat(cp.complete()).isFalse();
        restarted.resume(cp);
        assertThat(restarted.intend(GEN, MessageUid.of(12), List.of(item(3))).id())
                .isEqualTo(3);
    }

    @Test
    void aSnapshotIsDueEveryTwentyFiveBatchesCountedFromTheLastSave() throws Exception {
        AppendJournal journal = new AppendJournal(Checkpoints.over(FileCheckpointStore.in(tmp)), PAIR);
        List<Integer> due = new ArrayList<>();
        for (int batch = 1; batch <= 60; batch++) {
            if (journal.batchDone()) {
                due.add(batch);
                journal.save(null, null, false, false, new PairMap());
            }
        }
        assertThat(due).containsExactly(25, 50);
    }

    @Test
    void aStoreThatCannotWriteStopsTheAccountWithTheReason() {
        CheckpointStore broken = new CheckpointStore() {
            @Override
            public Optional<CheckpointRecord> snapshot(String key) throws IOException {
                throw new IOException("disk gone");
            }

            @Override
            public List<CheckpointRecord> journal(String key) throws IOException {
                throw new IOException("disk gone");
            }

            @Override
            public void save(CheckpointRecord snapshot) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void append(CheckpointRecord entry) throws IOException {
                throw new IOException("read-only file system");
            }
        };
        AppendJournal journal = new AppendJournal(Checkpoints.over(broken), PAIR);
        assertThatThrownBy(journal::load)
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("cannot read checkpoint: disk gone");
        assertThatThrownBy(() -> journal.intend(GEN, MessageUid.of(1), List.of(item(1))))
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("cannot write checkpoint journal: read-only file system");
        assertThat(journal.pending()).isEmpty();
        assertThatThrownBy(() -> journal.save(null, null, false, false, new PairMap()))
                .hasMessageContaining("cannot write checkpoint: disk full");
    }
}
