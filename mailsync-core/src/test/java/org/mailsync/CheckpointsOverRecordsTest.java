package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

/**
 * Issue 14.4: the engine over a store that only keeps records, as a vendor's database does: one
 * record per journal entry, nothing read by the store.
 */
class CheckpointsOverRecordsTest {
    private static final FolderPair PAIR = new FolderPair(FolderPath.of("Archiv"), FolderPath.of("Archive"));

    /** Records in maps, one journal record per append: what a database store does. */
    static class RecordStore implements CheckpointStore {
        final Map<String, CheckpointRecord> snapshots = new HashMap<>();
        final Map<String, List<CheckpointRecord>> journals = new HashMap<>();

        @Override
        public synchronized Optional<CheckpointRecord> snapshot(String key) {
            return Optional.ofNullable(snapshots.get(key));
        }

        @Override
        public synchronized List<CheckpointRecord> journal(String key) {
            return List.copyOf(journals.getOrDefault(key, List.of()));
        }

        @Override
        public synchronized void save(CheckpointRecord snapshot) {
            snapshots.put(snapshot.key(), snapshot);
            journals.remove(snapshot.key());
        }

        @Override
        public synchronized void append(CheckpointRecord entry) {
            journals.computeIfAbsent(entry.key(), k -> new ArrayList<>()).add(entry);
        }
    }

    private static JournalEntry.AppendIntent intent(long id, long source) {
        return new JournalEntry.AppendIntent(
                id,
                Generation.of(42),
                MessageUid.of(100 + id),
                List.of(new JournalEntry.IntentItem(MessageUid.of(source), "h" + source, Flags.of(Flag.SEEN))));
    }

    @Test
    void entriesKeptOneRecordEachApplyInOrderAndTheStoreSeesOnlyKeysVersionsAndBytes() throws Exception {
        RecordStore records = new RecordStore();
        Checkpoints store = Checkpoints.over(records);
        store.save(PAIR, FolderCheckpoint.empty());
        store.journal(PAIR, intent(1, 10));
        store.journal(
                PAIR,
                new JournalEntry.AppendDone(
                        1, List.of(new PairEntry(MessageUid.of(10), MessageUid.of(101), Flags.of(Flag.SEEN)))));
        store.journal(PAIR, intent(2, 11));

        FolderCheckpoint loaded = store.load(PAIR).orElseThrow();
        assertThat(loaded.pending()).containsExactly(intent(2, 11));
        assertThat(loaded.pairs()).containsOnlyKeys(MessageUid.of(10));
        List<CheckpointRecord> journal = records.journal(Checkpoints.key(PAIR));
        assertThat(journal).hasSize(3).allSatisfy(r -> assertThat(r.version()).isEqualTo(1));
        assertThat(new String(journal.get(0).data(), StandardCharsets.UTF_8)).startsWith("intent 1 42 101 1\n");

        store.save(PAIR, loaded);
        assertThat(records.journal(Checkpoints.key(PAIR))).isEmpty();
        assertThat(store.load(PAIR)).contains(loaded);
        assertThat(store.load(new FolderPair(FolderPath.INBOX, FolderPath.INBOX)))
                .isEmpty();
    }

    @Test
    void anEntryCutShortWithMoreAfterItIsDamageNamingTheEntry() throws Exception {
        RecordStore records = new RecordStore();
        Checkpoints store = Checkpoints.over(records);
        store.journal(PAIR, intent(1, 10));
        String key = Checkpoints.key(PAIR);
        records.append(
                new CheckpointRecord(key, 1, "intent 2 42 102 2\nitem 11 h11 S\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent(1, 10));

        store.journal(PAIR, intent(3, 12));
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining("entry 2 of 3")
                .hasMessageContaining("cut short");
    }

    @Test
    void aRecordInAFormatThisVersionDoesNotKnowIsRefusedClearly() throws Exception {
        RecordStore records = new RecordStore();
        records.save(new CheckpointRecord(Checkpoints.key(PAIR), 2, new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Checkpoints.over(records).load(PAIR))
                .hasMessageContaining("format 2")
                .hasMessageContaining("reads format 1");
    }

    @Test
    void aStoreThatMixesUpKeysIsCaught() throws Exception {
        RecordStore records = new RecordStore();
        records.save(new CheckpointRecord(
                "INBOX INBOX",
                1,
                org.mailsync.internal.CheckpointCodec.encodeSnapshot(PAIR, FolderCheckpoint.empty())
                        .getBytes(StandardCharsets.UTF_8)));
        CheckpointStore mixedUp = new RecordStore() {
            @Override
            public synchronized Optional<CheckpointRecord> snapshot(String key) {
                return records.snapshot("INBOX INBOX");
            }
        };
        assertThatThrownBy(() -> Checkpoints.over(mixedUp).load(PAIR)).hasMessageContaining("another key");
    }

    @Test
    void aRecordIsAValueAndItsBytesCannotBeChangedFromOutside() {
        byte[] data = {1, 2, 3};
        CheckpointRecord record = new CheckpointRecord("a b", 1, data);
        data[0] = 9;
        record.data()[1] = 9;
        assertThat(record).isEqualTo(new CheckpointRecord("a b", 1, new byte[] {1, 2, 3}));
        assertThat(record.size()).isEqualTo(3);
        assertThatThrownBy(() -> new CheckpointRecord("a\nb", 1, data)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CheckpointRecord("a b", 0, data)).isInstanceOf(IllegalArgumentException.class);
    }
}
