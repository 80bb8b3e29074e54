package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailsync.CheckpointBusyException;
import org.mailsync.CheckpointLostException;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointRecord;

class JdbcCheckpointStoreTest {
    private static PostgresServer pg;
    private static MailboxLeases leases;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        Schema.migrate(pg.dataSource());
        leases = MailboxLeases.over(pg.dataSource(), Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        leases.close();
        pg.close();
    }

    private static CheckpointRecord record(String key, String text) {
        return new CheckpointRecord(key, 1, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void sql(String statement) throws Exception {
        try (Connection c = pg.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    @Test
    void snapshotsReplaceWholeJournalsKeepTheirOrderAndASaveDropsTheJournal() throws Exception {
        Lease lease = leases.acquire("records@example.org", "worker-a").orElseThrow();
        JdbcCheckpointStore store = JdbcCheckpointStore.fencedBy(leases, lease);
        JdbcCheckpointStore other = JdbcCheckpointStore.fencedBy(leases, lease, "records@example.org/inbox-recent");
        assertThat(store.snapshot("INBOX")).isEmpty();
        assertThat(store.journal("INBOX")).isEmpty();

        store.save(record("INBOX", "snapshot 1\n"));
        for (int i = 1; i <= 3; i++) {
            store.append(record("INBOX", "entry " + i + "\n"));
        }
        store.append(record("Sent", "entry of another key\n"));
        other.append(record("INBOX", "entry of another store\n"));
        assertThat(store.snapshot("INBOX")).contains(record("INBOX", "snapshot 1\n"));
        assertThat(store.journal("INBOX"))
                .containsExactly(
                        record("INBOX", "entry 1\n"), record("INBOX", "entry 2\n"), record("INBOX", "entry 3\n"));

        store.save(record("INBOX", "snapshot 2\n"));
        assertThat(store.snapshot("INBOX")).contains(record("INBOX", "snapshot 2\n"));
        assertThat(store.journal("INBOX")).isEmpty();
        assertThat(store.journal("Sent")).containsExactly(record("Sent", "entry of another key\n"));
        assertThat(other.journal("INBOX")).containsExactly(record("INBOX", "entry of another store\n"));
        assertThat(other.snapshot("INBOX")).isEmpty();

        try (CheckpointLock lock = store.lock()) {
            assertThat(lock).isSameAs(CheckpointLock.NONE); // the caller holds the lease and releases it
        }
        store.deleteAll();
        assertThat(store.snapshot("INBOX")).isEmpty();
        assertThat(store.journal("Sent")).isEmpty();
        assertThat(other.journal("INBOX")).hasSize(1);
        leases.release(lease);
    }

    /** The database fence alone: the old holder's local deadline has time left, its epoch does not. */
    @Test
    void aHolderWhoseLeaseWasTakenOverWritesNothingEvenWithTimeLeftLocally() throws Exception {
        Lease a = leases.acquire("fenced@example.org", "worker-a").orElseThrow();
        JdbcCheckpointStore storeA = JdbcCheckpointStore.fencedBy(leases, a);
        storeA.save(record("INBOX", "snapshot by a\n"));
        storeA.append(record("INBOX", "entry by a\n"));

        // The lease ends in the database (an operator, or a database clock ahead of ours) and B takes it.
        sql("update mailsync_lease set expires_at = now() where mailbox = 'fenced@example.org'");
        Lease b = leases.acquire("fenced@example.org", "worker-b").orElseThrow();
        assertThat(a.remaining()).isGreaterThan(Duration.ofSeconds(20));

        assertThatThrownBy(() -> storeA.append(record("INBOX", "late entry by a\n")))
                .isInstanceOf(CheckpointLostException.class)
                .hasMessageContaining("taken over with epoch " + b.epoch() + " by worker-b");
        assertThatThrownBy(() -> storeA.save(record("INBOX", "late snapshot by a\n")))
                .isInstanceOf(CheckpointLostException.class);
        assertThatThrownBy(storeA::lock).isInstanceOf(CheckpointLostException.class);
        assertThat(a.locallyValid()).isFalse();

        JdbcCheckpointStore storeB = JdbcCheckpointStore.fencedBy(leases, b);
        assertThat(storeB.snapshot("INBOX")).contains(record("INBOX", "snapshot by a\n"));
        assertThat(storeB.journal("INBOX")).containsExactly(record("INBOX", "entry by a\n"));
        storeB.append(record("INBOX", "entry by b\n"));
        assertThat(storeB.journal("INBOX")).hasSize(2);
        leases.release(b);
    }

    /**
     * A write racing a takeover: the takeover's transaction has changed the lease row but not
     * committed. The write waits for it (the fence locks the row FOR SHARE) and then sees the new
     * epoch; a fence that only read the row would see the old, committed epoch and write.
     */
    @Test
    void aWriteRacingATakeoverWaitsForItAndThenWritesNothing() throws Exception {
        Lease a = leases.acquire("race@example.org", "worker-a").orElseThrow();
        JdbcCheckpointStore storeA = JdbcCheckpointStore.fencedBy(leases, a);
        try (Connection takeover = pg.dataSource().getConnection()) {
            takeover.setAutoCommit(false);
            try (Statement st = takeover.createStatement()) {
                st.executeUpdate("update mailsync_lease set epoch = epoch + 1, holder = 'worker-b',"
                        + " expires_at = now() + interval '30 seconds' where mailbox = 'race@example.org'");
            }
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
                try {
                    storeA.append(record("INBOX", "racing entry by a\n"));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            Thread.sleep(300);
            assertThat(write).isNotDone();
            takeover.commit();
            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(CheckpointLostException.class);
        }
        assertThat(storeA.journal("INBOX")).isEmpty();
    }

    @Test
    void aLeasingStoreTakesTheLeaseForARunAndASecondRunIsBusyUntilItEnds() throws Exception {
        JdbcCheckpointStore nodeA = JdbcCheckpointStore.leasing(leases, "leasing@example.org", "leasing/all", "node-a");
        JdbcCheckpointStore nodeB = JdbcCheckpointStore.leasing(leases, "leasing@example.org", "leasing/all", "node-b");
        assertThatThrownBy(() -> nodeA.append(record("INBOX", "before the lock\n")))
                .isInstanceOf(CheckpointLostException.class)
                .hasMessageContaining("no lease is held");
        CheckpointLock lockA = nodeA.lock();
        try {
            nodeA.append(record("INBOX", "entry by a\n"));
            assertThat(nodeA.lease()).isPresent();
            assertThatThrownBy(nodeB::lock)
                    .isInstanceOf(CheckpointBusyException.class)
                    .hasMessageContaining("node-a");
        } finally {
            lockA.close();
        }
        assertThat(nodeA.lease()).isEmpty();
        assertThatThrownBy(() -> nodeA.append(record("INBOX", "after the lock\n")))
                .isInstanceOf(CheckpointLostException.class);
        CheckpointLock lockB = nodeB.lock();
        try {
            assertThat(nodeB.lease().orElseThrow().epoch()).isEqualTo(2);
            assertThat(nodeB.journal("INBOX")).containsExactly(record("INBOX", "entry by a\n"));
            nodeB.save(record("INBOX", "snapshot by b\n"));
        } finally {
            lockB.close();
        }
        assertThat(leases.current("leasing@example.org").orElseThrow().held()).isFalse();
    }
}
