package org.mailsync.imap;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.CourierServer;
import org.mailsync.testing.MailStoreContract;

/**
 * The store contract against a real Courier-IMAP 5.0 with its default capabilities (no CONDSTORE,
 * QRESYNC, MOVE, MULTIAPPEND, LITERAL+ or SPECIAL-USE; {@code INBOX.} with {@code .}), one fresh
 * Maildir per case.
 */
@Tag("courier")
class CourierContractTest extends MailStoreContract {
    private CourierServer courier;

    @BeforeEach
    void startCourier() throws Exception {
        courier = CourierServer.start();
    }

    @AfterEach
    void stopCourier() throws Exception {
        courier.close();
    }

    @Override
    protected Optional<FolderPath> unholdableFolder() {
        // Courier separates with '.', so a segment holding one cannot be a folder name there.
        return Optional.of(FolderPath.of("a.b"));
    }

    @Override
    protected MailStore openStore() throws Exception {
        return store(courier).connect();
    }

    static ImapStore.Builder store(CourierServer server) {
        // Courier's imapd runs pre-authenticated: the greeting is PREAUTH and no password is sent.
        return ImapStore.builder()
                .host(server.host())
                .port(server.port())
                .security(Security.NONE)
                .username("mailsync")
                .password("unused".toCharArray())
                .readTimeout(Duration.ofSeconds(30));
    }
}
