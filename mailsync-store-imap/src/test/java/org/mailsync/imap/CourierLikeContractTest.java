package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mailsync.Capability;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/**
 * The store contract on {@link CourierLikeImapServer}: no UIDPLUS (no APPENDUID, no UID
 * EXPUNGE: deletes refuse when other messages carry {@code \Deleted}), no MOVE (UID COPY and a
 * delete), no LITERAL+, MULTIAPPEND, CONDSTORE or QRESYNC, {@code INBOX.} with {@code .}, and new
 * messages visible to a session only after a NOOP. A fresh server for each test.
 */
class CourierLikeContractTest extends MailStoreContract {
    private static final List<CourierLikeImapServer> SERVERS = new ArrayList<>();
    private CourierLikeImapServer server;

    @BeforeEach
    void newServer() throws Exception {
        server = new CourierLikeImapServer();
        SERVERS.add(server);
    }

    /** Closed after the contract has closed its stores, which log out. */
    @AfterAll
    static void stopServers() throws Exception {
        for (CourierLikeImapServer s : SERVERS) {
            assertThat(s.violations()).isEmpty();
            s.close();
        }
    }

    @Override
    protected MailStore openStore() throws Exception {
        return CourierLikeSyncTest.target(server);
    }

    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of("a.b"));
    }

    @Test
    void declaresWhatACourierLikeServerOffers() throws Exception {
        try (ImapStore store = CourierLikeSyncTest.target(server)) {
            assertThat(store.capabilities().all())
                    .containsExactlyInAnyOrder(Capability.KEYWORDS, Capability.SUBSCRIPTIONS);
            assertThat(store.namespacePrefix()).isEqualTo("INBOX.");
            assertThat(store.separator()).isEqualTo('.');
        }
    }
}
