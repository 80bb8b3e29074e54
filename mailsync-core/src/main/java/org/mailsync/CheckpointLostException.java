package org.mailsync;

import java.io.IOException;

/**
 * This run no longer owns the checkpoints it was writing: its hold on them (a lease in a shared
 * database) expired or was taken over by another run, typically because this process was paused
 * (a long GC, a frozen VM, {@code SIGSTOP}) past the lease. A store throws it instead of writing,
 * before the next append; the engine reports the account failed and stops at once, since every
 * further write would be refused too. Nothing is lost: the checkpoint holds what this run did, and
 * the run that owns it now goes on from there. Do not retry this run; let the current owner finish.
 *
 * <p>Immutable once thrown.
 */
public final class CheckpointLostException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String checkpoint;

    /**
     * @param checkpoint the checkpoint as the operator knows it (a mailbox and its lease epoch)
     * @param reason why the hold is gone ("the lease expired", "taken by epoch 4 of worker-2")
     */
    public CheckpointLostException(String checkpoint, String reason) {
        super("this run lost its hold on checkpoint " + checkpoint + " (" + reason
                + "); it stops before writing more: the run that holds it now goes on from the checkpoint");
        this.checkpoint = checkpoint;
    }

    /** The checkpoint that was lost. */
    public String checkpoint() {
        return checkpoint;
    }
}
