package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;
import org.mailsync.internal.JournalEntry;
import org.mailsync.internal.PairEntry;

/**
 * Issue 12.10: a journal may end in a torn record (a crash during an append), and only there;
 * damage anywhere else is an error naming the file and line, never silently cut.
 */
class JournalDamageTest {
    @TempDir
    Path dir;

    private static final FolderPair PAIR = new FolderPair(FolderPath.of("Archiv"), FolderPath.of("Archive"));

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

    private static JournalEntry.AppendIntent intent(long id, long... sources) {
        List<JournalEntry.IntentItem> items = new java.util.ArrayList<>();
        for (long s : sources) {
            items.add(new JournalEntry.IntentItem(MessageUid.of(s), "hkey-für-" + s, Flags.of(Flag.SEEN)));
        }
        return new JournalEntry.AppendIntent(id, Generation.of(42), MessageUid.of(100 + id), items);
    }

    private static JournalEntry.AppendDone done(long id, long source, long target) {
        return new JournalEntry.AppendDone(
                id, List.of(new PairEntry(MessageUid.of(source), MessageUid.of(target), Flags.of(Flag.SEEN))));
    }

    /** A journal of three records: intent 1 (lines 1-3), done 1 (lines 4-5), intent 2 (lines 6-7). */
    private Checkpoints threeRecords() throws Exception {
        Checkpoints store = files(dir);
        store.save(PAIR, FolderCheckpoint.empty());
        store.journal(PAIR, intent(1, 10, 11));
        store.journal(PAIR, done(1, 10, 500));
        store.journal(PAIR, intent(2, 12));
        return store;
    }

    private static void replaceLine(Path file, int number, byte[] replacement) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int line = 1;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                if (line == number) {
                    out.write(replacement);
                } else {
                    out.write(bytes, start, i - start);
                }
                out.write('\n');
                line++;
                start = i + 1;
            }
        }
        out.write(bytes, start, bytes.length - start);
        Files.write(file, out.toByteArray());
    }

    @Test
    void aCorruptLineInTheMiddleIsAnErrorNamingFileAndLine() throws Exception {
        Checkpoints store = threeRecords();
        Path journal = journalFile();
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent(2, 12));
        replaceLine(journal, 5, "p 10 five-hundred S".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining(journal.toString())
                .hasMessageContaining("line 5")
                .hasMessageContaining("move the journal away")
                .satisfies(
                        e -> assertThat(((CheckpointDamagedException) e).line()).isEqualTo(5));
    }

    @Test
    void aGarbageLineBetweenRecordsIsAnErrorToo() throws Exception {
        Checkpoints store = threeRecords();
        replaceLine(journalFile(), 4, "garbage".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining("line 4");
    }

    @Test
    void aRecordWithFewerLinesThanItAnnouncesBeforeTheEndIsAnError() throws Exception {
        Checkpoints store = threeRecords();
        // intent 1 announces 2 items; make it announce 3: line 4 ("done 1 1") is not an item.
        replaceLine(journalFile(), 1, "intent 1 42 101 3".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining("line 4");
    }

    @Test
    void aTornLastLineIsIgnoredAndCutOffBeforeTheNextAppend() throws Exception {
        Checkpoints store = threeRecords();
        Path journal = journalFile();
        long sound = Files.size(journal);
        // A crash inside the next append: the header and half an item line, no newline.
        Files.writeString(journal, "intent 3 42 103 2\nitem 13 hkey-fü", StandardOpenOption.APPEND);
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent(2, 12));
        store.journal(PAIR, intent(3, 13));
        assertThat(Files.size(journal)).isGreaterThan(sound);
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent(2, 12), intent(3, 13));
    }

    @Test
    void aLastRecordCutAfterACompleteLineIsTornTooAndTheNextAppendIsKept() throws Exception {
        Checkpoints store = threeRecords();
        Path journal = journalFile();
        Files.writeString(journal, "intent 3 42 103 3\nitem 13 hx S\n", StandardOpenOption.APPEND);
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent(2, 12));
        store.journal(PAIR, done(2, 12, 501));
        FolderCheckpoint loaded = store.load(PAIR).orElseThrow();
        assertThat(loaded.pending()).isEmpty();
        assertThat(loaded.pairs()).containsOnlyKeys(MessageUid.of(10), MessageUid.of(12));
    }

    @Test
    void aTornLastLineCutInsideAMultiByteCharacterIsTolerated() throws Exception {
        Checkpoints store = threeRecords();
        byte[] torn = "intent 3 42 103 1\nitem 13 hkey-f\u00fc".getBytes(StandardCharsets.UTF_8);
        // Drop the last byte: the ü is cut in half.
        Files.write(journalFile(), java.util.Arrays.copyOf(torn, torn.length - 1), StandardOpenOption.APPEND);
        assertThat(store.load(PAIR).orElseThrow().pending()).containsExactly(intent(2, 12));
    }

    @Test
    void invalidUtf8InACompleteLineIsAnErrorNamingTheLineNotInputLength1() throws Exception {
        Checkpoints store = threeRecords();
        replaceLine(journalFile(), 3, new byte[] {'i', 't', 'e', 'm', ' ', '1', '1', ' ', (byte) 0xC3});
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining("line 3")
                .hasMessageContaining("not UTF-8")
                .hasMessageNotContaining("Input length");
    }

    @Test
    void aGarbageJournalIsAnErrorNamingTheFile() throws Exception {
        Checkpoints store = files(dir);
        store.save(PAIR, FolderCheckpoint.empty());
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);
        Files.write(journalFile(), garbage);
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining(journalFile().toString())
                .hasMessageContaining("line 1");
        // Without a single newline it is no torn record either.
        byte[] noNewline = garbage.clone();
        for (int i = 0; i < noNewline.length; i++) {
            if (noNewline[i] == '\n') {
                noNewline[i] = 'x';
            }
        }
        Files.write(journalFile(), noNewline);
        assertThatThrownBy(() -> store.load(PAIR)).isInstanceOf(CheckpointDamagedException.class);
    }

    @Test
    void invalidUtf8InASnapshotNamesFileAndLine() throws Exception {
        Checkpoints store = files(dir);
        store.save(PAIR, FolderCheckpoint.empty());
        Path snapshot = snapshotFile();
        replaceLine(snapshot, 3, new byte[] {'s', 'o', 'u', 'r', 'c', 'e', ' ', (byte) 0xFF});
        assertThatThrownBy(() -> store.load(PAIR))
                .isInstanceOf(CheckpointDamagedException.class)
                .hasMessageContaining(snapshot.toString())
                .hasMessageContaining("line 3")
                .hasMessageContaining("move it away");
    }
}
