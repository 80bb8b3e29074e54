package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a folder says of itself without a listing (IMAP STATUS): its generation, the id its next
 * message will get, how many messages it holds and, where the store keeps them, the highest
 * modification sequence. When all four equal what the last pass recorded, nothing changed.
 *
 * <p>Immutable.
 */
public record FolderStatus(
        Generation generation, MessageUid nextUid, long messageCount, @Nullable ModSeq highestModSeq) {
    public FolderStatus {
        checkArgument(messageCount >= 0, "message count must not be negative, not %s", messageCount);
    }

    /** The highest modification sequence, where the store keeps one. */
    public Optional<ModSeq> optionalHighestModSeq() {
        return Optional.ofNullable(highestModSeq);
    }
}
