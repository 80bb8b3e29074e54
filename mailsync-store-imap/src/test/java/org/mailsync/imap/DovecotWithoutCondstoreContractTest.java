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
 * The store contract against a Dovecot whose {@code imap_capability} leaves out CONDSTORE and
 * QRESYNC: the store declares no MODSEQ or VANISHED and lists by UID and flags.
 */
@Tag("dovecot")
class DovecotWithoutCondstoreContractTest extends MailStoreContract {
    static final String CAPABILITIES_WITHOUT_CONDSTORE = "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID"
            + " ENABLE IDLE SORT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED MOVE LITERAL+"
            + " SPECIAL-USE";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static DovecotServer dovecot;
    private String user;

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = DovecotContractTest.Dovecots.startWithUsers(
                "plain", DovecotServer.Options.defaults().withExtraConfig(CAPABILITIES_WITHOUT_CONDSTORE));
    }

    @AfterAll
    static void stopDovecot() throws Exception {
        dovecot.close();
    }

    @BeforeEach
    void newUser() {
        // Dovecot rereads its passwd-file only when the mtime changes: users are made up front.
        user = "plain" + USERS.incrementAndGet();
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
    void declaresNoModSeqOrVanishedButAppendUidAndBatchAppend() throws Exception {
        try (ImapStore store = DovecotContractTest.Dovecots.store(dovecot, user)) {
            assertThat(store.capabilities().has(Capability.MODSEQ)).isFalse();
            assertThat(store.capabilities().has(Capability.VANISHED)).isFalse();
            assertThat(store.capabilities().has(Capability.APPEND_UID)).isTrue();
            assertThat(store.capabilities().has(Capability.BATCH_APPEND)).isTrue();
        }
    }
}
