package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How much mail a folder holds, for a size preflight: its messages, their bytes (IMAP {@code STATUS
 * SIZE}, RFC 8438, where offered; else the sum of the listed sizes), the largest message where it
 * is known, and how many messages are larger than the bound the caller asked about (an APPENDLIMIT;
 * 0 when none was asked).
 *
 * <p>Immutable.
 */
public record FolderSize(long messages, long bytes, @Nullable Long largest, long largerThanBound) {
    public FolderSize {
        checkArgument(messages >= 0, "messages must not be negative, not %s", messages);
        checkArgument(bytes >= 0, "bytes must not be negative, not %s", bytes);
        checkArgument(largest == null || largest >= 0, "largest must not be negative, not %s", largest);
        checkArgument(largerThanBound >= 0, "larger than bound must not be negative, not %s", largerThanBound);
    }

    /** The largest message's size in bytes, where the store told it. */
    public Optional<Long> optionalLargest() {
        return Optional.ofNullable(largest);
    }
}
