package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.collect.ImmutableSortedSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;
import org.mailsync.internal.SideState;

class FileCheckpointStoreTest {
    @TempDir
    Path dir;

    private static final FolderPair PAIR =
            new FolderPair(FolderPath.of("Gesendete Objekte", "2024"), FolderPath.of("Sent", "2024"));

    private FileCheckpointStore files;

    /** The engine's view of a new file store in {@code dir}; {@link #files} is the store, for its file names. */
    private Checkpoints files(Path dir) throws java.io.IOException {
        files = FileCheckpointStore.in(dir);
        return Checkpoints.over(files);
    }

    private Path journalFile() {
        return files.journalFile(Checkpoints.key(PAIR));
    }

    private Path snapshotFile() {
        return files.snapshotFile(Checkpoints.key(PAIR));
    }

    private static FolderCheckpoint sample(int messages) {
        TreeMap<MessageUid, PairEntry> pairs = new TreeMap<>();
        for (int i = 1; i <= messages; i++) {
            Flags flags = i % 3 == 0
                    ? Flags.of(Set.of(Flag.SEEN, Flag.FLAGGED), Set.of("$Forwarded"))
                    : i % 2 == 0 ? Flags.of(Flag.SEEN) : Flags.NONE;
            pairs.put(MessageUid.of(1000 + i), new PairEntry(MessageUid.of(1000 + i), MessageUid.of(i), flags));
        }
        return new FolderCheckpoint(
                new SideState(Generation.of(1700000000), MessageUid.of(1001 + messages), messages, ModSeq.of(99999)),
                new SideState(Generation.of(42), MessageUid.of(messages + 1), messages, null),
                true,
                false,
                ImmutableSortedMap.copyOf(pairs),
                ImmutableSortedSet.of(MessageUid.of(7)),
                ImmutableList.of(),
                12);
    }

    @Test
    void snapshotRoundTripsAndCostsTensOfBytesPerMessage() throws Exception {
        Checkpoints store = files(dir);
        FolderCheckpoint cp = sample(10_000);
        store.save(PAIR, cp);
        assertThat(store.load(PAIR)).contains(cp);
        long bytes = Files.size(snapshotFile());
        assertThat(bytes / 10_000.0).as("bytes per message").isLessThan(40);
        String text = Files.readString(snapshotFile());
        assertThat(text).startsWith("mailsync-checkpoint 1\npair Gesendete+Objekte/2024 Sent/2024\n");
        assertThat(text).contains("\np 1003 3 FS $Forwarded\n");
    }

    @Test
    void journalEntriesApplyOnLoadAndATornLastRecordIsIgnored() throws Exception {
        Checkpoints store = files(dir);
        store.save(PAIR, FolderCheckpoint.empty());
        JournalEntry.AppendIntent intent = new JournalEntry.AppendIntent(
                1,
                Generation.of(42),
                MessageUid.of(5),
                List.of(
                        new JournalEntry.IntentItem(MessageUid.of(10), "habc", Flags.of(Flag.SEEN)),
                        new JournalEntry.IntentItem(MessageUid.of(11), "hdef", Flags.NONE)));
        store.journal(PAIR, intent);
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent);
        store.journal(
                PAIR,
                new JournalEntry.AppendDone(
                        1, List.of(new PairEntry(MessageUid.of(10), MessageUid.of(5), Flags.of(Flag.SEEN)))));
        FolderCheckpoint loaded = store.load(PAIR).orElseThrow();
        assertThat(loaded.pending()).isEmpty();
        assertThat(loaded.pairs()).containsOnlyKeys(MessageUid.of(10));
        // A crash in the middle of writing the next intent: the half record was never durable.
        Files.writeString(journalFile(), "intent 2 42 7 3\nitem 12 hx -\nitem 13 h", StandardOpenOption.APPEND);
        FolderCheckpoint afterTear = store.load(PAIR).orElseThrow();
        assertThat(afterTear.pending()).isEmpty();
        assertThat(afterTear.pairs()).containsOnlyKeys(MessageUid.of(10));
    }

    @Test
    void aJournalLeftBehindBySaveIsNotAppliedTwice() throws Exception {
        Checkpoints store = files(dir);
        JournalEntry.AppendIntent intent = new JournalEntry.AppendIntent(
                12,
                Generation.of(42),
                MessageUid.of(5),
                List.of(new JournalEntry.IntentItem(MessageUid.of(10), "habc", Flags.NONE)));
        store.journal(PAIR, intent);
        Path journal = journalFile();
        byte[] journalBytes = Files.readAllBytes(journal);
        // The snapshot already holds intent 12 as settled (last-intent 12); the journal survived.
        store.save(PAIR, sample(3));
        Files.write(journal, journalBytes);
        assertThat(store.load(PAIR).orElseThrow().pending()).isEmpty();
    }

    @Test
    void aDamagedSnapshotIsAClearErrorNamingTheFileAndWhatToDo() throws Exception {
        Checkpoints store = files(dir);
        store.save(PAIR, sample(3));
        Path file = snapshotFile();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, text.substring(0, text.length() / 2));
        assertThatThrownBy(() -> store.load(PAIR))
                .hasMessageContaining(file.toString())
                .hasMessageContaining("move it away");
    }

    @Test
    void anUnknownPairHasNoCheckpoint() throws Exception {
        assertThat(files(dir).load(PAIR)).isEmpty();
    }
}
