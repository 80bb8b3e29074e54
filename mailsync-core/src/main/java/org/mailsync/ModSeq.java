package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A modification sequence (RFC 7162 CONDSTORE): every change to a message raises it, so "changed
 * since N" is one question to the store.
 *
 * <p>Immutable.
 */
public record ModSeq(long value) implements Comparable<ModSeq> {
    public ModSeq {
        checkArgument(value >= 0, "a modseq must not be negative, not %s", value);
    }

    public static ModSeq of(long value) {
        return new ModSeq(value);
    }

    @Override
    public int compareTo(ModSeq other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
