package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a store tells about a message without reading it: its id, size in bytes (of the raw
 * message as {@link org.mailsync.spi.MailFolder#read} returns it), flags, internal date (to the
 * second; the date the message arrived, not its {@code Date:} header) and, where the store keeps
 * them, its modification sequence.
 *
 * <p>Immutable.
 */
public record MessageInfo(MessageUid uid, long size, Flags flags, Instant internalDate, @Nullable ModSeq modSeq) {
    public MessageInfo {
        checkArgument(size >= 0, "message %s: size must not be negative, not %s", uid, size);
    }

    public static MessageInfo of(MessageUid uid, long size, Flags flags, Instant internalDate) {
        return new MessageInfo(uid, size, flags, internalDate, null);
    }

    /** The modification sequence, where the store keeps one. */
    public Optional<ModSeq> optionalModSeq() {
        return Optional.ofNullable(modSeq);
    }

    /** This message with other flags. */
    public MessageInfo withFlags(Flags newFlags) {
        return new MessageInfo(uid, size, newFlags, internalDate, modSeq);
    }
}
