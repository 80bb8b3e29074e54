package org.mailsync.internal;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderStatus;
import org.mailsync.Generation;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;

/**
 * What a checkpoint remembers of one side of a folder pair: its status when the last pass ended.
 *
 * <p>Immutable.
 */
public record SideState(Generation generation, MessageUid nextUid, long messageCount, @Nullable ModSeq highestModSeq) {
    /** The state a folder status describes. */
    public static SideState of(FolderStatus status) {
        return new SideState(status.generation(), status.nextUid(), status.messageCount(), status.highestModSeq());
    }

    /** Whether {@code status} shows no change since this state was recorded. */
    public boolean unchanged(FolderStatus status) {
        return generation.equals(status.generation())
                && nextUid.equals(status.nextUid())
                && messageCount == status.messageCount()
                && java.util.Objects.equals(highestModSeq, status.highestModSeq());
    }

    public Optional<ModSeq> optionalHighestModSeq() {
        return Optional.ofNullable(highestModSeq);
    }
}
