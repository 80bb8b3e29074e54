package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NotBlank;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.mailsync.imap.ImapEndpoint.InvalidEndpointException;
import org.mailsync.imap.ImapEndpoint.Problem;

class ImapEndpointTest {
    @Test
    void eachSchemeGivesItsSecurityAndDefaultPort() {
        assertThat(ImapEndpoint.parse("imap://bob@mail.example.org"))
                .isEqualTo(new ImapEndpoint(Security.NONE, "mail.example.org", 143, "bob"));
        assertThat(ImapEndpoint.parse("IMAP+STARTTLS://bob@Mail.Example.org/"))
                .isEqualTo(new ImapEndpoint(Security.STARTTLS, "mail.example.org", 143, "bob"));
        assertThat(ImapEndpoint.parse("imaps://bob@mail.example.org:1993"))
                .isEqualTo(new ImapEndpoint(Security.TLS, "mail.example.org", 1993, "bob"));
    }

    @Test
    void aServerAloneHasNoUser() {
        assertThat(ImapEndpoint.parse("imaps://127.0.0.1"))
                .isEqualTo(new ImapEndpoint(Security.TLS, "127.0.0.1", 993, null));
        assertThat(ImapEndpoint.parse("imap://[::1]:10143"))
                .isEqualTo(new ImapEndpoint(Security.NONE, "::1", 10143, null));
    }

    @Test
    void aLoginThatIsAnAddressMayKeepItsAtSignOrEscapeIt() {
        assertThat(ImapEndpoint.parse("imaps://anna@example.com@mail.example.com")
                        .user())
                .isEqualTo("anna@example.com");
        assertThat(ImapEndpoint.parse("imaps://anna%40example.com@mail.example.com")
                        .user())
                .isEqualTo("anna@example.com");
        assertThat(ImapEndpoint.parse("imaps://j%C3%B6rg@mail.example.com").user())
                .isEqualTo("jörg");
    }

    @Test
    void everyRefusalNamesItsRuleAndNeverRepeatsTheText() {
        assertRefused("imaps://bob:s3cret@host", Problem.PASSWORD_IN_URI);
        assertRefused("s3cret", Problem.NOT_IMAP);
        assertRefused("s3cret with spaces://bob@host", Problem.NOT_IMAP);
        assertRefused("imaps://@host", Problem.EMPTY_USER);
        assertRefused("imaps://s3cret%zz@host", Problem.BAD_USER_ESCAPE);
        assertRefused("imaps://bob@s3cret_host", Problem.BAD_HOST);
        assertRefused("imaps://bob@[s3cret]", Problem.BAD_HOST);
        assertRefused("imaps://bob@host/INBOX s3cret", Problem.NOT_JUST_A_SERVER);
        assertRefused("imaps://bob@[::1]s3cret", Problem.NOT_JUST_A_SERVER);
        assertRefused("imaps://bob@host:s3cret", Problem.BAD_PORT);
        assertRefused("imaps://bob@host:70000", Problem.BAD_PORT);
    }

    @Test
    void aSchemeLikeWordIsNamedSoThatTheUserSeesWhatIsWrong() {
        assertThatThrownBy(() -> ImapEndpoint.parse("pop3://bob@host")).hasMessageContaining("unknown scheme pop3");
    }

    /**
     * The builder's parser used java.net.URI, whose syntax errors quote the whole input: a password
     * typed by mistake into the URI ended up in the message (and in the log).
     */
    @Test
    void theBuilderNoLongerQuotesAMalformedUri() {
        assertThatThrownBy(() -> ImapStore.builder().endpoint("imaps://bob@host/ s3cret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    @Property
    void theUriReadsBackAsTheSameEndpoint(
            @ForAll Security security,
            @ForAll @AlphaChars @StringLength(min = 1, max = 20) String hostLabel,
            @ForAll @IntRange(min = 1, max = 65535) int port,
            @ForAll
                    @NotBlank
                    @AlphaChars
                    @NumericChars
                    @Chars({'@', '%', ':', '.', '-', '_', 'ö'})
                    @StringLength(max = 30)
                    String user) {
        ImapEndpoint endpoint = new ImapEndpoint(security, hostLabel.toLowerCase(java.util.Locale.ROOT), port, user);
        assertThat(ImapEndpoint.parse(endpoint.uri())).isEqualTo(endpoint);
    }

    private static void assertRefused(String text, Problem problem) {
        assertThatThrownBy(() -> ImapEndpoint.parse(text))
                .isInstanceOfSatisfying(InvalidEndpointException.class, e -> assertThat(e.problem())
                        .isEqualTo(problem))
                .hasMessageNotContaining("s3cret");
    }
}
