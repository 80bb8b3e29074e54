package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.migration.MigrationFixture.fill;
import static org.mailsync.migration.MigrationFixture.idle;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.migration.LoginResult.Outcome;

/** Pre-staging accounts in bulk with master credentials, the queue order, and the per-host cap. */
class BulkPrestageTest {
    @TempDir
    Path tmp;

    private MigrationFixture f;
    private final List<String> users = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        f = new MigrationFixture(tmp);
        for (int i = 1; i <= 6; i++) {
            String user = "user" + i + "@example.org";
            users.add(user);
            fill(f.legacy.addUser(user, "password-of-" + i), "user" + i, 3, 2, 1);
        }
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void bulkPrestageMigratesUsersWhoNeverLogInWithTheMasterLogin() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.withMaster()).maxConcurrentMigrations(3));

        assertThat(m.prestage(users)).isEqualTo(6);
        idle(m);

        for (String user : users) {
            AccountState state = m.state(user).orElseThrow();
            assertThat(state.status()).as(user).isEqualTo(MigrationStatus.SYNCED);
            assertThat(state.passwordSet()).as(user).isFalse();
            assertSameMessages(f.legacy.data(user), FolderPath.INBOX, f.local.stores.get(user), FolderPath.INBOX);
            assertSameMessages(
                    f.legacy.data(user), FolderPath.of("Sent"), f.local.stores.get(user), FolderPath.of("Sent"));
            assertThat(m.route(user)).isEqualTo(Route.local());
        }
        assertThat(f.legacy.opened).allMatch(login -> login.startsWith("master:"));
        assertThat(f.local.passwords).isEmpty();
        // Known accounts are not queued twice.
        assertThat(m.prestage(users)).isZero();
    }

    @Test
    void aPrestagedUsersFirstLoginChecksTheLegacyPasswordAndSetsIt() throws Exception {
        f.local.minPasswordLength = 8;
        AutoMigration m = f.start(f.builder().domain(f.withMaster()));
        m.prestage(List.of("user3@example.org"));
        idle(m);

        assertThat(m.onLogin("user3@example.org", "wrong-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.LEGACY_REFUSED);
        assertThat(f.local.passwords).isEmpty();
        assertThat(m.onLogin("user3@example.org", "password-of-3".toCharArray()).outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
        assertThat(f.local.passwords).containsEntry("user3@example.org", "password-of-3");
        idle(m);
        assertThat(m.state("user3@example.org").orElseThrow().passwordSet()).isTrue();
        assertThat(m.onLogin("user3@example.org", "password-of-3".toCharArray()).outcome())
                .isEqualTo(Outcome.ACCOUNT_EXISTS);
        assertThat(f.local.provisioned).containsExactly("user3@example.org");
    }

    @Test
    void aQueuedUserWhoLogsInJumpsTheQueue() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        f.local.prestageGate = gate;
        AutoMigration m = f.start(f.builder().domain(f.withMaster()).maxConcurrentMigrations(1));
        m.prestage(users.subList(0, 5));
        // user1 runs (held in provisioning); the others wait in order.
        assertThat(m.queued()).containsExactlyElementsOf(users.subList(1, 5));

        assertThat(m.onLogin("user4@example.org", "password-of-4".toCharArray()).outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);

        assertThat(m.queued())
                .containsExactly("user4@example.org", "user2@example.org", "user3@example.org", "user5@example.org");
        gate.countDown();
        idle(m);
        assertThat(f.passes.stream().filter(p -> p.endsWith(" all")).map(p -> p.split(" ")[0]))
                .containsExactly(
                        "user1@example.org",
                        "user4@example.org",
                        "user2@example.org",
                        "user3@example.org",
                        "user5@example.org");
        assertThat(m.state("user4@example.org").orElseThrow().passwordSet()).isTrue();
        assertThat(f.local.provisioned).containsOnlyOnce("user4@example.org");
    }

    @Test
    void migrationsLeaveOneLegacySessionFreeForLoginsUnderThePerHostCap() throws Exception {
        AutoMigration m = f.start(f.builder()
                .domain(f.domain()
                        .masterCredentials(MigrationFixture.MASTER, MigrationFixture.MASTER_PASSWORD)
                        .maxConnectionsPerHost(3)
                        .build())
                .maxConcurrentMigrations(6));
        CountDownLatch gate = new CountDownLatch(1);
        f.local.prestageGate = gate;

        m.prestage(users.subList(0, 5));

        // Two migrations hold sessions (3 minus one for logins); the rest wait for the host.
        assertThat(m.queued()).hasSize(3);
        assertThat(m.onLogin("user6@example.org", "password-of-6".toCharArray()).outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
        gate.countDown();
        idle(m);
        assertThat(f.legacy.maxSessions.get()).isEqualTo(3);
        for (String user : users) {
            assertThat(m.state(user).orElseThrow().status()).as(user).isEqualTo(MigrationStatus.SYNCED);
        }
    }

    @Test
    void prestagingNeedsMasterCredentialsAndAnEnabledDomain() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));

        assertThatThrownBy(() -> m.prestage(List.of("user1@example.org")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs master credentials for example.org");
        assertThatThrownBy(() -> m.prestage(List.of("someone@elsewhere.example")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not in an enabled domain");
        assertThat(m.states()).isEmpty();
    }

    @Test
    void aLoginWaitsForALegacySessionOnlyUntilItsTimeout() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        f.local.prestageGate = gate;
        AutoMigration m = f.start(f.builder()
                .domain(f.domain()
                        .masterCredentials(MigrationFixture.MASTER, MigrationFixture.MASTER_PASSWORD)
                        .maxConnectionsPerHost(1)
                        .build())
                .loginTimeout(Duration.ofMillis(200)));
        m.prestage(users.subList(0, 1));

        LoginResult result = m.onLogin("user6@example.org", "password-of-6".toCharArray());

        assertThat(result.outcome()).isEqualTo(Outcome.LEGACY_UNREACHABLE);
        assertThat(result.reason()).contains("all 1 sessions to imap://legacy.example.org:143 were busy");
        gate.countDown();
        idle(m);
        assertThat(m.onLogin("user6@example.org", "password-of-6".toCharArray()).outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
    }

    @Test
    void migrationsRunOnTheVendorsExecutorWhenGivenOne() throws Exception {
        ExecutorService vendor = Executors.newFixedThreadPool(2, r -> new Thread(r, "vendor-pool"));
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        f.local.hook = new org.mailsync.testing.InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) {
                if (op.equals("listFolders")) {
                    threads.add(Thread.currentThread().getName());
                }
            }
        };
        try {
            AutoMigration m =
                    f.start(f.builder().domain(f.withMaster()).executor(vendor).maxConcurrentMigrations(2));
            m.prestage(users);
            idle(m);
            assertThat(m.states()).allMatch(s -> s.status() == MigrationStatus.SYNCED);
            assertThat(threads).isNotEmpty().allMatch(name -> name.equals("vendor-pool"));
            m.close();
            assertThat(vendor.isShutdown()).isFalse();
        } finally {
            vendor.shutdownNow();
        }
    }
}
