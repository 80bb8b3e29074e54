package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.migration.MigrationFixture.fill;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: a built {@link AutoMigration} read its mutable builder while running, so a setting made
 * on the builder after {@code build()} changed the running service. Built objects must copy their
 * configuration once.
 */
@Timeout(60)
class BuilderIsolationTest {
    @TempDir
    Path tmp;

    private MigrationFixture f;

    @BeforeEach
    void setUp() {
        f = new MigrationFixture(tmp);
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void aSettingMadeOnTheBuilderAfterBuildDoesNotReachTheBuiltMigration() throws Exception {
        fill(f.legacy.addUser("alice@example.org", "alice-password"), "alice", 3, 1, 1);
        f.legacy.dropping.add("alice@example.org");
        AutoMigration.Builder builder = f.builder().domain(f.withMaster());
        AutoMigration m = f.start(builder);

        // Settings not made before build() can still be made on the builder: for a next build only.
        builder.retries(1, Duration.ofDays(9));
        builder.deltaPeriod(Duration.ZERO);

        m.prestage(List.of("alice@example.org"));
        MigrationFixture.idle(m);

        // The defaults built in: 5 attempts, the first back-off 1 minute; not parked after one attempt.
        AccountState st = m.state("alice@example.org").orElseThrow();
        assertThat(st.status()).as(st.reason()).isNotEqualTo(MigrationStatus.FAILED);
        assertThat(st.attempts()).isEqualTo(1);
        assertThat(st.nextAttemptAt()).isEqualTo(MigrationFixture.START.plus(Duration.ofMinutes(1)));

        // The default delta period of 7 days: a synced account is not done after a day.
        f.legacy.dropping.clear();
        f.clock.advance(Duration.ofMinutes(1));
        m.tick();
        MigrationFixture.idle(m);
        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        f.clock.advance(Duration.ofDays(1));
        m.tick();
        MigrationFixture.idle(m);
        assertThat(m.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
    }

    @Test
    void domainSettingsDoNotSeeLaterBuilderChanges() {
        DomainSettings.Builder builder = DomainSettings.forDomain("example.org").legacy(MigrationFixture.LEGACY);
        DomainSettings built = builder.build();

        builder.enabled(false).maxConnectionsPerHost(9).masterCredentials("admin", "secret".toCharArray());

        assertThat(built.enabled()).isTrue();
        assertThat(built.maxConnectionsPerHost()).isEqualTo(4);
        assertThat(built.hasMasterCredentials()).isFalse();
        assertThat(builder.build().maxConnectionsPerHost()).isEqualTo(9);
    }
}
