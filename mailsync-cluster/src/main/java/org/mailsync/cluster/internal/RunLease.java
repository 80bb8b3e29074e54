package org.mailsync.cluster.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.mailsync.spi.CheckpointStore;

/**
 * A run's fenced lease on one account, and the checkpoints fenced by it: the seam between a pass
 * and mailsync-jdbc's leases. Thread-safe.
 */
public interface RunLease extends AutoCloseable {
    /** The lease's epoch: every write of the run is conditional on it. */
    long epoch();

    /** Extends the lease; false once it has moved on (the run must stop). */
    boolean renew() throws IOException;

    /** Whether the lease still holds by the local clock and was not lost: checked before each append. */
    boolean heldLocally();

    /** The account's checkpoints, every write of which is conditional on this lease. */
    CheckpointStore checkpoints() throws IOException;

    /** Gives the lease back (if still held). */
    @Override
    void close();

    /** Hands out leases. Thread-safe. */
    interface Leasing {
        /** The account's lease for {@code holder}, or empty while another holder's is unexpired. */
        Optional<RunLease> tryAcquire(String account, String holder, Duration length) throws IOException;
    }
}
