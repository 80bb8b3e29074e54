package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.migration.MigrationFixture.fill;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.migration.spi.MigrationRunner.Job;
import org.mailsync.migration.spi.MigrationRunner.Priority;

/** One account's job on its own: what it needs, what it runs, and the state it leaves. */
@Timeout(60)
class AccountMigratorTest {
    private static final String ALICE = "alice@example.org";

    @TempDir
    Path tmp;

    private MigrationFixture f;
    private final PasswordHolder passwords = new PasswordHolder();
    private AccountStates states;
    private boolean closing;

    @BeforeEach
    void setUp() throws Exception {
        f = new MigrationFixture(tmp);
        fill(f.legacy.addUser(ALICE, "alice-password"), "alice", 4, 2, 1);
    }

    /** A migrator over a provisioned account without master credentials (its copy needs the user's password). */
    private AccountMigrator migrator(AutoMigration.Builder builder) throws Exception {
        MigrationConfig config = builder.domain(f.domain().build()).config();
        states = new AccountStates(config.stateStore(), config.listener(), 16);
        f.local.provision(ALICE, Optional.of("alice-password".toCharArray()));
        states.update(
                ALICE,
                () -> AccountState.fresh(ALICE, MigrationFixture.DOMAIN, ALICE, MigrationFixture.START),
                s -> s.withProvisioned(true, MigrationFixture.START));
        return new AccountMigrator(config, states, passwords, () -> closing);
    }

    private static Job job() {
        return new Job(ALICE, Priority.LOGIN, MigrationFixture.LEGACY.hostKey(), 4);
    }

    @Test
    void withoutAPasswordTheJobWaitsForTheUsersLoginAndOpensNothing() throws Exception {
        AccountMigrator m = migrator(f.builder());

        m.run(job());

        AccountState st = states.get(ALICE);
        assertThat(st.status()).isEqualTo(MigrationStatus.PROVISIONED);
        assertThat(st.reason()).isEqualTo(AccountMigrator.WAITING_FOR_LOGIN);
        assertThat(f.legacy.opened).isEmpty();
    }

    @Test
    void withThePasswordTheJobRunsTheRecentPassThenTheFullOneAndIsSynced() throws Exception {
        AccountMigrator m = migrator(f.builder());
        passwords.keep(ALICE, "alice-password".toCharArray());

        m.run(job());

        AccountState st = states.get(ALICE);
        assertThat(st.status()).as(st.reason()).isEqualTo(MigrationStatus.SYNCED);
        assertThat(st.recentPassDone()).isTrue();
        assertThat(st.messagesCopied()).isEqualTo(7);
        assertThat(f.passes).containsExactly(ALICE + " inbox-recent", ALICE + " all");
        assertThat(passwords.holds(ALICE)).as("kept for the delta passes").isTrue();
    }

    @Test
    void aRefusedPasswordParksTheAccountAndForgetsThePassword() throws Exception {
        AccountMigrator m = migrator(f.builder());
        passwords.keep(ALICE, "changed-meanwhile".toCharArray());

        m.run(job());

        AccountState st = states.get(ALICE);
        assertThat(st.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(st.nextAttemptAt()).isNull();
        assertThat(passwords.holds(ALICE)).isFalse();
    }

    @Test
    void aDroppedConnectionIsRetriedWhenTheRetryPolicySays() throws Exception {
        AccountMigrator m = migrator(f.builder().retries(3, Duration.ofMinutes(4)));
        passwords.keep(ALICE, "alice-password".toCharArray());
        f.legacy.dropping.add(ALICE);

        m.run(job());
        m.run(job());

        AccountState st = states.get(ALICE);
        assertThat(st.attempts()).isEqualTo(2);
        assertThat(st.nextAttemptAt()).isEqualTo(MigrationFixture.START.plus(Duration.ofMinutes(8)));

        m.run(job());
        assertThat(states.get(ALICE).status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(states.get(ALICE).reason()).startsWith("gave up after 3 attempts");
    }

    @Test
    void aJobTornDownByCloseLeavesTheStateAsItWas() throws Exception {
        AccountMigrator m = migrator(f.builder());
        passwords.keep(ALICE, "alice-password".toCharArray());
        f.legacy.dropping.add(ALICE);
        closing = true;

        m.run(job());

        assertThat(states.get(ALICE).attempts()).isZero();
        assertThat(states.get(ALICE).nextAttemptAt()).isNull();
    }
}
