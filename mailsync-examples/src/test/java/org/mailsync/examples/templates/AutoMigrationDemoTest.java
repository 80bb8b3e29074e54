package org.mailsync.examples.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailsync.testing.MailboxAssertions.assertSameMessages;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.imap.ImapStore;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.Route;

/** The vendor template against a GreenMail legacy server: login hook, routing, password policy. */
class AutoMigrationDemoTest {
    @RegisterExtension
    final GreenMailExtension legacy = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path state;

    @BeforeEach
    void users() throws Exception {
        legacy.setUser("anna@example.org", "anna", "old-password-1");
        legacy.setUser("ben@example.org", "ben", "short");
        GreenMailAccounts.fill(legacy, "old-password-1");
    }

    private AutoMigrationDemo demo() throws Exception {
        LegacyEndpoint endpoint =
                new LegacyEndpoint("127.0.0.1", legacy.getImap().getPort(), LegacyEndpoint.Security.NONE);
        // GreenMail has no master users: each account migrates with its user's own login.
        return new AutoMigrationDemo("example.org", endpoint, null, null, state);
    }

    @Test
    void firstLoginMigratesTheMailboxAndMailIsRoutedLocallyAfterwards() throws Exception {
        try (AutoMigrationDemo demo = demo()) {
            assertThat(demo.route("anna@example.org").deliverLocally()).isFalse();
            assertThat(demo.login("anna@example.org", "wrong-password".toCharArray()))
                    .isFalse();
            assertThat(demo.localMailboxes()).isEmpty();

            assertThat(demo.login("anna@example.org", "old-password-1".toCharArray()))
                    .isTrue();
            assertThat(demo.route("anna@example.org")).isEqualTo(Route.local());
            assertThat(demo.migration().awaitIdle(Duration.ofSeconds(60))).isTrue();
            var anna = demo.migration().state("anna@example.org").orElseThrow();
            assertThat(anna.status()).as(String.valueOf(anna.reason())).isEqualTo(MigrationStatus.SYNCED);
            try (ImapStore old = GreenMailAccounts.open(legacy, "old-password-1")) {
                for (FolderPath folder : List.of(FolderPath.INBOX, FolderPath.of("Projekte", "Büro"))) {
                    assertSameMessages(old, folder, demo.localMailboxes().get("anna@example.org"), folder);
                }
            }
        }
    }

    @Test
    void aPasswordTheNewServersPolicyRefusesKeepsTheUserOnTheLegacyServer() throws Exception {
        try (AutoMigrationDemo demo = demo()) {
            assertThat(demo.login("ben@example.org", "short".toCharArray())).isFalse();
            assertThat(demo.migration()
                            .onLogin("ben@example.org", "short".toCharArray())
                            .reason())
                    .contains("at least 8 characters");
            assertThat(demo.localMailboxes()).doesNotContainKey("ben@example.org");
            assertThat(demo.route("ben@example.org").deliverLocally()).isFalse();
        }
    }
}
