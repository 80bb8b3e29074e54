package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.migration.MigrationFixture.LEGACY;
import static org.mailsync.migration.MigrationFixture.fill;
import static org.mailsync.migration.MigrationFixture.idle;
import static org.mailsync.migration.MigrationFixture.put;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;
import static org.mailsync.testing.MailboxAssertions.snapshot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.LoginResult.Outcome;
import org.mailsync.testing.InstrumentedStore;
import org.mailsync.testing.MailboxAssertions.Snapshot;

/** A user's first login to the new server: the legacy password check, provisioning, the copy, routing, delta passes. */
class FirstLoginTest {
    @TempDir
    Path tmp;

    private MigrationFixture f;
    private InMemoryStore aliceLegacy;

    @BeforeEach
    void setUp() throws Exception {
        f = new MigrationFixture(tmp);
        aliceLegacy = f.legacy.addUser("alice@example.org", "alice-password");
        fill(aliceLegacy, "alice", 3, 2, 2);
        fill(f.legacy.addUser("bob@example.org", "bob-password"), "bob", 1, 1, 0);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void firstLoginProvisionsWithThePasswordAndCopiesInboxRecentMailFirstThenEverything() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));

        LoginResult result = m.onLogin("alice@example.org", "alice-password".toCharArray());

        assertThat(result.outcome()).isEqualTo(Outcome.MIGRATION_STARTED);
        assertThat(f.local.passwords).containsEntry("alice@example.org", "alice-password");
        idle(m);
        InMemoryStore alice = f.local.stores.get("alice@example.org");
        assertSameMessages(aliceLegacy, FolderPath.INBOX, alice, FolderPath.INBOX);
        assertSameMessages(aliceLegacy, FolderPath.of("Sent"), alice, FolderPath.of("Sent"));
        // The recent INBOX messages went in first: they hold the lowest ids of the local INBOX.
        List<Snapshot> inbox = snapshot(alice, FolderPath.INBOX);
        assertThat(inbox.subList(0, 2)).allMatch(s -> s.bytes().contains("Subject: alice recent"));
        assertThat(inbox.subList(2, 5)).allMatch(s -> s.bytes().contains("Subject: alice old"));
        assertThat(f.passes).containsExactly("alice@example.org inbox-recent", "alice@example.org all");
        assertThat(f.reports.get("alice@example.org inbox-recent").get(0).copied())
                .isEqualTo(2);
        assertThat(f.reports.get("alice@example.org all").get(0).copied()).isEqualTo(5);
        assertThat(f.reports.get("alice@example.org all").get(0).alreadyPresent())
                .isEqualTo(2);
        AccountState state = m.state("alice@example.org").orElseThrow();
        assertThat(state.status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(state.messagesCopied()).isEqualTo(7);
        assertThat(f.events)
                .containsExactly(
                        "alice@example.org PROVISIONED", "alice@example.org COPYING", "alice@example.org SYNCED");
        assertThat(f.local.stores).doesNotContainKey("bob@example.org");
    }

    @Test
    void aLaterLoginFindsTheAccountAndTouchesNothing() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));
        m.onLogin("alice@example.org", "alice-password".toCharArray());
        idle(m);
        int opens = f.legacy.opened.size();

        LoginResult again = m.onLogin("Alice@EXAMPLE.org", "alice-password".toCharArray());

        assertThat(again.outcome()).isEqualTo(Outcome.ACCOUNT_EXISTS);
        assertThat(f.legacy.opened).hasSize(opens);
        assertThat(f.local.provisioned).containsExactly("alice@example.org");
    }

    @Test
    void aWrongPasswordIsRefusedAndNothingIsCreated() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));

        LoginResult result = m.onLogin("alice@example.org", "guess".toCharArray());

        assertThat(result.outcome()).isEqualTo(Outcome.LEGACY_REFUSED);
        assertThat(result.reason()).doesNotContain("guess");
        assertThat(f.local.stores).isEmpty();
        assertThat(m.state("alice@example.org")).isEmpty();
        assertThat(m.route("alice@example.org")).isEqualTo(Route.relay(LEGACY));
        assertThat(tmp.resolve("state")).isEmptyDirectory();
    }

    @Test
    void aProvisionerThatRejectsWeakPasswordsSaysWhyAndNothingIsMigrated() throws Exception {
        f.local.minPasswordLength = 16;
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));

        LoginResult result = m.onLogin("alice@example.org", "alice-password".toCharArray());

        assertThat(result.outcome()).isEqualTo(Outcome.PROVISIONING_REFUSED);
        assertThat(result.reason()).isEqualTo("the password must have at least 16 characters");
        idle(m);
        assertThat(f.local.stores).isEmpty();
        AccountState refused = m.state("alice@example.org").orElseThrow();
        assertThat(refused.status()).isEqualTo(MigrationStatus.NOT_STARTED);
        assertThat(refused.provisioned()).isFalse();
        assertThat(refused.reason()).contains("at least 16 characters");
        assertThat(m.route("alice@example.org").deliverLocally()).isFalse();

        // The user chooses a longer password on the legacy side (or the vendor relaxes the policy).
        f.local.minPasswordLength = 8;
        assertThat(m.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
    }

    @Test
    void anUnreachableLegacyServerIsReportedAndNothingIsCreated() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));
        f.legacy.unreachable = true;

        LoginResult result = m.onLogin("alice@example.org", "alice-password".toCharArray());

        assertThat(result.outcome()).isEqualTo(Outcome.LEGACY_UNREACHABLE);
        assertThat(result.reason()).contains("connection refused");
        assertThat(f.local.stores).isEmpty();
    }

    @Test
    void aLegacyServerThatDoesNotAnswerTimesOutWithinTheLoginTimeout() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()).loginTimeout(Duration.ofMillis(300)));
        CountDownLatch gate = new CountDownLatch(1);
        f.legacy.gate = gate;

        long start = System.nanoTime();
        LoginResult result = m.onLogin("alice@example.org", "alice-password".toCharArray());
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(result.outcome()).isEqualTo(Outcome.LEGACY_UNREACHABLE);
        assertThat(result.reason()).contains("did not answer within 300 ms");
        assertThat(tookMs).isLessThan(1500);
        gate.countDown();
        assertThat(f.local.stores).isEmpty();
    }

    @Test
    void aDomainThatIsNotMigratingIsLeftAlone() throws Exception {
        AutoMigration m = f.start(f.builder()
                .domain(f.domain().build())
                .domain(DomainSettings.forDomain("paused.example")
                        .legacy(LEGACY)
                        .enabled(false)
                        .build()));

        assertThat(m.onLogin("carol@other.example", "x".toCharArray()).outcome())
                .isEqualTo(Outcome.NOT_MIGRATING);
        assertThat(m.onLogin("dave@paused.example", "x".toCharArray()).outcome())
                .isEqualTo(Outcome.NOT_MIGRATING);
        assertThat(m.onLogin("no-domain", "x".toCharArray()).outcome()).isEqualTo(Outcome.NOT_MIGRATING);
        assertThat(m.route("carol@other.example")).isEqualTo(Route.local());
        assertThat(f.legacy.opened).isEmpty();
    }

    @Test
    void mailIsRelayedToTheLegacyServerUntilTheAccountExistsThenDeliveredLocally() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.domain().build()));
        CountDownLatch copying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        f.local.hook = new InstrumentedStore.Hook() {
            @Override
            public void before(String op, FolderPath folder) {
                if (op.equals("append")) {
                    copying.countDown();
                    await(release);
                }
            }
        };

        assertThat(m.route("alice@example.org")).isEqualTo(Route.relay(LEGACY));
        assertThat(m.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
        assertThat(copying.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.COPYING);
        assertThat(m.route("alice@example.org")).isEqualTo(Route.local());
        assertThat(m.route("bob@example.org")).isEqualTo(Route.relay(LEGACY));
        release.countDown();
        idle(m);
        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(m.route("ALICE@example.org".toLowerCase(java.util.Locale.ROOT)))
                .isEqualTo(Route.local());
        // An account the vendor created some other way is local too.
        f.local.provision("erin@example.org", java.util.Optional.empty());
        assertThat(m.route("erin@example.org")).isEqualTo(Route.local());
    }

    @Test
    void mailThatStillReachesTheLegacyServerArrivesInALaterDeltaPassUntilTheAccountIsDone() throws Exception {
        AutoMigration m = f.start(f.builder()
                .domain(f.domain().build())
                .deltaInterval(Duration.ofMinutes(10))
                .deltaPeriod(Duration.ofDays(2)));
        m.onLogin("alice@example.org", "alice-password".toCharArray());
        idle(m);
        InMemoryStore alice = f.local.stores.get("alice@example.org");

        // The MX still points at the legacy server for some senders.
        put(aliceLegacy, FolderPath.INBOX, "late arrival", MigrationFixture.START, Flags.NONE);
        m.tick();
        idle(m);
        assertThat(snapshot(alice, FolderPath.INBOX)).noneMatch(s -> s.bytes().contains("late arrival"));

        f.clock.advance(Duration.ofMinutes(10));
        m.tick();
        idle(m);
        assertSameMessages(aliceLegacy, FolderPath.INBOX, alice, FolderPath.INBOX);
        AccountState state = m.state("alice@example.org").orElseThrow();
        assertThat(state.status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(state.messagesCopied()).isEqualTo(8);

        f.clock.advance(Duration.ofDays(2));
        m.tick();
        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.DONE);
        put(aliceLegacy, FolderPath.INBOX, "too late", MigrationFixture.START, Flags.NONE);
        f.clock.advance(Duration.ofMinutes(10));
        m.tick();
        idle(m);
        assertThat(snapshot(alice, FolderPath.INBOX)).noneMatch(s -> s.bytes().contains("too late"));
        assertThat(m.route("alice@example.org")).isEqualTo(Route.local());
    }

    @Test
    void aUsernameMappingGivesTheLegacyServerItsOwnLogin() throws Exception {
        InMemoryStore legacyCarol = f.legacy.addUser("carol", "carol-password");
        fill(legacyCarol, "carol", 1, 1, 0);
        AutoMigration m = f.start(f.builder()
                .domain(f.domain()
                        .usernames(UsernameMapping.localPartOnLegacy())
                        .build()));

        assertThat(m.onLogin("carol@example.org", "carol-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
        idle(m);

        assertThat(f.legacy.opened).contains("carol");
        assertSameMessages(legacyCarol, FolderPath.INBOX, f.local.stores.get("carol@example.org"), FolderPath.INBOX);
    }

    @Test
    void aSchedulerRunsTheDeltaPassesWithoutTheVendorCallingTick() throws Exception {
        java.util.concurrent.ScheduledExecutorService ticks =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            AutoMigration m = f.start(f.builder()
                    .domain(f.domain().build())
                    .deltaInterval(Duration.ofMinutes(10))
                    .scheduler(ticks, Duration.ofMillis(20)));
            m.onLogin("alice@example.org", "alice-password".toCharArray());
            idle(m);
            put(aliceLegacy, FolderPath.INBOX, "arrives by itself", MigrationFixture.START, Flags.NONE);

            f.clock.advance(Duration.ofMinutes(10));

            InMemoryStore alice = f.local.stores.get("alice@example.org");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (snapshot(alice, FolderPath.INBOX).stream()
                    .noneMatch(s -> s.bytes().contains("arrives by itself"))) {
                assertThat(System.nanoTime()).as("delta pass within 20 s").isLessThan(deadline);
                Thread.sleep(20);
            }
            idle(m);
            assertSameMessages(aliceLegacy, FolderPath.INBOX, alice, FolderPath.INBOX);
        } finally {
            ticks.shutdownNow();
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstrumentedStore.Crash("interrupted while held");
        }
    }
}
