package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.eclipse.angus.mail.iap.Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.spi.support.PinningTrustManager;
import org.mailsync.testing.DovecotServer;

/**
 * Every connection has TCP_NODELAY set, with each security: without it, an APPEND that waits for
 * the server's continuation (no LITERAL+) costs a delayed ACK, about 40 ms per message. Angus
 * Mail keeps its socket to itself, so the test reads it by reflection.
 */
@Tag("dovecot")
class TcpNoDelayTest {
    private static DovecotServer tls;
    private static String fingerprint;

    @BeforeAll
    static void start() throws Exception {
        tls = DovecotContractTest.Dovecots.startWithUsers(
                "nd", DovecotServer.Options.defaults().withTls());
        try (InputStream in = Files.newInputStream(tls.certificate())) {
            X509Certificate cert =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            fingerprint = PinningTrustManager.fingerprint(cert);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        tls.close();
    }

    /** The socket under a connection of the store's pool. */
    static Socket socketOf(ImapStore store) throws Exception {
        Connection c = store.pool().borrow();
        try {
            return c.call((p, conn) -> {
                try {
                    Field socket = Protocol.class.getDeclaredField("socket");
                    socket.setAccessible(true);
                    return (Socket) socket.get(p);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("Angus Mail's Protocol has no socket field any more", e);
                }
            });
        } finally {
            store.pool().release(c);
        }
    }

    @Test
    void plainConnectionsHaveNoDelay() throws Exception {
        try (CourierLikeImapServer server = new CourierLikeImapServer();
                ImapStore store = CourierLikeSyncTest.target(server)) {
            Socket socket = socketOf(store);
            assertThat(socket).isNotInstanceOf(SSLSocket.class);
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void tlsConnectionsHaveNoDelay() throws Exception {
        try (ImapStore store = builder(Security.TLS, tls.tlsPort(), "nd1").connect()) {
            Socket socket = socketOf(store);
            assertThat(socket).isInstanceOf(SSLSocket.class);
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    @Test
    void starttlsConnectionsHaveNoDelay() throws Exception {
        try (ImapStore store = builder(Security.STARTTLS, tls.port(), "nd2").connect()) {
            Socket socket = socketOf(store);
            // A layered SSLSocket answers for the plain socket it wraps.
            assertThat(socket).isInstanceOf(SSLSocket.class);
            assertThat(socket.getTcpNoDelay()).isTrue();
        }
    }

    private static ImapStore.Builder builder(Security security, int port, String user) {
        return ImapStore.builder()
                .host("localhost")
                .port(port)
                .security(security)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .trustCertificateSha256(fingerprint)
                .readTimeout(Duration.ofSeconds(20));
    }
}
