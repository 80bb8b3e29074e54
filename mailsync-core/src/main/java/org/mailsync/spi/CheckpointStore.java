package org.mailsync.spi;

import java.io.IOException;
import java.util.Optional;
import org.mailsync.CheckpointBusyException;
import org.mailsync.FolderPair;

/**
 * Where the engine keeps what it did, so that the next pass starts where this one ended and a
 * crash loses nothing. The file-based default is {@link org.mailsync.FileCheckpointStore}; a
 * vendor may keep checkpoints in its own database by implementing these methods.
 *
 * <p>Implementations are thread-safe: the engine works on several folder pairs at once, but never
 * on the same pair from two threads.
 */
public interface CheckpointStore {
    /** The snapshot of a pair with every journal entry written since applied; empty if none. */
    Optional<FolderCheckpoint> load(FolderPair pair) throws IOException;

    /**
     * Replaces the pair's snapshot atomically (a crash leaves the old one or the new one, never a
     * mix) and drops its journal.
     */
    void save(FolderPair pair, FolderCheckpoint checkpoint) throws IOException;

    /** Appends an entry to the pair's journal; it is durable (on disk) when this returns. */
    void journal(FolderPair pair, JournalEntry entry) throws IOException;

    /**
     * Makes the caller the only writer of these checkpoints until the returned lock is closed; the
     * engine takes it at the start of every pass (except a dry run) and holds it to the end. Two
     * writers on one checkpoint copy every message twice, so a store that can be shared between
     * runs (processes, threads, machines) must refuse a second one: a file store with an OS file
     * lock, a database store with a lease row (take it with an epoch; make every later {@link
     * #journal} and {@link #save} conditional on that epoch, so a paused holder whose lease was
     * taken over fails instead of writing).
     *
     * <p>The default holds nothing: right only for a store that one run alone can reach.
     *
     * @throws CheckpointBusyException if another run holds it (after the wait the store was
     *     configured with, if any)
     */
    default CheckpointLock lock() throws IOException, InterruptedException {
        return CheckpointLock.NONE;
    }
}
