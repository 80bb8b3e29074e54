package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The id of a message within one {@link Generation} of a folder: the IMAP UID, or the store's own
 * equivalent (a Maildir uidlist entry, an mbox position). Ids are positive and grow with each new
 * message, so "above the high-water mark" means "new".
 *
 * <p>Immutable.
 */
public record MessageUid(long value) implements Comparable<MessageUid> {
    /** The largest id IMAP allows (RFC 3501: a 32-bit unsigned number); stores may use all of long. */
    public static final long MAX_IMAP = 0xFFFF_FFFFL;

    public MessageUid {
        checkArgument(value > 0, "a message uid must be positive, not %s", value);
    }

    public static MessageUid of(long value) {
        return new MessageUid(value);
    }

    /** The next id after this one. */
    public MessageUid next() {
        return new MessageUid(value + 1);
    }

    @Override
    public int compareTo(MessageUid other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
