package org.mailsync.spi;

import java.io.IOException;
import java.util.Optional;
import org.mailsync.FolderPair;

/**
 * Where the engine keeps what it did, so that the next pass starts where this one ended and a
 * crash loses nothing. The file-based default is {@link org.mailsync.FileCheckpointStore}; a
 * vendor may keep checkpoints in its own database by implementing these three methods.
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
}
