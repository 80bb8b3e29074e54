package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What a store can still take, as far as it says: its quota (storage used and allowed in bytes,
 * messages used and allowed; IMAP {@code GETQUOTAROOT}, RFC 9208) and the largest message it
 * accepts (IMAP {@code APPENDLIMIT}, RFC 7889). Each part is unknown unless the store said it; a
 * store that says nothing is {@link #UNKNOWN}, which a preflight reports as such, never as a fit.
 *
 * <p>Immutable.
 */
public record StoreCapacity(
        @Nullable Long storageUsed,
        @Nullable Long storageLimit,
        @Nullable Long messagesUsed,
        @Nullable Long messageLimit,
        @Nullable Long maxMessageSize) {
    /** Nothing known. */
    public static final StoreCapacity UNKNOWN = new StoreCapacity(null, null, null, null, null);

    public StoreCapacity {
        checkArgument(storageUsed == null || storageUsed >= 0, "storage used must not be negative");
        checkArgument(storageLimit == null || storageLimit >= 0, "storage limit must not be negative");
        checkArgument((storageUsed == null) == (storageLimit == null), "storage used and limit come together");
        checkArgument(messagesUsed == null || messagesUsed >= 0, "messages used must not be negative");
        checkArgument(messageLimit == null || messageLimit >= 0, "message limit must not be negative");
        checkArgument((messagesUsed == null) == (messageLimit == null), "messages used and limit come together");
        checkArgument(maxMessageSize == null || maxMessageSize > 0, "max message size must be positive");
    }

    /** This capacity with a storage quota: {@code used} of {@code limit} bytes. */
    public StoreCapacity withStorage(long used, long limit) {
        return new StoreCapacity(used, limit, messagesUsed, messageLimit, maxMessageSize);
    }

    /** This capacity with a message-count quota: {@code used} of {@code limit} messages. */
    public StoreCapacity withMessages(long used, long limit) {
        return new StoreCapacity(storageUsed, storageLimit, used, limit, maxMessageSize);
    }

    /** This capacity with the largest message accepted, in bytes. */
    public StoreCapacity withMaxMessageSize(long bytes) {
        return new StoreCapacity(storageUsed, storageLimit, messagesUsed, messageLimit, bytes);
    }

    /** Bytes that still fit under the storage quota (negative when over it), if there is one. */
    public OptionalLong freeBytes() {
        return storageLimit == null || storageUsed == null
                ? OptionalLong.empty()
                : OptionalLong.of(storageLimit - storageUsed);
    }

    /** Messages that still fit under the message quota (negative when over it), if there is one. */
    public OptionalLong freeMessages() {
        return messageLimit == null || messagesUsed == null
                ? OptionalLong.empty()
                : OptionalLong.of(messageLimit - messagesUsed);
    }

    /** The largest message accepted, if the store says. */
    public OptionalLong optionalMaxMessageSize() {
        return maxMessageSize == null ? OptionalLong.empty() : OptionalLong.of(maxMessageSize);
    }
}
