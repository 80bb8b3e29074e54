package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.spi.MailFolder;

/**
 * Issue 15: a folder's status without selecting it. Where the server has LIST-STATUS (RFC 5819)
 * one listing brings every folder's status, and {@link ImapStore#status} answers from it until the
 * store opens a folder; elsewhere, and for what the answer left out, a STATUS on the store's
 * connection, never a SELECT on a connection of its own. Dovecot's side is in {@link
 * DovecotListStatusTest}.
 */
class ListStatusTest {
    private static final List<FolderPath> FOLDERS =
            List.of(FolderPath.INBOX, FolderPath.of("Archiv"), FolderPath.of("Sent"));

    private static ImapStore connect(ScriptedImapServer server) throws MailStoreException {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(server.port())
                .security(Security.NONE)
                .username("anna")
                .password("secret".toCharArray())
                .readTimeout(Duration.ofSeconds(10))
                .retry(RetryPolicy.NONE)
                .connect();
    }

    /** The commands the server received from {@code from} on, upper case. */
    private static List<String> commandsSince(ScriptedImapServer server, int from) {
        List<String> all = server.commands();
        return all.subList(from, all.size()).stream()
                .map(c -> c.toUpperCase(Locale.ROOT))
                .toList();
    }

    @Test
    void withListStatusOneListingAnswersEveryStatusUntilAFolderIsOpened() throws Exception {
        try (ScriptedImapServer server =
                        new ScriptedImapServer(false, ScriptedImapServer.ListStatus.OFFERED, "Archiv", "Sent");
                ImapStore store = connect(server)) {
            int before = server.commands().size();
            store.listFolders();
            assertThat(commandsSince(server, before))
                    .contains("LIST \"\" \"*\" RETURN (CHILDREN STATUS (MESSAGES UIDNEXT UIDVALIDITY))");
            int listed = server.commands().size();
            List<FolderStatus> fromListing = statuses(store);
            assertThat(commandsSince(server, listed)).isEmpty();

            try (MailFolder folder = store.openFolder(FolderPath.of("Archiv"))) {
                folder.status();
            }
            int opened = server.commands().size();
            // A folder was opened: it may have changed, so every status is asked anew.
            assertThat(statuses(store)).isEqualTo(fromListing);
            assertThat(commandsSince(server, opened))
                    .filteredOn(c -> c.startsWith("STATUS "))
                    .hasSize(FOLDERS.size());
            assertThat(fromListing).extracting(FolderStatus::generation).doesNotHaveDuplicates();
        }
    }

    @Test
    void aFolderLeftOutOfTheListStatusAnswerIsAskedWithStatus() throws Exception {
        try (ScriptedImapServer server =
                        new ScriptedImapServer(false, ScriptedImapServer.ListStatus.OFFERED, "Archiv", "Sent");
                ImapStore store = connect(server)) {
            server.leaveOutOfListStatus("Sent");
            store.listFolders();
            int listed = server.commands().size();
            statuses(store);
            assertThat(commandsSince(server, listed)).containsExactly("STATUS SENT (MESSAGES UIDNEXT UIDVALIDITY)");
        }
    }

    @Test
    void aServerThatRefusesTheExtendedListGetsAPlainListAndStatusCommands() throws Exception {
        try (ScriptedImapServer server = new ScriptedImapServer(
                        false, ScriptedImapServer.ListStatus.OFFERED_BUT_REFUSED, "Archiv", "Sent");
                ImapStore store = connect(server)) {
            assertThat(store.listFolders()).hasSize(FOLDERS.size());
            int listed = server.commands().size();
            statuses(store);
            assertThat(commandsSince(server, listed))
                    .filteredOn(c -> c.startsWith("STATUS "))
                    .hasSize(FOLDERS.size());
        }
    }

    @Test
    void withoutListStatusAStatusIsOneCommandOnTheStoreConnectionWithoutSelect() throws Exception {
        try (ScriptedImapServer server = new ScriptedImapServer(false, "Archiv", "Sent");
                ImapStore store = connect(server)) {
            store.listFolders();
            assertThat(server.commands())
                    .noneMatch(c -> c.toUpperCase(Locale.ROOT).contains("RETURN"));
            int listed = server.commands().size();
            statuses(store);
            assertThat(commandsSince(server, listed))
                    .noneMatch(c -> c.startsWith("SELECT") || c.startsWith("EXAMINE"))
                    .filteredOn(c -> c.startsWith("STATUS "))
                    .hasSize(FOLDERS.size());
            // All on the one connection the store opened at connect.
            assertThat(server.logins()).isEqualTo(1);
        }
    }

    private static List<FolderStatus> statuses(ImapStore store) throws MailStoreException {
        List<FolderStatus> out = new java.util.ArrayList<>();
        for (FolderPath path : FOLDERS) {
            out.add(store.status(path));
        }
        return out;
    }
}
