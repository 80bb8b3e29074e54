package org.mailsync.jdbc;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.mailsync.CheckpointLostException;
import org.mailsync.spi.CheckpointRecord;

/**
 * A child JVM for {@link StoppedHolderTest}: takes a mailbox's lease, keeps it renewed and appends a
 * checkpoint journal entry every 50 ms until a write is refused. Prints {@code HELD <epoch>},
 * {@code WRITING} after its third entry, then {@code LOST <message>} and exits 3 when the lease is lost (4 on any other failure).
 * Arguments: JDBC URL, user, mailbox, lease length in milliseconds.
 */
public final class LeaseHolderProcess {
    private LeaseHolderProcess() {}

    public static void main(String[] args) {
        try (Database db = Database.connect(args[0], args[1], new char[0], 2);
                MailboxLeases leases =
                        MailboxLeases.over(db.dataSource(), Duration.ofMillis(Long.parseLong(args[3])))) {
            Lease lease = leases.acquire(
                            args[2], "child-" + ProcessHandle.current().pid())
                    .orElseThrow(() -> new IllegalStateException("the mailbox is held"));
            leases.keepRenewed(lease);
            JdbcCheckpointStore store = JdbcCheckpointStore.fencedBy(leases, lease);
            System.out.println("HELD " + lease.epoch());
            System.out.flush();
            for (int i = 0; ; i++) {
                try {
                    store.append(
                            new CheckpointRecord("INBOX", 1, ("entry " + i + "\n").getBytes(StandardCharsets.UTF_8)));
                    if (i == 2) {
                        System.out.println("WRITING");
                        System.out.flush();
                    }
                } catch (CheckpointLostException e) {
                    System.out.println("LOST " + e.getMessage());
                    System.out.flush();
                    System.exit(3);
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            System.out.println("ERROR " + e);
            System.out.flush();
            System.exit(4);
        }
    }
}
