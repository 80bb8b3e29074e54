package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.SpecialUse;

/**
 * Folders created for a special use carry it where the server offers CREATE-SPECIAL-USE (RFC
 * 6154 3), and are plain folders where it does not or refuses that use; on {@link
 * CourierLikeImapServer} (Dovecot 2.3 does not offer CREATE-SPECIAL-USE).
 */
class SpecialUseCreateTest {
    @Test
    void createsTheFolderWithItsUseWhereTheServerOffersCreateSpecialUse() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().offerCreateSpecialUse();
                ImapStore store = CourierLikeSyncTest.target(server)) {
            store.createFolder(FolderPath.of("Sent"), SpecialUse.SENT);
            store.createFolder(FolderPath.of("Old", "Junk"), SpecialUse.JUNK);
            assertThat(server.commands())
                    .contains(
                            "CREATE INBOX.Sent (USE (\\Sent))",
                            "CREATE INBOX.Old",
                            "CREATE INBOX.Old.Junk (USE (\\Junk))");
            assertThat(server.specialUse("INBOX.Sent")).isEqualTo("\\Sent");
            assertThat(server.specialUse("INBOX.Old")).isNull();
            assertThat(store.listFolders())
                    .contains(new FolderInfo(FolderPath.of("Sent"), true, SpecialUse.SENT, false))
                    .contains(new FolderInfo(FolderPath.of("Old", "Junk"), true, SpecialUse.JUNK, false));

            // An existing folder is left as it is: no second CREATE.
            int creates = (int) server.commands().stream()
                    .filter(c -> c.startsWith("CREATE"))
                    .count();
            store.createFolder(FolderPath.of("Sent"), SpecialUse.SENT);
            assertThat(server.commands().stream().filter(c -> c.startsWith("CREATE")))
                    .hasSize(creates);
        }
    }

    @Test
    void aUseTheServerRefusesGivesAPlainFolder() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer().offerCreateSpecialUse();
                ImapStore store = CourierLikeSyncTest.target(server)) {
            store.createFolder(FolderPath.of("All Mail"), SpecialUse.ALL);
            assertThat(server.commands())
                    .contains("CREATE \"INBOX.All Mail\" (USE (\\All))", "CREATE \"INBOX.All Mail\"");
            assertThat(store.listFolders()).extracting(FolderInfo::path).contains(FolderPath.of("All Mail"));
        }
    }

    @Test
    void withoutCreateSpecialUseTheFolderIsCreatedPlainly() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer();
                ImapStore store = CourierLikeSyncTest.target(server)) {
            store.createFolder(FolderPath.of("Sent"), SpecialUse.SENT);
            assertThat(server.commands()).contains("CREATE INBOX.Sent").noneMatch(c -> c.contains("USE"));
            assertThat(server.specialUse("INBOX.Sent")).isNull();
        }
    }
}
