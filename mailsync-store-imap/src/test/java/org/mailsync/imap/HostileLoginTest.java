package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mailsync.AuthenticationException;
import org.mailsync.ConnectionException;

/** Logins against servers that lack what the client needs: an OAuth mechanism, a working STARTTLS. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileLoginTest {
    private static final String TOKEN = "ya29.a0-secret-token";

    /** Whether any line the client sent carries the token, as it is or inside base64. */
    private static boolean leaks(List<String> lines) {
        for (String line : lines) {
            if (line.contains(TOKEN)) {
                return true;
            }
            for (String word : line.split("[ \"]+")) {
                try {
                    String decoded = new String(Base64.getDecoder().decode(word), StandardCharsets.UTF_8);
                    if (decoded.contains(TOKEN)) {
                        return true;
                    }
                } catch (IllegalArgumentException notBase64) {
                    // Not base64: checked as it is above.
                }
            }
        }
        return false;
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    @Test
    void anOAuthTokenIsNeverSentAsAPasswordToAServerWithoutOAuth() throws Exception {
        try (HostileImapServer server = new HostileImapServer().capabilities("IMAP4rev1 AUTH=PLAIN AUTH=LOGIN")) {
            assertThatThrownBy(() -> server.storeBuilder().oauth2(() -> TOKEN).connect())
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("neither OAUTHBEARER nor XOAUTH2");
            assertThat(server.commandNames()).doesNotContain("LOGIN", "AUTHENTICATE");
            assertThat(leaks(server.received())).isFalse();
        }
    }

    @Test
    void oauthBearerIsPreferredAndCarriesUserHostPortAndToken() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                .capabilities("IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER NAMESPACE")
                .on("AUTHENTICATE", (s, c) -> {
                    String[] words = c.line().split(" ");
                    boolean ok =
                            words[2].equals("OAUTHBEARER") && decode(words[3]).contains("auth=Bearer " + TOKEN);
                    s.send(c.tag() + (ok ? " OK authenticated" : " NO wrong"));
                    return true;
                })) {
            try (ImapStore store = server.storeBuilder().oauth2(() -> TOKEN).connect()) {
                assertThat(store.listFolders()).isNotEmpty();
            }
            String authenticate = server.received().stream()
                    .filter(l -> l.contains("AUTHENTICATE"))
                    .findFirst()
                    .orElseThrow();
            String[] words = authenticate.split(" ");
            assertThat(words[2]).isEqualTo("OAUTHBEARER");
            assertThat(decode(words[3]))
                    .isEqualTo("n,a=anna,\u0001host=127.0.0.1\u0001port=" + server.port() + "\u0001auth=Bearer " + TOKEN
                            + "\u0001\u0001");
            assertThat(server.commandNames()).doesNotContain("LOGIN");
        }
    }

    @Test
    void aRefusedOAuthBearerIsAnsweredWithTheDummyResponseAndFailsAsALoginError() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                .capabilities("IMAP4rev1 AUTH=OAUTHBEARER")
                .on("AUTHENTICATE", (s, c) -> {
                    s.send("+ ");
                    s.readLine(); // the initial response, without SASL-IR
                    s.send("+ "
                            + Base64.getEncoder()
                                    .encodeToString("{\"status\":\"invalid_token\"}".getBytes(StandardCharsets.UTF_8)));
                    String dummy = s.readLine();
                    s.send(c.tag() + (dummy.equals("AQ==") ? " NO [AUTHENTICATIONFAILED] invalid token" : " BAD"));
                    return true;
                })) {
            assertThatThrownBy(() -> server.storeBuilder().oauth2(() -> TOKEN).connect())
                    .isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("invalid token");
            assertThat(server.received()).contains("AQ==");
            assertThat(server.commandNames()).doesNotContain("LOGIN");
        }
    }

    @Test
    void xoauth2IsUsedWhenItIsTheOnlyMechanism() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                .capabilities("IMAP4rev1 SASL-IR AUTH=XOAUTH2 NAMESPACE")
                .on("AUTHENTICATE", (s, c) -> {
                    boolean ok = c.line().contains("XOAUTH2")
                            && decode(c.line().split(" ")[3]).contains("auth=Bearer " + TOKEN);
                    s.send(c.tag() + (ok ? " OK authenticated" : " NO wrong"));
                    return true;
                })) {
            try (ImapStore store = server.storeBuilder().oauth2(() -> TOKEN).connect()) {
                assertThat(store.listFolders()).isNotEmpty();
            }
            assertThat(server.commandNames()).contains("AUTHENTICATE").doesNotContain("LOGIN");
        }
    }

    @Test
    void starttlsAnsweredWithNoIsAConnectionFailureNotARefusedLogin() throws Exception {
        try (HostileImapServer server = new HostileImapServer()
                .capabilities("IMAP4rev1 STARTTLS AUTH=PLAIN")
                .on("STARTTLS", (s, c) -> {
                    s.send(c.tag() + " NO [UNAVAILABLE] TLS is not available right now");
                    return true;
                })) {
            assertThatThrownBy(() -> ImapStore.builder()
                            .host("127.0.0.1")
                            .port(server.port())
                            .security(Security.STARTTLS)
                            .username("anna")
                            .password("secret".toCharArray())
                            .retry(RetryPolicy.NONE)
                            .connect())
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("refused STARTTLS");
            assertThat(server.commandNames()).contains("STARTTLS").doesNotContain("LOGIN", "AUTHENTICATE");
        }
    }
}
