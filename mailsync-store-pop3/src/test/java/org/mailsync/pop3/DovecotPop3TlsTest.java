package org.mailsync.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.support.PinningTrustManager;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * POP3S and STLS against a real Dovecot with a self-signed certificate: a pinned certificate
 * works on both, an unpinned one fails with its fingerprint before the password is sent.
 */
@Tag("dovecot")
class DovecotPop3TlsTest {
    private static DovecotServer dovecot;
    private static String fingerprint;

    @TempDir
    Path state;

    @BeforeAll
    static void start() throws Exception {
        dovecot = Pop3Dovecot.start("tls", DovecotServer.Options.defaults().withTls());
        try (InputStream in = Files.newInputStream(dovecot.certificate())) {
            X509Certificate cert =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            fingerprint = PinningTrustManager.fingerprint(cert);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        dovecot.close();
    }

    private Pop3Store.Builder builder(Pop3Security security, int port, String user) {
        return Pop3Store.builder()
                .host("localhost")
                .port(port)
                .security(security)
                .username(user)
                .password(() -> ("pw-" + user).toCharArray())
                .stateDirectory(state);
    }

    /** Reads over TLS, with every byte (TLS records included) through the store's guard. */
    private static void assertReads(Pop3Store store) throws Exception {
        try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.status().messageCount()).isEqualTo(1);
            Session session = ((Pop3Folder) inbox).session();
            assertThat(session.tls()).isTrue();
            long before = session.guard().totalBytes();
            byte[] bytes;
            try (var raw = inbox.read(org.mailsync.MessageUid.of(1)).orElseThrow()) {
                bytes = raw.toByteArray();
            }
            assertThat(session.guard().totalBytes() - before).isGreaterThanOrEqualTo(bytes.length);
        }
    }

    @Test
    void pop3sWithAPinnedCertificateWorks() throws Exception {
        Pop3Dovecot.deliver(dovecot, "tls1", TestMessages.withAttachment(200_000, 1));
        assertReads(builder(Pop3Security.TLS, dovecot.pop3sPort(), "tls1")
                .trustCertificateSha256(fingerprint)
                .connect());
    }

    @Test
    void stlsWithAPinnedCertificateWorks() throws Exception {
        Pop3Dovecot.deliver(dovecot, "tls2", TestMessages.withAttachment(200_000, 2));
        assertReads(builder(Pop3Security.STLS, dovecot.pop3Port(), "tls2")
                .trustCertificateSha256(fingerprint.replace(":", "").toLowerCase(java.util.Locale.ROOT))
                .connect());
    }

    @Test
    void anUntrustedCertificateFailsWithItsFingerprint() {
        assertThatThrownBy(() ->
                        builder(Pop3Security.TLS, dovecot.pop3sPort(), "tls3").connect())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(PinningTrustManager.UNTRUSTED)
                .hasMessageContaining(fingerprint);
        assertThatThrownBy(() ->
                        builder(Pop3Security.STLS, dovecot.pop3Port(), "tls3").connect())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining(fingerprint);
        assertThat(dovecot.readLog()).doesNotContain("user=<tls3>, method=PLAIN");
    }

    @Test
    void aPinnedCertificateForAnotherHostNameIsRefused() {
        assertThatThrownBy(() -> Pop3Store.builder()
                        .host("127.0.0.1")
                        .port(dovecot.pop3sPort())
                        .security(Pop3Security.TLS)
                        .username("tls4")
                        .password(() -> "pw-tls4".toCharArray())
                        .trustCertificateSha256(fingerprint)
                        .stateDirectory(state)
                        .connect())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("do not include the host 127.0.0.1");
    }
}
