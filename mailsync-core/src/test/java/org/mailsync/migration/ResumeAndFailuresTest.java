package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mailsync.migration.MigrationFixture.fill;
import static org.mailsync.migration.MigrationFixture.idle;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.LoginResult.Outcome;
import org.mailsync.testing.InstrumentedStore;

/** Restarts in the middle of a copy, a throttling or failing legacy server, and parked accounts. */
class ResumeAndFailuresTest {
    @TempDir
    Path tmp;

    private MigrationFixture f;
    private InMemoryStore aliceLegacy;

    @BeforeEach
    void setUp() throws Exception {
        f = new MigrationFixture(tmp);
        aliceLegacy = f.legacy.addUser("alice@example.org", "alice-password");
        fill(aliceLegacy, "alice", 30, 5, 10);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    /** The process "dies" after {@code appends} appends: the hook holds the thread until close() interrupts it. */
    private CountDownLatch dieAfterAppends(int appends) {
        CountDownLatch died = new CountDownLatch(1);
        AtomicInteger count = new AtomicInteger();
        f.local.hook = new InstrumentedStore.Hook() {
            @Override
            public void after(String op, FolderPath folder) {
                if (op.equals("append") && count.incrementAndGet() == appends) {
                    died.countDown();
                    FirstLoginTest.await(new CountDownLatch(1));
                }
            }
        };
        return died;
    }

    private void assertMigratedOnceEach(InMemoryStore legacy, String account) throws Exception {
        InMemoryStore local = f.local.stores.get(account);
        assertSameMessages(legacy, FolderPath.INBOX, local, FolderPath.INBOX);
        assertSameMessages(legacy, FolderPath.of("Sent"), local, FolderPath.of("Sent"));
    }

    @Test
    void aRestartInTheMiddleOfTheFullPassResumesWithNothingLostOrDuplicated() throws Exception {
        CountDownLatch died = dieAfterAppends(12);
        AutoMigration first = f.start(f.builder().domain(f.withMaster()));
        assertThat(first.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
        assertThat(died.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        assertThat(first.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.COPYING);

        f.local.hook = new InstrumentedStore.Hook() {};
        AutoMigration second = f.start(f.builder().domain(f.withMaster()));
        assertThat(second.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.COPYING);
        idle(second);

        assertThat(second.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
        assertThat(f.legacy.opened).last().isEqualTo("master:alice@example.org");
    }

    @Test
    void aRestartDuringTheInboxFirstPassResumesWithNothingLostOrDuplicated() throws Exception {
        CountDownLatch died = dieAfterAppends(3);
        AutoMigration first = f.start(f.builder().domain(f.withMaster()));
        first.onLogin("alice@example.org", "alice-password".toCharArray());
        assertThat(died.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();
        assertThat(first.state("alice@example.org").orElseThrow().recentPassDone())
                .isFalse();

        f.local.hook = new InstrumentedStore.Hook() {};
        AutoMigration second = f.start(f.builder().domain(f.withMaster()));
        idle(second);

        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
    }

    @Test
    void withoutMasterCredentialsAnInterruptedCopyWaitsForTheUsersNextLogin() throws Exception {
        CountDownLatch died = dieAfterAppends(12);
        AutoMigration first = f.start(f.builder().domain(f.domain().build()));
        first.onLogin("alice@example.org", "alice-password".toCharArray());
        assertThat(died.await(10, TimeUnit.SECONDS)).isTrue();
        first.close();

        f.local.hook = new InstrumentedStore.Hook() {};
        AutoMigration second = f.start(f.builder().domain(f.domain().build()));
        idle(second);
        AccountState waiting = second.state("alice@example.org").orElseThrow();
        assertThat(waiting.status()).isEqualTo(MigrationStatus.COPYING);
        assertThat(waiting.reason()).contains("waiting for the user's next login");

        assertThat(second.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.ACCOUNT_EXISTS);
        idle(second);
        assertThat(second.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
    }

    @Test
    void aThrottlingLegacyServerIsRetriedAfterTheWaitItAsksFor() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.withMaster()).retries(5, Duration.ofMinutes(1)));
        f.legacy.throttleNext.set(2);

        m.prestage(List.of("alice@example.org"));
        idle(m);
        AccountState throttled = m.state("alice@example.org").orElseThrow();
        assertThat(throttled.status()).isEqualTo(MigrationStatus.NOT_STARTED);
        assertThat(throttled.attempts()).isEqualTo(1);
        assertThat(throttled.reason()).contains("too many connections");
        // The server asked for 5 minutes, more than the first back-off of 1 minute.
        assertThat(throttled.nextAttemptAt()).isEqualTo(MigrationFixture.START.plus(Duration.ofMinutes(5)));

        f.clock.advance(Duration.ofMinutes(4));
        m.tick();
        idle(m);
        assertThat(m.state("alice@example.org").orElseThrow().attempts()).isEqualTo(1);

        f.clock.advance(Duration.ofMinutes(1));
        m.tick();
        idle(m);
        assertThat(m.state("alice@example.org").orElseThrow().attempts()).isEqualTo(2);

        f.clock.advance(Duration.ofMinutes(5));
        m.tick();
        idle(m);
        AccountState done = m.state("alice@example.org").orElseThrow();
        assertThat(done.status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(done.attempts()).isZero();
        assertThat(done.nextAttemptAt()).isNull();
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
    }

    @Test
    void anAccountThatKeepsFailingIsParkedWithTheReasonAndDoesNotBlockTheOthers() throws Exception {
        InMemoryStore bobLegacy = f.legacy.addUser("bob@example.org", "bob-password");
        fill(bobLegacy, "bob", 4, 1, 1);
        InMemoryStore carolLegacy = f.legacy.addUser("carol@example.org", "carol-password");
        fill(carolLegacy, "carol", 4, 1, 1);
        f.legacy.dropping.add("bob@example.org");
        AutoMigration m = f.start(f.builder().domain(f.withMaster()).retries(3, Duration.ofMinutes(1)));

        m.prestage(List.of("bob@example.org", "carol@example.org", "alice@example.org"));
        idle(m);
        assertThat(m.state("carol@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(m.state("bob@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.COPYING);

        f.clock.advance(Duration.ofMinutes(1));
        m.tick();
        idle(m);
        assertThat(m.state("bob@example.org").orElseThrow().nextAttemptAt())
                .isEqualTo(f.clock.instant().plus(Duration.ofMinutes(2)));
        f.clock.advance(Duration.ofMinutes(2));
        m.tick();
        idle(m);

        AccountState bob = m.state("bob@example.org").orElseThrow();
        assertThat(bob.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(bob.reason()).contains("gave up after 3 attempts").contains("connection reset by peer");
        assertThat(bob.deliversLocally()).isTrue();
        assertMigratedOnceEach(carolLegacy, "carol@example.org");

        // The operator fixes the cause and asks for another try.
        f.legacy.dropping.clear();
        m.retry("bob@example.org");
        idle(m);
        assertThat(m.state("bob@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertMigratedOnceEach(bobLegacy, "bob@example.org");
    }

    @Test
    void masterCredentialsTheLegacyServerRefusesParkTheAccountAtOnce() throws Exception {
        AutoMigration m = f.start(f.builder()
                .domain(f.domain()
                        .masterCredentials("admin", "wrong".toCharArray())
                        .build()));

        m.prestage(List.of("alice@example.org"));
        idle(m);

        AccountState alice = m.state("alice@example.org").orElseThrow();
        assertThat(alice.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(alice.reason()).contains("master LOGIN failed").doesNotContain("wrong");
        assertThat(f.local.stores).isEmpty();
        assertThat(m.route("alice@example.org").deliverLocally()).isFalse();
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        AutoMigration first = f.start(f.builder().domain(f.domain().build()));
        first.onLogin("alice@example.org", "alice-password".toCharArray());
        idle(first);
        first.close();

        AutoMigration second = f.start(f.builder().domain(f.domain().build()));

        assertThat(second.states()).containsExactlyElementsOf(first.states());
        assertThat(second.route("alice@example.org")).isEqualTo(Route.local());
        assertThat(second.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.ACCOUNT_EXISTS);
    }

    @Test
    void afterARestartWithoutMasterCredentialsDeltaPassesWaitForTheUsersNextLogin() throws Exception {
        AutoMigration first = f.start(f.builder().domain(f.domain().build()));
        first.onLogin("alice@example.org", "alice-password".toCharArray());
        idle(first);
        first.close();
        MigrationFixture.put(
                aliceLegacy, FolderPath.INBOX, "after restart", MigrationFixture.START, org.mailsync.Flags.NONE);

        AutoMigration second = f.start(f.builder().domain(f.domain().build()));
        int opens = f.legacy.opened.size();
        f.clock.advance(Duration.ofHours(1));
        second.tick();
        idle(second);
        assertThat(f.legacy.opened).hasSize(opens);

        assertThat(second.onLogin("Alice@Example.ORG", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.ACCOUNT_EXISTS);
        second.tick();
        idle(second);
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
    }

    @Test
    void anAccountCreatedJustBeforeACrashIsAdoptedAtRestartAndMigratedOnce() throws Exception {
        AutoMigration first = f.start(f.builder().domain(f.withMaster()));
        f.local.dieAfterProvisioning.set(true);
        assertThatThrownBy(() -> first.onLogin("alice@example.org", "alice-password".toCharArray()))
                .isInstanceOf(InstrumentedStore.Crash.class);
        first.close();

        AutoMigration second = f.start(f.builder().domain(f.withMaster()));
        idle(second);

        AccountState alice = second.state("alice@example.org").orElseThrow();
        assertThat(alice.status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(alice.passwordSet()).isTrue();
        assertThat(f.local.provisioned).containsExactly("alice@example.org");
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
        assertThat(second.route("alice@example.org")).isEqualTo(Route.local());
    }

    @Test
    void withoutMasterCredentialsAnAccountCreatedJustBeforeACrashIsAdoptedAtTheNextLogin() throws Exception {
        AutoMigration first = f.start(f.builder().domain(f.domain().build()));
        f.local.dieAfterProvisioning.set(true);
        assertThatThrownBy(() -> first.onLogin("alice@example.org", "alice-password".toCharArray()))
                .isInstanceOf(InstrumentedStore.Crash.class);
        first.close();
        AutoMigration second = f.start(f.builder().domain(f.domain().build()));

        assertThat(second.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.ACCOUNT_EXISTS);
        idle(second);

        assertThat(second.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(f.local.provisioned).containsExactly("alice@example.org");
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
    }

    @Test
    void aPrestagedAccountCreatedJustBeforeAFailureIsNotProvisionedTwice() throws Exception {
        AutoMigration m = f.start(f.builder().domain(f.withMaster()).retries(3, Duration.ofMinutes(1)));
        f.local.dieAfterProvisioning.set(true);

        m.prestage(List.of("alice@example.org"));
        idle(m);
        assertThat(m.state("alice@example.org").orElseThrow().nextAttemptAt()).isNotNull();
        f.clock.advance(Duration.ofMinutes(1));
        m.tick();
        idle(m);

        AccountState alice = m.state("alice@example.org").orElseThrow();
        assertThat(alice.status()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(alice.passwordSet()).isFalse();
        assertThat(f.local.provisioned).containsExactly("alice@example.org");
        assertMigratedOnceEach(aliceLegacy, "alice@example.org");
        // Its user still gets a password at the first login, checked by the legacy server.
        assertThat(m.onLogin("alice@example.org", "alice-password".toCharArray())
                        .outcome())
                .isEqualTo(Outcome.MIGRATION_STARTED);
        assertThat(f.local.passwords).containsEntry("alice@example.org", "alice-password");
    }
}
