package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Capability;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.MailStoreContract;

/**
 * The store contract against a Dovecot whose {@code imap_capability} leaves out LITERAL+ and
 * MULTIAPPEND, as Courier does: every APPEND carries one message and waits for the server's
 * continuation before its literal.
 */
@Tag("dovecot")
class DovecotWithoutLiteralPlusContractTest extends MailStoreContract {
    static final String CAPABILITIES_WITHOUT_LITERAL_PLUS_AND_MULTIAPPEND =
            "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT UNSELECT CHILDREN"
                    + " NAMESPACE UIDPLUS LIST-EXTENDED MOVE SPECIAL-USE CONDSTORE QRESYNC";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static DovecotServer dovecot;
    private String user;

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = DovecotContractTest.Dovecots.startWithUsers(
                "lit",
                DovecotServer.Options.defaults().withExtraConfig(CAPABILITIES_WITHOUT_LITERAL_PLUS_AND_MULTIAPPEND));
    }

    @AfterAll
    static void stopDovecot() throws Exception {
        dovecot.close();
    }

    @BeforeEach
    void newUser() {
        // Dovecot rereads its passwd-file only when the mtime changes: users are made up front.
        user = "lit" + USERS.incrementAndGet();
    }

    @Override
    protected MailStore openStore() throws Exception {
        return DovecotContractTest.Dovecots.store(dovecot, user);
    }

    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of("a.b"));
    }

    @Test
    void declaresNoBatchAppendButAppendUidAndModSeq() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(dovecot, user)) {
            assertThat(store.capabilities().has(Capability.BATCH_APPEND)).isFalse();
            assertThat(store.capabilities().has(Capability.APPEND_UID)).isTrue();
            assertThat(store.capabilities().has(Capability.MODSEQ)).isTrue();
            assertThat(store.serverHas("LITERAL+")).isFalse();
        }
    }
}
