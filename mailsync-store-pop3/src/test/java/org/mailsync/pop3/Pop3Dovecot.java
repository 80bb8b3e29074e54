package org.mailsync.pop3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.testing.DovecotServer;

/**
 * A test Dovecot with POP3 on, users {@code prefix1..prefixN} (password {@code pw-<user>}), mail
 * delivered by writing into the user's Maildir (as a local delivery agent does), and stores on it.
 * Thread-safe (stateless but for a counter).
 */
final class Pop3Dovecot {
    static final int USERS = 40;
    private static final AtomicLong DELIVERIES = new AtomicLong();

    private Pop3Dovecot() {}

    /** Starts Dovecot with POP3 and the users made up front (it rereads its passwd-file by mtime). */
    static DovecotServer start(String prefix, DovecotServer.Options options) throws Exception {
        DovecotServer server =
                DovecotServer.start(options.withPop3().withExtraConfig("mail_max_userip_connections = 200"));
        Thread.sleep(1100);
        for (int i = 1; i <= USERS; i++) {
            server.addUser(prefix + i, "pw-" + prefix + i);
        }
        return server;
    }

    /** Puts a message into the user's INBOX as a delivery agent would: a new file in Maildir/new. */
    static void deliver(DovecotServer server, String user, byte[] message) throws IOException {
        Path maildir = server.home(user).resolve("Maildir");
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(maildir.resolve(sub));
        }
        long n = DELIVERIES.incrementAndGet();
        Path tmp = maildir.resolve("tmp").resolve("t" + n);
        Files.write(tmp, message);
        Files.move(tmp, maildir.resolve("new").resolve(System.currentTimeMillis() / 1000 + ".M" + n + "P1.test"));
        server.chownIfRoot(maildir);
    }

    static Pop3Store.Builder builder(DovecotServer server, String user, Path state) {
        return Pop3Store.builder()
                .host(server.host())
                .port(server.pop3Port())
                .security(Pop3Security.NONE)
                .username(user)
                .password(() -> ("pw-" + user).toCharArray())
                .stateDirectory(state);
    }

    /** The same user's IMAP account on the same Dovecot (a target for the sync tests). */
    static ImapStore.Builder imap(DovecotServer server, String user) {
        return ImapStore.builder()
                .host(server.host())
                .port(server.port())
                .security(Security.NONE)
                .username(user)
                .password(() -> ("pw-" + user).toCharArray());
    }
}
