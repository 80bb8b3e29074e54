package org.mailsync.cluster.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.mailsync.CheckpointLostException;
import org.mailsync.jdbc.JdbcCheckpointStore;
import org.mailsync.jdbc.Lease;
import org.mailsync.jdbc.MailboxLeases;
import org.mailsync.spi.CheckpointStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RunLease}s on mailsync-jdbc's {@link MailboxLeases}, one per account (the lease's
 * mailbox is the account id), with the account's {@link JdbcCheckpointStore} fenced by it.
 *
 * <p>Thread-safe.
 */
public final class JdbcRunLeases implements RunLease.Leasing, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JdbcRunLeases.class);

    private final MailboxLeases leases;

    public JdbcRunLeases(DataSource db, Duration length) {
        this.leases = MailboxLeases.over(db, length);
    }

    @Override
    public Optional<RunLease> tryAcquire(String account, String holder, Duration length) throws IOException {
        return leases.acquire(account, holder).map(Run::new);
    }

    @Override
    public void close() {
        leases.close();
    }

    private final class Run implements RunLease {
        private final Lease lease;

        Run(Lease lease) {
            this.lease = lease;
        }

        @Override
        public long epoch() {
            return lease.epoch();
        }

        @Override
        public boolean renew() throws IOException {
            try {
                leases.renew(lease);
                return true;
            } catch (CheckpointLostException e) {
                return false;
            }
        }

        @Override
        public boolean heldLocally() {
            return lease.locallyValid();
        }

        @Override
        public CheckpointStore checkpoints() {
            return JdbcCheckpointStore.fencedBy(leases, lease);
        }

        @Override
        public void close() {
            try {
                leases.release(lease);
            } catch (IOException e) {
                log.warn("cannot release {} (it expires by itself): {}", lease, e.getMessage());
            }
        }
    }
}
