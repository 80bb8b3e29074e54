package org.mailsync.pop3;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Flags;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.ReadOnlyMailStoreContract;

/** The POP3 store keeps the read-only store contract against GreenMail's POP3 server (in-process). */
class GreenMailPop3ContractTest extends ReadOnlyMailStoreContract {
    private static final AtomicInteger USERS = new AtomicInteger();

    @RegisterExtension
    final GreenMailExtension greenMail = new GreenMailExtension(ServerSetupTest.POP3.dynamicPort());

    @TempDir
    Path state;

    private String user;

    @BeforeEach
    void newUser() {
        user = "gm" + USERS.incrementAndGet();
        greenMail.setUser(user + "@example.org", user, "pw-" + user);
    }

    @Override
    protected MailStore openStore() throws Exception {
        return Pop3Store.builder()
                .host("127.0.0.1")
                .port(greenMail.getPop3().getPort())
                .security(Pop3Security.NONE)
                .username(user)
                .password(() -> ("pw-" + user).toCharArray())
                .stateDirectory(state)
                .connect();
    }

    /**
     * GreenMail's RETR drops the empty line that ends a message without a body (Dovecot keeps it:
     * {@link DovecotPop3ContractTest} reads that shape byte for byte).
     */
    @Override
    protected Map<String, byte[]> shapes() {
        Map<String, byte[]> shapes = new LinkedHashMap<>(super.shapes());
        shapes.remove("empty body");
        return shapes;
    }

    @Override
    @SuppressWarnings("JavaUtilDate") // GreenMail's API takes a Date
    protected void deposit(byte[] message) throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message));
        greenMail
                .getManagers()
                .getImapHostManager()
                .getInbox(greenMail.getUserManager().getUser(user))
                .appendMessage(m, new Flags(), Date.from(java.time.Instant.parse("2024-02-29T13:14:15Z")));
    }
}
