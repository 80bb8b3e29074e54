package org.mailsync.mbox;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Something wrong in an mbox file that the reader recovered from.
 *
 * @param offset where in the file, in bytes
 * @param messageOrdinal the message's position in the file, 1-based; 0 when outside any message
 * @param description what was found and what the reader did about it
 *     <p>Immutable.
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
