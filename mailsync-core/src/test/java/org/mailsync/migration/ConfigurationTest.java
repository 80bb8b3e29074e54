package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builders that refuse bad or repeated settings, and the state file format. */
class ConfigurationTest {
    @TempDir
    Path tmp;

    @Test
    void buildersRefuseASettingMadeTwiceAndBadValues() throws Exception {
        MigrationFixture f = new MigrationFixture(tmp);
        AutoMigration.Builder b = f.builder();
        assertThatThrownBy(() -> b.clock(f.clock)).hasMessage("clock was already set to " + f.clock);
        assertThatThrownBy(() -> b.loginTimeout(Duration.ZERO)).hasMessageContaining("login timeout must be");
        assertThatThrownBy(() -> b.maxConcurrentMigrations(0)).hasMessageContaining("1..1000, not 0");
        assertThatThrownBy(b::build).hasMessage("at least one domain must be set");
        b.domain(f.domain().build());
        assertThatThrownBy(() -> b.domain(f.domain().build())).hasMessage("domain example.org was already set");
        assertThatThrownBy(() -> b.domain(DomainSettings.forDomain("other.example")
                        .legacy(MigrationFixture.LEGACY)
                        .maxConnectionsPerHost(9)
                        .build()))
                .hasMessageContaining("share legacy host legacy.example.org:143");
        assertThatThrownBy(() -> DomainSettings.forDomain("a@b")).hasMessageContaining("not a domain");
        assertThatThrownBy(() -> DomainSettings.forDomain("example.org").build())
                .hasMessage("the legacy server of example.org must be set");
        assertThatThrownBy(() -> new LegacyEndpoint("host", 0, LegacyEndpoint.Security.TLS))
                .hasMessageContaining("1..65535");
        assertThat(DomainSettings.forDomain("Example.ORG")
                        .legacy(MigrationFixture.LEGACY)
                        .masterCredentials("admin", "secret".toCharArray())
                        .build()
                        .toString())
                .contains("example.org")
                .doesNotContain("secret");
    }

    @Test
    void onLoginBeforeStartIsAProgrammingError() throws Exception {
        MigrationFixture f = new MigrationFixture(tmp);
        try (AutoMigration m = f.builder().domain(f.domain().build()).build()) {
            assertThatThrownBy(() -> m.onLogin("a@example.org", new char[] {'x'}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("start() was not called");
        }
    }

    @Test
    void stateFilesRoundTripEveryFieldAndAReasonWithLineBreaks() throws Exception {
        FileMigrationStateStore store = FileMigrationStateStore.in(tmp);
        AccountState s = new AccountState(
                "ana+tag@example.org",
                "example.org",
                "ana",
                MigrationStatus.COPYING,
                "line one\nline \\two\r",
                true,
                false,
                true,
                true,
                3,
                Instant.parse("2026-03-01T12:05:00Z"),
                null,
                Instant.parse("2026-03-01T11:00:00Z"),
                42,
                Instant.parse("2026-03-01T12:00:00Z"));

        store.save(s);
        store.save(s);

        assertThat(FileMigrationStateStore.in(tmp).loadAll()).containsExactly(s);
        try (var files = Files.list(tmp)) {
            assertThat(files).hasSize(1).allMatch(p -> p.toString().endsWith(".state"));
        }
    }

    @Test
    void aDamagedStateFileIsReportedWithItsName() throws Exception {
        Files.writeString(tmp.resolve("0123.state"), "mailsync-migration-state 1\naccount=a@example.org\n");

        assertThatThrownBy(() -> FileMigrationStateStore.in(tmp).loadAll())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("0123.state")
                .hasMessageContaining("has no domain");
    }
}
