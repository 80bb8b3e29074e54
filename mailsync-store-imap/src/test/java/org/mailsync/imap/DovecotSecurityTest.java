package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.AuthenticationException;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.spi.support.PinningTrustManager;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * TLS, STARTTLS and logins against a real Dovecot with a self-signed certificate: a pinned
 * certificate works, an unpinned one fails with its fingerprint, STARTTLS is required, a wrong
 * password is an authentication error that is not retried, and a master user logs in as another.
 */
@Tag("dovecot")
class DovecotSecurityTest {
    private static DovecotServer tls;
    private static DovecotServer plainOnly;
    private static String fingerprint;

    @BeforeAll
    static void start() throws Exception {
        tls = DovecotContractTest.Dovecots.startWithUsers(
                "sec", DovecotServer.Options.defaults().withTls());
        tls.addMasterUser("admin", "admin-pw-41");
        plainOnly = DovecotContractTest.Dovecots.startWithUsers("plain", DovecotServer.Options.defaults());
        try (InputStream in = Files.newInputStream(tls.certificate())) {
            X509Certificate cert =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            fingerprint = PinningTrustManager.fingerprint(cert);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        tls.close();
        plainOnly.close();
    }

    private static ImapStore.Builder builder(Security security, int port, String user) {
        return ImapStore.builder()
                .host("localhost")
                .port(port)
                .security(security)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .readTimeout(Duration.ofSeconds(20))
                .retry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10)));
    }

    private static void assertWorks(ImapStore store) throws Exception {
        try (store;
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(TestMessages.simple("over tls", "x"))) {
            inbox.append(new AppendRequest(raw, Flags.NONE, java.time.Instant.parse("2024-01-01T00:00:00Z")));
            assertThat(inbox.status().messageCount()).isPositive();
        }
    }

    @Test
    void tlsWithPinnedCertificateWorks() throws Exception {
        assertWorks(builder(Security.TLS, tls.tlsPort(), "sec1")
                .trustCertificateSha256(fingerprint)
                .connect());
    }

    @Test
    void starttlsWithPinnedCertificateWorks() throws Exception {
        assertWorks(builder(Security.STARTTLS, tls.port(), "sec2")
                .trustCertificateSha256(fingerprint.replace(":", "").toLowerCase(java.util.Locale.ROOT))
                .connect());
    }

    @Test
    void aGivenTrustStoreHoldingTheCertificateIsTrusted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(tls.certificate())) {
            store.setCertificateEntry(
                    "dovecot", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        java.nio.file.Path file = dir.resolve("trust.p12");
        try (var out = Files.newOutputStream(file)) {
            store.store(out, "store-pw".toCharArray());
        }
        assertWorks(builder(Security.TLS, tls.tlsPort(), "sec6")
                .trustStore(file, "store-pw".toCharArray())
                .connect());
    }

    @Test
    void unpinnedSelfSignedCertificateFailsShowingSubjectAndFingerprint() {
        for (Security security : List.of(Security.TLS, Security.STARTTLS)) {
            int port = security == Security.TLS ? tls.tlsPort() : tls.port();
            assertThatThrownBy(() -> builder(security, port, "sec3").connect())
                    .isInstanceOf(StoreFailureException.class)
                    .hasMessageContaining("not trusted")
                    .hasMessageContaining("CN=localhost")
                    .hasMessageContaining(fingerprint)
                    .hasMessageNotContaining("pw-sec3");
        }
    }

    @Test
    void pinnedCertificateStillHasItsHostNameChecked() {
        assertThatThrownBy(() -> ImapStore.builder()
                        .host("127.0.0.1")
                        .port(tls.tlsPort())
                        .security(Security.TLS)
                        .username("sec4")
                        .password("pw-sec4".toCharArray())
                        .trustCertificateSha256(fingerprint)
                        .retry(RetryPolicy.NONE)
                        .connect())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("do not include the host 127.0.0.1")
                .hasMessageNotContaining("pw-sec4");
    }

    @Test
    void starttlsIsRequiredNeverAPlainTextFallback() {
        assertThatThrownBy(() -> builder(Security.STARTTLS, plainOnly.port(), "plain1")
                        .trustCertificateSha256(fingerprint)
                        .connect())
                .isInstanceOf(StoreFailureException.class)
                .hasMessageContaining("STARTTLS");
    }

    @Test
    void wrongPasswordIsAnAuthenticationErrorNamingTheAccountAndIsNotRetried() {
        List<Duration> sleeps = new ArrayList<>();
        assertThatThrownBy(() -> ImapStore.builder()
                        .host(plainOnly.host())
                        .port(plainOnly.port())
                        .security(Security.NONE)
                        .username("plain2")
                        .password("Wrong-Secret-97".toCharArray())
                        .sleeper(sleeps::add)
                        .connect())
                .isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("imap://plain2@127.0.0.1:" + plainOnly.port())
                .hasMessageNotContaining("Wrong-Secret-97");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void masterUserLogsInAsAnotherUserWithAnAuthorizationId() throws Exception {
        byte[] bytes = TestMessages.simple("for the admin", "x");
        try (ImapStore owner = builder(Security.TLS, tls.tlsPort(), "sec5")
                        .trustCertificateSha256(fingerprint)
                        .connect();
                MailFolder inbox = owner.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(bytes)) {
            inbox.append(new AppendRequest(raw, Flags.NONE, java.time.Instant.parse("2024-01-01T00:00:00Z")));
        }
        ImapStore viaAuthzid = ImapStore.builder()
                .host("localhost")
                .port(tls.tlsPort())
                .security(Security.TLS)
                .trustCertificateSha256(fingerprint)
                .username("admin")
                .authorizationId("sec5")
                .password("admin-pw-41".toCharArray())
                .connect();
        // Dovecot's own form: user*master with the master's password (auth_master_user_separator).
        ImapStore viaStar = ImapStore.builder()
                .host("localhost")
                .port(tls.tlsPort())
                .security(Security.TLS)
                .trustCertificateSha256(fingerprint)
                .username("sec5*admin")
                .password("admin-pw-41".toCharArray())
                .connect();
        for (ImapStore store : List.of(viaAuthzid, viaStar)) {
            try (store;
                    MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                List<MessageInfo> all = new ArrayList<>();
                inbox.list(MessageQuery.all(), all::addAll);
                assertThat(all).hasSize(1);
                assertThat(inbox.read(all.get(0).uid()).orElseThrow().toByteArray())
                        .isEqualTo(bytes);
            }
        }
        assertThat(viaAuthzid.account()).contains("sec5");
    }
}
