package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.migration.AccountState;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.DomainSettings;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.LoginResult;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.UsernameMapping;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.InMemoryAccounts;

/** Bulk pre-staging from a real Dovecot with a master user (SASL PLAIN authorization id), then a first login. */
class DovecotAutoMigrationTest {
    private static DovecotServer dovecot;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        dovecot = DovecotContractTest.Dovecots.startWithUsers("mig", DovecotServer.Options.defaults());
        dovecot.addMasterUser("admin", "admin-pw-77");
        for (int u = 1; u <= 3; u++) {
            try (ImapStore store = DovecotContractTest.Dovecots.store(dovecot, "mig" + u)) {
                store.createFolder(FolderPath.of("Sent"));
                for (int i = 0; i < 5; i++) {
                    put(store, i % 2 == 0 ? FolderPath.INBOX : FolderPath.of("Sent"), "mig" + u + " message " + i);
                }
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        dovecot.close();
    }

    private static void put(MailStore store, FolderPath folder, String subject) throws Exception {
        byte[] bytes = ("From: x@example.net\r\nSubject: " + subject + "\r\nMessage-ID: <" + subject.replace(' ', '.')
                        + "@example.net>\r\n\r\nbody\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(bytes)) {
            f.append(new AppendRequest(raw, Flags.of(Flag.SEEN), Instant.parse("2025-01-02T03:04:05Z")));
        }
    }

    @Test
    void prestagesWithTheMasterLoginThenTheFirstLoginSetsThePassword() throws Exception {
        InMemoryAccounts local = new InMemoryAccounts();
        try (AutoMigration migration = AutoMigration.builder()
                .connector(new ImapLegacyConnector(Duration.ofSeconds(10), 2))
                .mailboxes(local)
                .provisioner(local)
                .stateDirectory(tmp.resolve("state"))
                .checkpointDirectory(tmp.resolve("checkpoints"))
                .domain(DomainSettings.forDomain("example.org")
                        .legacy(new LegacyEndpoint(dovecot.host(), dovecot.port(), LegacyEndpoint.Security.NONE))
                        .usernames(UsernameMapping.localPartOnLegacy())
                        .masterCredentials("admin", "admin-pw-77".toCharArray())
                        .maxConnectionsPerHost(3)
                        .build())
                .maxConcurrentMigrations(2)
                .build()) {
            migration.start();
            List<String> users = List.of("mig1@example.org", "mig2@example.org", "mig3@example.org");

            assertThat(migration.prestage(users)).isEqualTo(3);
            assertThat(migration.awaitIdle(Duration.ofSeconds(60))).isTrue();

            for (int u = 1; u <= 3; u++) {
                String account = "mig" + u + "@example.org";
                AccountState state = migration.state(account).orElseThrow();
                assertThat(state.status()).as(account + ": " + state.reason()).isEqualTo(MigrationStatus.SYNCED);
                try (ImapStore source = DovecotContractTest.Dovecots.store(dovecot, "mig" + u)) {
                    assertSameMessages(source, FolderPath.INBOX, local.stores.get(account), FolderPath.INBOX);
                    assertSameMessages(source, FolderPath.of("Sent"), local.stores.get(account), FolderPath.of("Sent"));
                }
            }
            assertThat(local.passwords).isEmpty();

            assertThat(migration
                            .onLogin("mig2@example.org", "not-it".toCharArray())
                            .outcome())
                    .isEqualTo(LoginResult.Outcome.LEGACY_REFUSED);
            assertThat(migration
                            .onLogin("mig2@example.org", "pw-mig2".toCharArray())
                            .outcome())
                    .isEqualTo(LoginResult.Outcome.MIGRATION_STARTED);
            assertThat(local.passwords).containsOnlyKeys("mig2@example.org");
            assertThat(migration.awaitIdle(Duration.ofSeconds(60))).isTrue();
            assertThat(migration.state("mig2@example.org").orElseThrow().passwordSet())
                    .isTrue();
        }
    }
}
