package org.mailsync.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.mailsync.CheckpointDamagedException;
import org.mailsync.FolderPair;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

/**
 * The engine's view of a vendor's {@link CheckpointStore}: folder checkpoints and journal entries
 * in, records of bytes out, through the one {@link CheckpointCodec}. The store sees keys, format
 * versions and bytes only; the pair map and the append intents stay inside the engine.
 *
 * <p>Thread-safe if the store is (it holds nothing else).
 */
public final class Checkpoints {
    private final CheckpointStore store;

    private Checkpoints(CheckpointStore store) {
        this.store = store;
    }

    /** The engine's view of {@code store}. */
    public static Checkpoints over(CheckpointStore store) {
        return new Checkpoints(store);
    }

    /** The key the records of {@code pair} are kept under. */
    public static String key(FolderPair pair) {
        return CheckpointCodec.pairKey(pair);
    }

    /** The store underneath. */
    public CheckpointStore store() {
        return store;
    }

    /**
     * The pair's snapshot with every journal entry written since applied; empty if there is
     * neither. A torn last entry (a crash while it was appended) is left out.
     *
     * @throws CheckpointDamagedException if a record is damaged other than by a torn last entry;
     *     the message names where the store keeps it and the line
     */
    public Optional<FolderCheckpoint> load(FolderPair pair) throws IOException {
        String key = key(pair);
        Optional<CheckpointRecord> snapshot = store.snapshot(key);
        List<CheckpointRecord> journal = store.journal(key);
        if (snapshot.isEmpty() && journal.isEmpty()) {
            return Optional.empty();
        }
        FolderCheckpoint cp = FolderCheckpoint.empty();
        if (snapshot.isPresent()) {
            String where = "checkpoint " + store.describeSnapshot(key) + " of " + pair;
            cp = CheckpointCodec.decodeSnapshot(readable(snapshot.get(), key, where), where);
        }
        for (int i = 0; i < journal.size(); i++) {
            String where = "checkpoint " + store.describeJournal(key) + " of " + pair
                    + (journal.size() == 1 ? "" : " (entry " + (i + 1) + " of " + journal.size() + ")");
            byte[] data = readable(journal.get(i), key, where);
            CheckpointCodec.JournalRead read = CheckpointCodec.decodeJournal(data, cp, where);
            if (read.torn() && i < journal.size() - 1) {
                // Only an append that never returned can be cut short, and nothing follows it.
                throw new CheckpointDamagedException(
                        where, lineCount(data), "cut short, yet more entries follow", CheckpointCodec.JOURNAL_REMEDY);
            }
            cp = read.checkpoint();
        }
        return Optional.of(cp);
    }

    /**
     * What the skip test needs of the pair's checkpoint ({@link #load} gives the same head),
     * without decoding its pair map when there is no journal: the snapshot's first lines, and its
     * last (a snapshot cut short is damage here too). The pairs are decoded, and checked, by
     * {@link #load} when the folder is synced.
     *
     * @throws CheckpointDamagedException if what is read is damaged
     */
    public CheckpointHead loadHead(FolderPair pair) throws IOException {
        String key = key(pair);
        if (!store.journal(key).isEmpty()) {
            // A journal (a pass that did not end cleanly) is applied whole: rare, and it decides.
            return CheckpointHead.of(load(pair).orElse(FolderCheckpoint.empty()));
        }
        Optional<CheckpointRecord> snapshot = store.snapshot(key);
        if (snapshot.isEmpty()) {
            return CheckpointHead.of(FolderCheckpoint.empty());
        }
        String where = "checkpoint " + store.describeSnapshot(key) + " of " + pair;
        return CheckpointCodec.decodeSnapshotHead(readable(snapshot.get(), key, where), where);
    }

    /** Replaces the pair's snapshot and drops its journal (see {@link CheckpointStore#save}). */
    public void save(FolderPair pair, FolderCheckpoint checkpoint) throws IOException {
        store.save(new CheckpointRecord(
                key(pair),
                CheckpointCodec.FORMAT,
                CheckpointCodec.encodeSnapshot(pair, checkpoint).getBytes(StandardCharsets.UTF_8)));
    }

    /** Appends an entry to the pair's journal; durable when this returns. */
    public void journal(FolderPair pair, JournalEntry entry) throws IOException {
        store.append(new CheckpointRecord(
                key(pair),
                CheckpointCodec.FORMAT,
                CheckpointCodec.encodeJournal(entry).getBytes(StandardCharsets.UTF_8)));
    }

    /** The store's {@link CheckpointStore#lock() lock}. */
    public CheckpointLock lock() throws IOException, InterruptedException {
        return store.lock();
    }

    /** The bytes of a record the store gave back, after checking it is the one asked for. */
    private static byte[] readable(CheckpointRecord record, String key, String where) throws IOException {
        if (!record.key().equals(key)) {
            throw new IOException(where + ": the store gave back a record of another key (" + record.key()
                    + "); the checkpoint store mixes up folder pairs");
        }
        if (record.version() != CheckpointCodec.FORMAT) {
            throw new IOException(where + " is in checkpoint format " + record.version()
                    + ", and this mailsync reads format " + CheckpointCodec.FORMAT
                    + ": run the mailsync version that wrote it, or a newer one");
        }
        return record.data();
    }

    private static int lineCount(byte[] data) {
        int lines = 0;
        for (byte b : data) {
            if (b == '\n') {
                lines++;
            }
        }
        return Math.max(1, lines);
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
