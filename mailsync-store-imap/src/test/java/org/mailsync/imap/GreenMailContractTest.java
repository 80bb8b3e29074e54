package org.mailsync.imap;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mailsync.FolderPath;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.MailStoreContract;

/** The IMAP store keeps the store contract against GreenMail (in-process; separator '.', UIDPLUS, no CONDSTORE). */
class GreenMailContractTest extends MailStoreContract {
    static {
        GreenMailQuirks.keepRawHeaderBytes();
    }

    @RegisterExtension
    final GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @BeforeEach
    void user() {
        greenMail.setUser("alice@example.org", "alice", "s3cret-pw");
    }

    @Override
    protected MailStore openStore() throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(greenMail.getImap().getPort())
                .security(Security.NONE)
                .username("alice")
                .password("s3cret-pw".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect();
    }

    @Override
    protected Optional<FolderPath> unholdableFolder() {
        return Optional.of(FolderPath.of("a.b"));
    }
}
