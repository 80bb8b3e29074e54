package org.mailsync.imap;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.MailStoreContract;

/**
 * The IMAP store keeps the store contract against a real Dovecot with its default capabilities
 * (UIDPLUS, CONDSTORE, QRESYNC, MULTIAPPEND, SPECIAL-USE), Maildir++ with separator '.'. One
 * Dovecot for the class, a fresh user (an empty account) for each test.
 */
@Tag("dovecot")
class DovecotContractTest extends MailStoreContract {
    private static final AtomicInteger USERS = new AtomicInteger();
    private static DovecotServer dovecot;
    private String user;

    /** The server options of this variant. */
    static DovecotServer.Options options() {
        return DovecotServer.Options.defaults();
    }

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = Dovecots.startWithUsers("user", options());
    }

    @AfterAll
    static void stopDovecot() throws Exception {
        dovecot.close();
    }

    @BeforeEach
    void newUser() {
        // Dovecot rereads its passwd-file only when the mtime changes: users are made up front.
        user = "user" + USERS.incrementAndGet();
    }

    @Override
    protected MailStore openStore() throws Exception {
        return Dovecots.store(dovecot, user);
    }

    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of("a.b"));
    }

    /** Builds stores on a test Dovecot. Thread-safe (stateless). */
    static final class Dovecots {
        /** Users made by {@link #startWithUsers}: more than any test class needs. */
        static final int USERS = 60;

        private Dovecots() {}

        /**
         * Starts Dovecot with users {@code prefix1..prefix60}, password {@code pw-<user>}. All at
         * once: Dovecot notices a changed passwd-file by its mtime, so two users added within one
         * second would leave the second unknown.
         */
        static DovecotServer startWithUsers(String prefix, DovecotServer.Options options) throws Exception {
            DovecotServer server = DovecotServer.start(options);
            // Past the second in which Dovecot may have read the (empty) file at start.
            Thread.sleep(1100);
            for (int i = 1; i <= USERS; i++) {
                server.addUser(prefix + i, "pw-" + prefix + i);
            }
            return server;
        }

        static ImapStore store(DovecotServer server, String user) throws Exception {
            return builder(server, user).connect();
        }

        static ImapStore.Builder builder(DovecotServer server, String user) {
            return ImapStore.builder()
                    .host(server.host())
                    .port(server.port())
                    .security(Security.NONE)
                    .username(user)
                    .password(("pw-" + user).toCharArray())
                    .readTimeout(Duration.ofSeconds(30));
        }
    }
}
