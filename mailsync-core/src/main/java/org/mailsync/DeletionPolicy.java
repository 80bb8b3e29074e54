package org.mailsync;

/**
 * Whether messages gone from the source are removed from the target.
 *
 * <p>Immutable.
 */
public enum DeletionPolicy {
    /** The default: the target keeps everything it got. */
    KEEP,
    /**
     * Messages that this sync put on the target and that the source no longer has are removed
     * from the target (never messages it did not put there, never in a pass after a generation
     * change).
     */
    MIRROR
}
