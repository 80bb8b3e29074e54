package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The generation of a folder's ids: IMAP's UIDVALIDITY, or the store's own equivalent. When it
 * changes, every {@link MessageUid} recorded for the folder is void.
 *
 * <p>Immutable.
 */
public record Generation(long value) {
    public Generation {
        checkArgument(value > 0, "a folder generation must be positive, not %s", value);
    }

    public static Generation of(long value) {
        return new Generation(value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
