package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mailsync.internal.CheckpointCodec;
import org.mailsync.internal.DirectoryLock;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;
import org.mailsync.spi.support.DurableFiles;

/**
 * Checkpoints as text files in one directory per sync: per folder pair a snapshot ({@code
 * .checkpoint}) written to a temp file of a unique name, forced to disk and renamed over the old
 * one, and a journal ({@code .journal}) of append intents and results, each entry forced to disk
 * before the append it announces. About 20 bytes per message. Files are 0600, a directory created
 * here 0700. A file's name is a hash of its pair's key.
 *
 * <p>The files hold the records' data as they are, in checkpoint format 1 (a snapshot names its
 * format in its first line), the format of every earlier version's files; records of another
 * format are refused. A crash while an entry is appended leaves it torn at the end of the journal:
 * the journal is read as that format to find where its whole entries end, and the torn rest is
 * cut off before the next append.
 *
 * <p>One run at a time: {@link #lock()} takes an OS file lock on {@code mailsync.lock} in the
 * directory (released by the kernel if the holder dies, even by {@code kill -9}) and excludes the
 * other threads of this JVM too; a second run gets a {@link CheckpointBusyException} at once, or
 * after waiting as long as {@link #waitForLock} allows.
 *
 * <p>Thread-safe for different keys; the engine never works on one key from two threads.
 */
public final class FileCheckpointStore implements CheckpointStore {
    private final Path directory;
    private final Duration lockWait;
    /** Journals read with a torn last entry: the length to cut them back to before appending. */
    private final Map<String, Long> tornJournals = new ConcurrentHashMap<>();

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
        checkArgument(!wait.isNegative(), "lock wait must not be negative, not %s", wait);
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

    private String baseName(String key) {
        return Hashing.sha256()
                .hashString(key, StandardCharsets.UTF_8)
                .toString()
                .substring(0, 24);
    }

    Path snapshotFile(String key) {
        return directory.resolve(baseName(key) + ".checkpoint");
    }

    Path journalFile(String key) {
        return directory.resolve(baseName(key) + ".journal");
    }

    @Override
    public Optional<CheckpointRecord> snapshot(String key) throws IOException {
        Path file = snapshotFile(key);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(new CheckpointRecord(key, CheckpointCodec.FORMAT, DurableFiles.read(file)));
    }

    /** The whole journal file as one record (empty if there is none), torn end included. */
    @Override
    public List<CheckpointRecord> journal(String key) throws IOException {
        Path file = journalFile(key);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            tornJournals.remove(key);
            return List.of();
        }
        byte[] bytes = DurableFiles.read(file);
        long sound = CheckpointCodec.soundLength(bytes);
        if (sound < bytes.length) {
            // Cut off before the next append, or the torn entry would end up mid-file.
            tornJournals.put(key, sound);
        } else {
            tornJournals.remove(key);
        }
        return bytes.length == 0 ? List.of() : List.of(new CheckpointRecord(key, CheckpointCodec.FORMAT, bytes));
    }

    @Override
    public void save(CheckpointRecord snapshot) throws IOException {
        checkFormat(snapshot);
        DurableFiles.replace(snapshotFile(snapshot.key()), snapshot.data());
        // The snapshot holds everything the journal said; journal intents already in it are
        // recognised by id, so a crash before this delete does no harm.
        Files.deleteIfExists(journalFile(snapshot.key()));
        tornJournals.remove(snapshot.key());
    }

    @Override
    public void append(CheckpointRecord entry) throws IOException {
        checkFormat(entry);
        Long soundLength = tornJournals.remove(entry.key());
        if (soundLength != null) {
            DurableFiles.truncate(journalFile(entry.key()), soundLength);
        }
        DurableFiles.append(journalFile(entry.key()), entry.data());
    }

    private static void checkFormat(CheckpointRecord record) {
        checkArgument(
                record.version() == CheckpointCodec.FORMAT,
                "a file checkpoint store keeps format %s only, not %s",
                CheckpointCodec.FORMAT,
                record.version());
    }

    /** The snapshot file's path. */
    @Override
    public String describeSnapshot(String key) {
        return snapshotFile(key).toString();
    }

    /** The journal file's path. */
    @Override
    public String describeJournal(String key) {
        return journalFile(key).toString();
    }

    @Override
    public String toString() {
        return "FileCheckpointStore[" + directory + "]";
    }
}
