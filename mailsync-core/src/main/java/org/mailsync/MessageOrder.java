package org.mailsync;

/**
 * In which order a folder's new messages reach the target, which decides the order of their target
 * ids (IMAP UIDs): clients that sort by arrival (UID) rather than by date show that order.
 */
public enum MessageOrder {
    /**
     * Target ids follow source ids: one folder is appended over one connection, batch after batch.
     * The largest folder then bounds the time of a full copy.
     */
    SOURCE,
    /**
     * As fast as the stores allow: a large folder is cut into contiguous slices of its source ids,
     * each appended in order over a connection of its own (where the target tells the new ids: IMAP
     * UIDPLUS). Within a slice target ids
     * follow source ids; across slices they interleave. The default.
     */
    FASTEST
}
