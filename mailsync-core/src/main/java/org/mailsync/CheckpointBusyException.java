package org.mailsync;

import java.io.IOException;

/**
 * Another run holds the checkpoints this run would write: two writers on one checkpoint would
 * copy every message twice. Wait for the other run to end (or ask the store to wait for it), then
 * start again. The message names the checkpoint and, where known, the holder's process id and
 * host.
 *
 * <p>Immutable once thrown.
 */
public final class CheckpointBusyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String checkpoint;
    private final String holder;

    /**
     * @param checkpoint the checkpoint as the operator knows it (a directory, a table row)
     * @param holder who holds it ("pid 4711 on host mx1"), or "unknown"
     */
    public CheckpointBusyException(String checkpoint, String holder) {
        super("checkpoint " + checkpoint + " is in use by another run (" + holder
                + "); only one run at a time may sync a mailbox pair: wait for it to end, then run again");
        this.checkpoint = checkpoint;
        this.holder = holder;
    }

    /** The checkpoint that is busy. */
    public String checkpoint() {
        return checkpoint;
    }

    /** Who holds it, as far as known. */
    public String holder() {
        return holder;
    }
}
