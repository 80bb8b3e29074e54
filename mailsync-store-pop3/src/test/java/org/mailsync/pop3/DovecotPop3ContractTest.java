package org.mailsync.pop3;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.ReadOnlyMailStoreContract;

/** The POP3 store keeps the read-only store contract against a real Dovecot POP3 server (UIDL, TOP). */
@Tag("dovecot")
class DovecotPop3ContractTest extends ReadOnlyMailStoreContract {
    private static final AtomicInteger USERS = new AtomicInteger();
    private static DovecotServer dovecot;
    private String user;

    @TempDir
    Path state;

    @BeforeAll
    static void startDovecot() throws Exception {
        dovecot = Pop3Dovecot.start("pc", DovecotServer.Options.defaults());
    }

    @AfterAll
    static void stopDovecot() throws Exception {
        dovecot.close();
    }

    @BeforeEach
    void newUser() {
        user = "pc" + USERS.incrementAndGet();
    }

    @Override
    protected MailStore openStore() throws Exception {
        return Pop3Dovecot.builder(dovecot, user, state).connect();
    }

    @Override
    protected void deposit(byte[] message) throws Exception {
        Pop3Dovecot.deliver(dovecot, user, message);
    }
}
