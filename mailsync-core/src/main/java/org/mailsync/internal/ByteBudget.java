package org.mailsync.internal;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * A cap on the bytes of message content held at once across all folders of a run, so memory
 * stays bounded however many folders run in parallel. A request larger than the whole budget is
 * granted the whole budget (it waits until nothing else is held).
 *
 * <p>Thread-safe.
 */
public final class ByteBudget {
    private final long capacity;
    private long available;

    public ByteBudget(long capacity) {
        checkArgument(capacity > 0, "byte budget must be positive, not %s", capacity);
        this.capacity = capacity;
        this.available = capacity;
    }

    /** Waits until {@code bytes} (at most the capacity) are free and takes them; returns what it took. */
    public synchronized long acquire(long bytes) throws InterruptedException {
        long want = Math.min(Math.max(bytes, 1), capacity);
        while (available < want) {
            wait();
        }
        available -= want;
        return want;
    }

    /** Gives back what {@link #acquire} returned. */
    public synchronized void release(long taken) {
        available += taken;
        notifyAll();
    }

    /** How many bytes are held now. */
    public synchronized long inUse() {
        return capacity - available;
    }
}
