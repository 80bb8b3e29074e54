package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed array of locks, one picked by a key's hash: as many locks for a million accounts as for
 * ten, where a map of a lock per account only ever grew. Two keys may share a lock and then wait
 * for each other, never deadlock as long as no code holds two locks of one array.
 *
 * <p>Thread-safe (the array never changes).
 */
final class StripedLocks {
    private final ReentrantLock[] locks;

    /** {@code stripes} locks, a power of two. */
    StripedLocks(int stripes) {
        checkArgument(stripes > 0 && Integer.bitCount(stripes) == 1, "stripes must be a power of two, not %s", stripes);
        locks = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The lock of {@code key}'s stripe: always the same one for equal keys. */
    ReentrantLock lockFor(String key) {
        int h = key.hashCode();
        // Spread the high bits into the low ones, which pick the stripe (as HashMap does).
        return locks[(h ^ (h >>> 16)) & (locks.length - 1)];
    }

    /** How many locks there are, whatever the number of keys. */
    int size() {
        return locks.length;
    }
}
