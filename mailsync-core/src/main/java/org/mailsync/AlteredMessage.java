package org.mailsync;

import org.jspecify.annotations.Nullable;

/**
 * A message the target stored other than it was sent: the server rewrote it (Cyrus turns 8-bit
 * header bytes into {@code X}; Courier adds a missing final CRLF). It is on the target once, paired
 * with its source, but not byte for byte.
 *
 * @param source the message's id in the source folder
 * @param target its id in the target folder, where known
 * @param sentBytes the size sent
 * @param storedBytes the size the target stored, or -1 where the target did not say
 *     <p>Immutable.
 */
public record AlteredMessage(MessageUid source, @Nullable MessageUid target, long sentBytes, long storedBytes) {
    @Override
    public String toString() {
        return "source " + source + (target == null ? "" : " -> target " + target) + ": stored altered by the server"
                + " (sent " + sentBytes + " bytes" + (storedBytes < 0 ? "" : ", stored " + storedBytes) + ")";
    }
}
