package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.DomainSettings;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.LoginResult;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.Route;
import org.mailsync.migration.UsernameMapping;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.InMemoryAccounts;

/** Auto-migration from a GreenMail legacy server through {@link ImapLegacyConnector} into in-memory local accounts. */
class ImapAutoMigrationTest {
    static {
        GreenMailQuirks.keepRawHeaderBytes();
    }

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @RegisterExtension
    final GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path tmp;

    private final InMemoryAccounts local = new InMemoryAccounts();
    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    private AutoMigration migration;
    private LegacyEndpoint legacy;

    @BeforeEach
    void setUp() throws Exception {
        greenMail.setUser("alice@example.org", "alice", "alice-pw-1234");
        greenMail.setUser("bob@example.org", "bob", "bob-pw-1234");
        legacy = new LegacyEndpoint("127.0.0.1", greenMail.getImap().getPort(), LegacyEndpoint.Security.NONE);
        try (ImapStore alice = login("alice", "alice-pw-1234")) {
            for (int i = 0; i < 4; i++) {
                put(
                        alice,
                        FolderPath.INBOX,
                        "old " + i,
                        Instant.parse("2021-01-01T00:00:00Z").plusSeconds(i));
            }
            for (int i = 0; i < 3; i++) {
                put(
                        alice,
                        FolderPath.INBOX,
                        "recent " + i,
                        NOW.minus(Duration.ofDays(2)).plusSeconds(i));
            }
            put(alice, FolderPath.of("Archive"), "archived", Instant.parse("2019-05-05T05:05:05Z"));
        }
        migration = migration(legacy);
        migration.start();
    }

    @AfterEach
    void tearDown() {
        migration.close();
    }

    private AutoMigration migration(LegacyEndpoint endpoint) throws IOException {
        return AutoMigration.builder()
                .connector(new ImapLegacyConnector(Duration.ofSeconds(5), 2))
                .mailboxes(local)
                .provisioner(local)
                .stateDirectory(tmp.resolve("state"))
                .checkpointDirectory(tmp.resolve("checkpoints"))
                .domain(DomainSettings.forDomain("example.org")
                        .legacy(endpoint)
                        .usernames(UsernameMapping.localPartOnLegacy())
                        .build())
                .clock(new Clock() {
                    @Override
                    public Instant instant() {
                        return now.get();
                    }

                    @Override
                    public ZoneId getZone() {
                        return ZoneOffset.UTC;
                    }

                    @Override
                    public Clock withZone(ZoneId zone) {
                        throw new UnsupportedOperationException();
                    }
                })
                .deltaInterval(Duration.ofMinutes(5))
                .loginTimeout(Duration.ofSeconds(5))
                .build();
    }

    private ImapStore login(String user, String password) throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(greenMail.getImap().getPort())
                .security(Security.NONE)
                .username(user)
                .password(password.toCharArray())
                .connect();
    }

    private static void put(MailStore store, FolderPath folder, String subject, Instant date) throws Exception {
        if (!folder.isInbox()) {
            store.createFolder(folder);
        }
        byte[] bytes = ("From: x@example.net\r\nTo: alice@example.org\r\nSubject: " + subject
                        + "\r\nMessage-ID: <" + subject.replace(' ', '.') + "@example.net>\r\n\r\nbody "
                        + subject + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (MailFolder f = store.openFolder(folder);
                RawMessage raw = RawMessage.of(bytes)) {
            f.append(new AppendRequest(raw, Flags.of(Flag.SEEN), date));
        }
    }

    private void idle() throws InterruptedException {
        assertThat(migration.awaitIdle(Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void firstLoginChecksThePasswordOverImapAndCopiesTheMailbox() throws Exception {
        assertThat(migration.route("alice@example.org")).isEqualTo(Route.relay(legacy));

        LoginResult result = migration.onLogin("alice@example.org", "alice-pw-1234".toCharArray());

        assertThat(result.outcome()).isEqualTo(LoginResult.Outcome.MIGRATION_STARTED);
        assertThat(local.passwords).containsEntry("alice@example.org", "alice-pw-1234");
        assertThat(migration.route("alice@example.org")).isEqualTo(Route.local());
        idle();
        assertThat(migration.state("alice@example.org").orElseThrow().status()).isEqualTo(MigrationStatus.SYNCED);
        InMemoryStore alice = local.stores.get("alice@example.org");
        try (ImapStore source = login("alice", "alice-pw-1234")) {
            assertSameMessages(source, FolderPath.INBOX, alice, FolderPath.INBOX);
            assertSameMessages(source, FolderPath.of("Archive"), alice, FolderPath.of("Archive"));
        }
        assertThat(migration.state("alice@example.org").orElseThrow().messagesCopied())
                .isEqualTo(8);
    }

    @Test
    void aWrongPasswordIsRefusedByTheLegacyServerAndNothingIsCreated() throws Exception {
        LoginResult result = migration.onLogin("alice@example.org", "guess".toCharArray());

        assertThat(result.outcome()).isEqualTo(LoginResult.Outcome.LEGACY_REFUSED);
        assertThat(local.stores).isEmpty();
        assertThat(migration.states()).isEmpty();
    }

    @Test
    void mailDeliveredToTheLegacyServerAfterTheFirstCopyArrivesInADeltaPass() throws Exception {
        migration.onLogin("alice@example.org", "alice-pw-1234".toCharArray());
        idle();
        try (ImapStore source = login("alice", "alice-pw-1234")) {
            put(source, FolderPath.INBOX, "late via old MX", NOW);
        }

        now.set(NOW.plus(Duration.ofMinutes(5)));
        migration.tick();
        idle();

        try (ImapStore source = login("alice", "alice-pw-1234")) {
            assertSameMessages(source, FolderPath.INBOX, local.stores.get("alice@example.org"), FolderPath.INBOX);
        }
    }

    @Test
    void aLegacyServerNobodyListensOnIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        migration.close();
        migration = migration(new LegacyEndpoint("127.0.0.1", closedPort, LegacyEndpoint.Security.NONE));
        migration.start();

        LoginResult result = migration.onLogin("bob@example.org", "bob-pw-1234".toCharArray());

        assertThat(result.outcome()).isEqualTo(LoginResult.Outcome.LEGACY_UNREACHABLE);
        assertThat(local.stores).isEmpty();
    }
}
