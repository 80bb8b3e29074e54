package org.mailsync;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.internal.DirectoryLock;
import org.mailsync.internal.DurableFiles;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.FolderCheckpoint;
import org.mailsync.spi.JournalEntry;

/**
 * Checkpoints as text files in one directory per sync: per folder pair a snapshot ({@code
 * .checkpoint}) written to a temp file, forced to disk and renamed over the old one, and a journal
 * ({@code .journal}) of append intents and results, each record forced to disk before the append
 * it announces. About 20 bytes per message. Files are 0600, a directory created here 0700.
 *
 * <p>One run at a time: {@link #lock()} takes an OS file lock on {@code mailsync.lock} in the
 * directory (released by the kernel if the holder dies, even by {@code kill -9}) and excludes the
 * other threads of this JVM too; a second run gets a {@link CheckpointBusyException} at once, or
 * after waiting as long as {@link #waitForLock} allows.
 *
 * <p>Thread-safe for different pairs; the engine never works on one pair from two threads.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private final Path directory;
    private final Duration lockWait;
    /** Journals read with a torn last record: the length to cut them back to before appending. */
    private final java.util.Map<FolderPair, Long> tornJournals = new java.util.concurrent.ConcurrentHashMap<>();

    private FileCheckpointStore(Path directory, Duration lockWait) {
        this.directory = directory;
        this.lockWait = lockWait;
    }

    /** A store in {@code directory}, created (0700) if missing; a busy lock fails at once. */
    public static FileCheckpointStore in(Path directory) throws IOException {
        DurableFiles.createPrivateDirectories(directory);
        return new FileCheckpointStore(directory, Duration.ZERO);
    }

    /**
     * This store, but {@link #lock()} waits up to {@code wait} for another run to let go before it
     * gives up with a {@link CheckpointBusyException}.
     */
    public FileCheckpointStore waitForLock(Duration wait) {
        com.google.common.base.Preconditions.checkArgument(
                !wait.isNegative(), "lock wait must not be negative, not %s", wait);
        return new FileCheckpointStore(directory, wait);
    }

    /**
     * Makes this run the only writer of the directory until the lock is closed.
     *
     * @throws CheckpointBusyException if another run (process or thread) still holds it after
     *     the {@link #waitForLock wait}; its message names the directory and the holder's pid and
     *     host
     */
    @Override
    public CheckpointLock lock() throws IOException, InterruptedException {
        return DirectoryLock.acquire(directory, lockWait);
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
        boolean hasSnapshot = Files.exists(snapshot, LinkOption.NOFOLLOW_LINKS);
        boolean hasJournal = Files.exists(journal, LinkOption.NOFOLLOW_LINKS);
        if (!hasSnapshot && !hasJournal) {
            return Optional.empty();
        }
        FolderCheckpoint cp = FolderCheckpoint.empty();
        if (hasSnapshot) {
            cp = CheckpointCodec.decodeSnapshot(DurableFiles.read(snapshot), describe(snapshot, pair));
        }
        if (hasJournal) {
            CheckpointCodec.JournalRead read =
                    CheckpointCodec.decodeJournal(DurableFiles.read(journal), cp, describe(journal, pair));
            cp = read.checkpoint();
            if (read.torn()) {
                // Cut off before the next append, or the torn record would end up mid-file.
                tornJournals.put(pair, read.soundLength());
            } else {
                tornJournals.remove(pair);
            }
        }
        return Optional.of(cp);
    }

    private static String describe(Path file, FolderPair pair) {
        return "checkpoint " + file + " of " + pair;
    }

    @Override
    public void save(FolderPair pair, FolderCheckpoint checkpoint) throws IOException {
        DurableFiles.replace(
                snapshotFile(pair),
                CheckpointCodec.encodeSnapshot(pair, checkpoint).getBytes(StandardCharsets.UTF_8));
        // The snapshot holds everything the journal said; journal intents already in it are
        // recognised by id, so a crash before this delete does no harm.
        Files.deleteIfExists(journalFile(pair));
        tornJournals.remove(pair);
    }

    @Override
    public void journal(FolderPair pair, JournalEntry entry) throws IOException {
        Long soundLength = tornJournals.remove(pair);
        if (soundLength != null) {
            DurableFiles.truncate(journalFile(pair), soundLength);
        }
        DurableFiles.append(
                journalFile(pair), CheckpointCodec.encodeJournal(entry).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "FileCheckpointStore[" + directory + "]";
    }
}
