package org.mailsync;

/**
 * How flag changes propagate.
 *
 * <p>Immutable.
 */
public enum FlagPolicy {
    /**
     * The default: flags that changed on the source since the last pass change on the target;
     * flags changed only on the target (a user read a message there) stay.
     */
    SOURCE_CHANGES,
    /** The target's flags are set to the source's on every message that differs. */
    MIRROR
}
