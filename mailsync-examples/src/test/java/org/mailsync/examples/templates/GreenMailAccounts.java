package org.mailsync.examples.templates;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.TestMessages;

/** Small mailboxes on GreenMail for the template tests. */
final class GreenMailAccounts {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    private GreenMailAccounts() {}

    static String endpoint(GreenMailExtension server) {
        return "imap://anna@127.0.0.1:" + server.getImap().getPort();
    }

    static ImapStore open(GreenMailExtension server, String password) throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(server.getImap().getPort())
                .security(Security.NONE)
                .username("anna")
                .password(password.toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect();
    }

    /**
     * Creates parent folders on the target before a test syncs into it. The engine's folder
     * workers create a shared parent concurrently, and GreenMail refuses the second CREATE with a
     * plain NO instead of RFC 5530's [ALREADYEXISTS], which the IMAP store accepts; real servers
     * send the code. (The mailsync CLI serialises its creates; see SerialFolderCreation.)
     */
    static void createParents(GreenMailExtension server, String password, FolderPath... parents) throws Exception {
        try (ImapStore store = open(server, password)) {
            for (FolderPath parent : parents) {
                store.createFolder(parent);
            }
        }
    }

    /** INBOX with 4 messages, "Gesendet" with 2, "Projekte/Büro" with 1; flags and keywords mixed. */
    static void fill(GreenMailExtension server, String password) throws Exception {
        try (ImapStore store = open(server, password)) {
            store.createFolder(FolderPath.of("Gesendet"));
            store.createFolder(FolderPath.of("Projekte", "Büro"));
            append(store, FolderPath.INBOX, 4);
            append(store, FolderPath.of("Gesendet"), 2);
            append(store, FolderPath.of("Projekte", "Büro"), 1);
        }
    }

    private static void append(ImapStore store, FolderPath folder, int count) throws Exception {
        try (MailFolder f = store.openFolder(folder)) {
            for (int i = 0; i < count; i++) {
                byte[] bytes = i == 1
                        ? TestMessages.withAttachment(30_000, i)
                        : TestMessages.simple(folder + " " + i, "Grüße " + i);
                try (RawMessage raw = RawMessage.of(bytes)) {
                    Flags flags =
                            i % 2 == 0 ? Flags.of(Set.of(Flag.SEEN, Flag.ANSWERED), Set.of("$Forwarded")) : Flags.NONE;
                    f.append(new AppendRequest(raw, flags, Instant.parse("2024-02-1" + i + "T09:00:00Z")));
                }
            }
        }
    }
}
