package org.mailsync;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.FolderCheckpoint;
import org.mailsync.spi.JournalEntry;

/**
 * Checkpoints as text files in one directory per sync: per folder pair a snapshot ({@code
 * .checkpoint}) written to a temp file, forced to disk and renamed over the old one, and a journal
 * ({@code .journal}) of append intents and results, each record forced to disk before the append
 * it announces. About 20 bytes per message.
 *
 * <p>Thread-safe for different pairs; the engine never works on one pair from two threads.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private final Path directory;

    private FileCheckpointStore(Path directory) {
        this.directory = directory;
    }

    /** A store in {@code directory}, created if missing. */
    public static FileCheckpointStore in(Path directory) throws IOException {
        Files.createDirectories(directory);
        return new FileCheckpointStore(directory);
    }

    /** The directory holding the files. */
    public Path directory() {
        return directory;
    }

    private String baseName(FolderPair pair) {
        return Hashing.sha256()
                .hashString(CheckpointCodec.pairKey(pair), StandardCharsets.UTF_8)
                .toString()
                .substring(0, 24);
    }

    Path snapshotFile(FolderPair pair) {
        return directory.resolve(baseName(pair) + ".checkpoint");
    }

    Path journalFile(FolderPair pair) {
        return directory.resolve(baseName(pair) + ".journal");
    }

    @Override
    public Optional<FolderCheckpoint> load(FolderPair pair) throws IOException {
        Path snapshot = snapshotFile(pair);
        Path journal = journalFile(pair);
        if (!Files.exists(snapshot) && !Files.exists(journal)) {
            return Optional.empty();
        }
        FolderCheckpoint cp = FolderCheckpoint.empty();
        if (Files.exists(snapshot)) {
            try {
                cp = CheckpointCodec.decode(Files.readString(snapshot, StandardCharsets.UTF_8), cp, false);
            } catch (IOException e) {
                throw new IOException(
                        "checkpoint " + snapshot + " for " + pair + " is damaged: " + e.getMessage()
                                + "; move it away to start this folder afresh (identity matching then prevents duplicates)",
                        e);
            }
        }
        if (Files.exists(journal)) {
            cp = CheckpointCodec.decode(Files.readString(journal, StandardCharsets.UTF_8), cp, true);
        }
        return Optional.of(cp);
    }

    @Override
    public void save(FolderPair pair, FolderCheckpoint checkpoint) throws IOException {
        Path target = snapshotFile(pair);
        Path tmp = directory.resolve(target.getFileName() + ".tmp");
        byte[] bytes = CheckpointCodec.encodeSnapshot(pair, checkpoint).getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory();
        // The snapshot holds everything the journal said; journal intents already in it are
        // recognised by id, so a crash before this delete does no harm.
        Files.deleteIfExists(journalFile(pair));
    }

    @Override
    public void journal(FolderPair pair, JournalEntry entry) throws IOException {
        byte[] bytes = CheckpointCodec.encodeJournal(entry).getBytes(StandardCharsets.UTF_8);
        Path journal = journalFile(pair);
        boolean created = !Files.exists(journal);
        try (FileChannel ch = FileChannel.open(
                journal, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        if (created) {
            forceDirectory();
        }
    }

    private void forceDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for fsync; the rename is still atomic.
        }
    }

    @Override
    public String toString() {
        return "FileCheckpointStore[" + directory + "]";
    }
}
