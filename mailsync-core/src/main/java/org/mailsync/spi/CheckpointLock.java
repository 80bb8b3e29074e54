package org.mailsync.spi;

import java.io.Closeable;
import java.io.IOException;

/**
 * A run's hold on a checkpoint, taken by {@link CheckpointStore#lock()}: while it is open no other
 * run (in this process or another) writes the same checkpoint. Closing it lets the next run in.
 *
 * <p>Thread-safe; closing twice does nothing more.
 */
public interface CheckpointLock extends Closeable {
    /** A lock that holds nothing: for stores that cannot be shared, or that check elsewhere. */
    CheckpointLock NONE = () -> {};

    /** Releases the checkpoint. */
    @Override
    void close() throws IOException;
}
