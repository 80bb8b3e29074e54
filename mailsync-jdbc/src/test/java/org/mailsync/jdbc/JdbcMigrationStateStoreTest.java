package org.mailsync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailsync.CheckpointBusyException;
import org.mailsync.CheckpointLostException;
import org.mailsync.jdbc.testing.PostgresServer;
import org.mailsync.migration.AccountState;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.CheckpointRecord;
import org.mailsync.spi.CheckpointStore;

class JdbcMigrationStateStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00.123456Z");

    private static PostgresServer pg;
    private static Database nodeA;
    private static Database nodeB;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresServer.start();
        Schema.migrate(pg.dataSource());
        nodeA = pg.newPool(4);
        nodeB = pg.newPool(4);
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    static AccountState state(String account, MigrationStatus status, long copied, Instant at) {
        boolean provisioned = status != MigrationStatus.NOT_STARTED && status != MigrationStatus.FAILED;
        return new AccountState(
                account,
                "example.org",
                account.substring(0, account.indexOf('@')),
                status,
                status == MigrationStatus.FAILED ? "legacy host refused: line 1\nline 2" : "",
                provisioned,
                provisioned,
                copied > 0,
                false,
                2,
                status == MigrationStatus.FAILED ? at.plusSeconds(60) : null,
                copied > 0 ? at : null,
                null,
                copied,
                at);
    }

    static AccountState withCopied(AccountState s, long copied) {
        return new AccountState(
                s.account(),
                s.domain(),
                s.legacyLogin(),
                s.status(),
                s.reason(),
                s.provisioned(),
                s.passwordSet(),
                s.recentPassDone(),
                s.queued(),
                s.attempts(),
                s.nextAttemptAt(),
                s.firstCopyAt(),
                s.lastPassAt(),
                copied,
                s.updatedAt());
    }

    @Test
    void statesComeBackAsSavedAndEachSaveRaisesTheVersion() throws Exception {
        JdbcMigrationStateStore store = JdbcMigrationStateStore.over(nodeA.dataSource());
        AccountState failed = state("round@example.org", MigrationStatus.FAILED, 0, T0);
        AccountState copying = state("round2@example.org", MigrationStatus.COPYING, 17, T0);
        store.save(failed);
        store.save(copying);
        assertThat(JdbcMigrationStateStore.over(nodeB.dataSource()).loadAll()).contains(failed, copying);
        store.save(withCopied(copying, 40));
        assertThat(store.load("round2@example.org").orElseThrow())
                .isEqualTo(new JdbcMigrationStateStore.Versioned(withCopied(copying, 40), 2));
    }

    @Test
    void countsByStatusAreForAStatusPage() throws Exception {
        String url = pg.createDatabase("counts");
        try (Database db = Database.connect(url, pg.user(), new char[0], 2)) {
            Schema.migrate(db.dataSource());
            JdbcMigrationStateStore store = JdbcMigrationStateStore.over(db.dataSource());
            store.save(state("c1@example.org", MigrationStatus.FAILED, 0, T0));
            store.save(state("c2@example.org", MigrationStatus.COPYING, 3, T0));
            store.save(state("c3@example.org", MigrationStatus.COPYING, 4, T0));
            assertThat(store.countByStatus())
                    .containsOnly(
                            java.util.Map.entry(MigrationStatus.FAILED, 1L),
                            java.util.Map.entry(MigrationStatus.COPYING, 2L));
        }
    }

    @Test
    void aSaveBasedOnAnOldVersionIsRefusedAndNothingIsOverwritten() throws Exception {
        JdbcMigrationStateStore a = JdbcMigrationStateStore.over(nodeA.dataSource());
        JdbcMigrationStateStore b = JdbcMigrationStateStore.over(nodeB.dataSource());
        AccountState first = state("stale@example.org", MigrationStatus.COPYING, 1, T0);
        a.save(first);
        b.loadAll();
        a.save(withCopied(first, 5));
        assertThatThrownBy(() -> b.save(withCopied(first, 3)))
                .isInstanceOf(StaleStateException.class)
                .hasMessageContaining("stale@example.org")
                .hasMessageContaining("version 2 in the database")
                .hasMessageContaining("based on version 1");
        // A node that never read the account cannot create it over an existing row either.
        JdbcMigrationStateStore c = JdbcMigrationStateStore.over(nodeB.dataSource());
        assertThatThrownBy(() -> c.save(first)).isInstanceOf(StaleStateException.class);
        assertThat(a.load("stale@example.org").orElseThrow().state().messagesCopied())
                .isEqualTo(5);

        b.load("stale@example.org");
        b.save(withCopied(first, 8));
        assertThat(a.load("stale@example.org").orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void concurrentUpdatersOnTwoNodesLoseNoUpdate() throws Exception {
        String account = "counter@example.org";
        AccountState fresh = state(account, MigrationStatus.COPYING, 0, T0);
        int perThread = 50;
        List<JdbcMigrationStateStore> stores = List.of(
                JdbcMigrationStateStore.over(nodeA.dataSource()),
                JdbcMigrationStateStore.over(nodeA.dataSource()),
                JdbcMigrationStateStore.over(nodeB.dataSource()),
                JdbcMigrationStateStore.over(nodeB.dataSource()));
        ExecutorService pool = Executors.newFixedThreadPool(stores.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (JdbcMigrationStateStore store : stores) {
                done.add(pool.submit((Callable<Void>) () -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        store.update(account, fresh, s -> withCopied(s, s.messagesCopied() + 1));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        JdbcMigrationStateStore.Versioned end = stores.get(0).load(account).orElseThrow();
        assertThat(end.state().messagesCopied()).isEqualTo((long) perThread * stores.size());
        assertThat(end.version()).isEqualTo((long) perThread * stores.size());
    }

    @Test
    void aJobsFencedSaveIsRefusedOnceItsLeaseMovedOn() throws Exception {
        MailboxLeases leases = MailboxLeases.over(nodeA.dataSource(), Duration.ofSeconds(30));
        JdbcMigrationStateStore store = JdbcMigrationStateStore.over(nodeA.dataSource());
        AccountState s = state("job@example.org", MigrationStatus.COPYING, 0, T0);
        Lease lease = leases.acquire("job@example.org", "node-a").orElseThrow();
        store.save(s, lease);
        store.save(withCopied(s, 10), lease);
        try (Connection c = nodeB.dataSource().getConnection();
                Statement st = c.createStatement()) {
            st.execute("update mailsync_lease set expires_at = now() where mailbox = 'job@example.org'");
        }
        assertThat(leases.acquire("job@example.org", "node-b")).isPresent();
        assertThatThrownBy(() -> store.save(withCopied(s, 20), lease))
                .isInstanceOf(CheckpointLostException.class)
                .hasMessageContaining("node-b");
        assertThat(store.load("job@example.org").orElseThrow())
                .isEqualTo(new JdbcMigrationStateStore.Versioned(withCopied(s, 10), 2));
    }

    @Test
    void migrationCheckpointsGiveEachAccountAndPassItsOwnStoreUnderTheAccountsLease() throws Exception {
        MailboxLeases leasesA = MailboxLeases.over(nodeA.dataSource(), Duration.ofSeconds(30));
        MailboxLeases leasesB = MailboxLeases.over(nodeB.dataSource(), Duration.ofSeconds(30));
        JdbcMigrationCheckpoints a = JdbcMigrationCheckpoints.leasing(leasesA, "node-a");
        JdbcMigrationCheckpoints b = JdbcMigrationCheckpoints.leasing(leasesB, "node-b");
        CheckpointStore recentA = a.forAccount("cp@example.org", "inbox-recent");
        CheckpointLock lock = recentA.lock();
        try {
            recentA.append(new CheckpointRecord("INBOX", 1, new byte[] {'x', '\n'}));
            assertThatThrownBy(() -> b.forAccount("cp@example.org", "all").lock())
                    .isInstanceOf(CheckpointBusyException.class)
                    .hasMessageContaining("node-a");
        } finally {
            lock.close();
        }
        CheckpointStore allB = b.forAccount("cp@example.org", "all");
        CheckpointLock lockB = allB.lock();
        try {
            assertThat(allB.journal("INBOX")).isEmpty();
            assertThat(b.forAccount("cp@example.org", "inbox-recent").journal("INBOX"))
                    .hasSize(1);
        } finally {
            lockB.close();
        }

        Lease held = leasesA.acquire("runner@example.org", "runner-a").orElseThrow();
        JdbcMigrationCheckpoints byRunner = JdbcMigrationCheckpoints.heldBy(
                leasesA,
                account -> account.equals("runner@example.org")
                        ? java.util.Optional.of(held)
                        : java.util.Optional.empty());
        CheckpointStore fenced = byRunner.forAccount("runner@example.org", "all");
        fenced.lock().close();
        fenced.append(new CheckpointRecord("INBOX", 1, new byte[] {'y', '\n'}));
        assertThatThrownBy(() -> byRunner.forAccount("other@example.org", "all"))
                .isInstanceOf(CheckpointLostException.class)
                .hasMessageContaining("holds no lease");
    }
}
