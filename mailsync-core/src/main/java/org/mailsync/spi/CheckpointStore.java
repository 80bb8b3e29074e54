package org.mailsync.spi;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.mailsync.CheckpointBusyException;

/**
 * Where the engine keeps what it did, so that the next pass starts where this one ended and a
 * crash loses nothing. The file-based default is {@link org.mailsync.FileCheckpointStore}; a
 * vendor may keep checkpoints in its own database by implementing these methods.
 *
 * <p>The store keeps {@link CheckpointRecord}s and never reads them: per key (one folder pair) a
 * snapshot, replaced whole, and a journal of entries appended between snapshots. What they mean
 * (the pair map, pending appends) is the engine's business and may change between versions
 * without changing this interface.
 *
 * <p>Implementations are thread-safe: the engine works on several folder pairs at once, but never
 * on the same key from two threads.
 */
public interface CheckpointStore {
    /** The snapshot last {@link #save saved} under {@code key}, if any. */
    Optional<CheckpointRecord> snapshot(String key) throws IOException;

    /**
     * The journal entries {@link #append appended} under {@code key} since its last snapshot was
     * saved, in the order they were appended; empty if none. A store may hand back several entries
     * joined into one record (the file store hands back its file), as long as the data are the
     * entries' bytes one after the other and their versions are the same.
     */
    List<CheckpointRecord> journal(String key) throws IOException;

    /**
     * Replaces the snapshot under {@code snapshot.key()} atomically (a crash leaves the old one or
     * the new one, never a mix) and then drops that key's journal. A journal left behind by a crash
     * between the two does no harm: the engine recognises entries the snapshot already holds.
     */
    void save(CheckpointRecord snapshot) throws IOException;

    /**
     * Appends an entry to the journal of {@code entry.key()}; it is durable (committed, on disk)
     * when this returns, because the engine appends mail right after it.
     */
    void append(CheckpointRecord entry) throws IOException;

    /**
     * Where the snapshot of {@code key} is kept, as the operator knows it (a file, a table row):
     * error messages about a damaged snapshot name it. The default names the key and this store.
     */
    default String describeSnapshot(String key) {
        return "snapshot " + key + " in " + this;
    }

    /** Where the journal of {@code key} is kept, as {@link #describeSnapshot} does for snapshots. */
    default String describeJournal(String key) {
        return "journal " + key + " in " + this;
    }

    /**
     * Makes the caller the only writer of these checkpoints until the returned lock is closed; the
     * engine takes it at the start of every pass (except a dry run) and holds it to the end. Two
     * writers on one checkpoint copy every message twice, so a store that can be shared between
     * runs (processes, threads, machines) must refuse a second one: a file store with an OS file
     * lock, a database store with a lease row (take it with an epoch; make every later {@link
     * #append} and {@link #save} conditional on that epoch, so a paused holder whose lease was
     * taken over fails instead of writing, with a {@link org.mailsync.CheckpointLostException}).
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
