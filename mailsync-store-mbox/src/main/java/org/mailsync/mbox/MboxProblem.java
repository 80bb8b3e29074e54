package org.mailsync.mbox;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Something wrong in an mbox file that the reader recovered from: where (byte offset in the file,
 * and the message's ordinal, 1-based, or 0 when outside any message) and what it did about it.
 *
 * <p>Immutable.
 */
public record MboxProblem(long offset, long messageOrdinal, String description) {
    public MboxProblem {
        checkArgument(offset >= 0, "offset must not be negative, not %s", offset);
        checkArgument(messageOrdinal >= 0, "ordinal must not be negative, not %s", messageOrdinal);
    }

    @Override
    public String toString() {
        return "offset " + offset + (messageOrdinal > 0 ? " (message " + messageOrdinal + ")" : "") + ": "
                + description;
    }
}
