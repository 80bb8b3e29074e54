package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Folder names with and without UTF8=ACCEPT (RFC 6855). Neither Dovecot 2.3 nor GreenMail offers
 * it, so this runs against {@link ScriptedImapServer}; modified UTF-7 is also covered by the
 * Dovecot and GreenMail contract tests.
 */
class Utf8AcceptTest {
    private static final FolderPath PARENT = FolderPath.of("Entwürfe");
    private static final FolderPath CHILD = FolderPath.of("Entwürfe", "Grüße 日本");

    /** A folder the store did not create: its name reaches the store only through LIST. */
    private static final FolderPath EXISTING = FolderPath.of("Archiv", "Ärger");

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

    /** Creates the folders, lists them, and opens, reads the status of and lists the new one. */
    private static void exercise(ImapStore store) throws MailStoreException {
        store.createFolder(CHILD);
        assertThat(store.listFolders())
                .extracting(FolderInfo::path)
                .contains(FolderPath.INBOX, PARENT, CHILD, EXISTING);
        try (MailFolder folder = store.openFolder(CHILD)) {
            FolderStatus status = folder.status();
            assertThat(status.messageCount()).isZero();
            List<List<MessageInfo>> batches = new ArrayList<>();
            folder.list(MessageQuery.all(), batches::add);
            assertThat(batches).isEmpty();
        }
    }

    @Test
    void withUtf8AcceptNamesTravelAsRawUtf8InQuotedStrings() throws Exception {
        try (ScriptedImapServer server = new ScriptedImapServer(true, "Archiv/Ärger")) {
            try (ImapStore store = connect(server)) {
                exercise(store);
            }
            assertThat(server.mailboxes()).contains("Entwürfe", "Entwürfe/Grüße 日本");
            List<String> commands = server.commands();
            assertThat(commands)
                    .contains(
                            "ENABLE UTF8=ACCEPT",
                            "CREATE \"Entwürfe\"",
                            "CREATE \"Entwürfe/Grüße 日本\"",
                            "SELECT \"Entwürfe/Grüße 日本\"",
                            "STATUS \"Entwürfe/Grüße 日本\" (MESSAGES UIDNEXT UIDVALIDITY)");
            assertThat(commands).noneMatch(c -> c.contains("&"));
            // The exact bytes: UTF-8, not a literal and not re-encoded (ü is C3 BC, 日 is E6 97 A5).
            byte[] create = "CREATE \"Entwürfe/Grüße 日本\"".getBytes(StandardCharsets.UTF_8);
            assertThat(server.received()).anySatisfy(line -> assertThat(line).endsWith(create));
        }
    }

    @Test
    void withoutUtf8AcceptNamesTravelAsModifiedUtf7() throws Exception {
        try (ScriptedImapServer server = new ScriptedImapServer(false, "Archiv/Ärger")) {
            try (ImapStore store = connect(server)) {
                exercise(store);
            }
            assertThat(server.mailboxes()).contains("Entwürfe", "Entwürfe/Grüße 日本");
            List<String> commands = server.commands();
            // ü is U+00FC, ß U+00DF, 日本 U+65E5 U+672C: UTF-16BE in BASE64 with ',' for '/' (RFC 3501 5.1.3).
            assertThat(commands)
                    .contains(
                            "CREATE Entw&APw-rfe",
                            "CREATE \"Entw&APw-rfe/Gr&APwA3w-e &ZeVnLA-\"",
                            "SELECT \"Entw&APw-rfe/Gr&APwA3w-e &ZeVnLA-\"",
                            "STATUS \"Entw&APw-rfe/Gr&APwA3w-e &ZeVnLA-\" (MESSAGES UIDNEXT UIDVALIDITY)");
            assertThat(commands).noneMatch(c -> c.startsWith("ENABLE"));
            assertThat(server.received()).allSatisfy(line -> {
                for (byte b : line) {
                    assertThat(b & 0xff).isLessThan(0x80);
                }
            });
        }
    }
}
