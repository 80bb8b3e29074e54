package org.mailsync.jdbc;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;
import org.mailsync.migration.spi.MigrationCheckpoints;
import org.mailsync.spi.CheckpointStore;

/**
 * Auto-migration's checkpoints in PostgreSQL: each account's passes get a {@link
 * JdbcCheckpointStore} named {@code account + "/" + pass}, fenced by the account's lease (the
 * lease's mailbox is the account name), so that two nodes sharing one database never run one
 * account's pass at once and a stalled node stops at its next write.
 *
 * <ul>
 *   <li>{@link #leasing}: each pass takes the account's lease when the engine locks its
 *       checkpoints and lets it go at the end; a node that finds it held gets a {@link
 *       org.mailsync.CheckpointBusyException} (auto-migration retries the account later).
 *   <li>{@link #heldBy}: a job runner took the lease before the job started; the stores are fenced
 *       by the lease it hands back for the account ({@code forAccount} fails when there is none).
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JdbcMigrationCheckpoints implements MigrationCheckpoints {
    private final MailboxLeases leases;
    private final String holder;
    private final Function<String, Optional<Lease>> heldLeases;

    private JdbcMigrationCheckpoints(
            MailboxLeases leases, String holder, Function<String, Optional<Lease>> heldLeases) {
        this.leases = leases;
        this.holder = holder;
        this.heldLeases = heldLeases;
    }

    /** Checkpoints whose passes take the account's lease as {@code holder} (this node's name). */
    public static JdbcMigrationCheckpoints leasing(MailboxLeases leases, String holder) {
        checkArgument(!holder.isBlank(), "holder must not be blank");
        return new JdbcMigrationCheckpoints(leases, holder, account -> Optional.empty());
    }

    /**
     * Checkpoints fenced by the leases a job runner holds: {@code leaseOf} gives this node's lease
     * of an account, or empty if it holds none (the pass then fails to lock, and writes nothing).
     */
    public static JdbcMigrationCheckpoints heldBy(MailboxLeases leases, Function<String, Optional<Lease>> leaseOf) {
        return new JdbcMigrationCheckpoints(leases, "", leaseOf);
    }

    @Override
    public CheckpointStore forAccount(String account, String pass) throws IOException {
        checkArgument(!account.isBlank(), "account must not be blank");
        checkArgument(!pass.isBlank(), "pass must not be blank");
        String name = account + "/" + pass;
        if (!holder.isEmpty()) {
            return JdbcCheckpointStore.leasing(leases, account, name, holder);
        }
        Optional<Lease> lease = heldLeases.apply(account);
        if (lease.isEmpty()) {
            throw new org.mailsync.CheckpointLostException(
                    "of account " + account, "this node holds no lease of it: its job runner must take one first");
        }
        return JdbcCheckpointStore.fencedBy(leases, lease.get(), name);
    }

    @Override
    public String toString() {
        return "JdbcMigrationCheckpoints[" + (holder.isEmpty() ? "leases held by the runner" : "leasing as " + holder)
                + "]";
    }
}
