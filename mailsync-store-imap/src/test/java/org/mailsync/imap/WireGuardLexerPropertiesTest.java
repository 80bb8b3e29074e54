package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.ResponseInputStream;

/**
 * The guard's lexer reads responses exactly as Angus Mail's {@link ResponseInputStream} does:
 * fed the same bytes, both see the same number of responses end, and with a bound no response
 * Angus Mail returns is larger than the bound, whatever the bytes (braces, digits, signs, CRs and
 * literals in any order, literal data included).
 */
class WireGuardLexerPropertiesTest {
    @Provide
    Arbitrary<byte[]> streams() {
        Arbitrary<String> atom =
                Arbitraries.of("{", "}", "-", "0", "7", "42", "a", " ", "\r", "\r\n", "}\r\n", "(", ")");
        Arbitrary<String> literal = Combinators.combine(
                        Arbitraries.integers().between(0, 12),
                        Arbitraries.strings().withChars("{}-05\r\nx ").ofMaxLength(12))
                .as((n, data) -> {
                    String body = (data + "xxxxxxxxxxxx").substring(0, n);
                    return "{" + n + "}\r\n" + body;
                });
        return Arbitraries.oneOf(atom, atom, literal).list().ofMaxSize(40).map(parts -> (String.join("", parts)
                        + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Runs Angus Mail's reader over the bytes, each read passed through the lexer first. */
    private static List<Integer> angusResponses(byte[] stream, WireGuard.Lexer lexer, int chunk) {
        return read(stream, lexer, chunk).sizes();
    }

    /** The sizes of the responses Angus Mail returned, and how reading ended. */
    private record Outcome(List<Integer> sizes, IOException end) {}

    private static Outcome read(byte[] stream, WireGuard.Lexer lexer, int chunk) {
        InputStream scanned = new FilterInputStream(new ByteArrayInputStream(stream)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, Math.min(len, chunk));
                if (n > 0) {
                    lexer.scan(b, off, n);
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }
        };
        ResponseInputStream angus = new ResponseInputStream(scanned);
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            try {
                ByteArray response = angus.readResponse();
                sizes.add(response.getCount());
            } catch (IOException endOrViolation) {
                // The end of the bytes (Angus Mail: "Connection dropped"), or the lexer refused.
                return new Outcome(sizes, endOrViolation);
            }
        }
    }

    @Property(tries = 2000)
    void theLexerSeesTheResponsesAngusMailSees(@ForAll("streams") byte[] stream) {
        WireGuard.Lexer lexer = new WireGuard.Lexer(Long.MAX_VALUE / 4);
        List<Integer> sizes = angusResponses(stream, lexer, 7);
        assertThat(lexer.responses()).isEqualTo(sizes.size());
    }

    @Property(tries = 2000)
    void noResponseAngusMailReturnsIsLargerThanTheBound(@ForAll("streams") byte[] stream) {
        int bound = 24;
        List<Integer> sizes = angusResponses(stream, new WireGuard.Lexer(bound), 5);
        assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(bound));
    }

    @Property(tries = 200)
    void aChunkedStreamIsReadAsAWholeOne(@ForAll("streams") byte[] stream) {
        WireGuard.Lexer whole = new WireGuard.Lexer(Long.MAX_VALUE / 4);
        WireGuard.Lexer oneByOne = new WireGuard.Lexer(Long.MAX_VALUE / 4);
        angusResponses(stream, whole, 1 << 16);
        angusResponses(stream, oneByOne, 1);
        assertThat(oneByOne.responses()).isEqualTo(whole.responses());
    }

    @Property(tries = 1)
    void aHugeAnnouncementIsRefusedBeforeItsBytes() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes("* 1 FETCH (BODY[] {2000000000}\r\n".getBytes(StandardCharsets.US_ASCII));
        Outcome outcome = read(stream.toByteArray(), new WireGuard.Lexer(1 << 20), 4096);
        assertThat(outcome.sizes()).isEmpty();
        assertThat(outcome.end()).isInstanceOf(WireGuard.Violation.class).hasMessageContaining("2000000000");
    }
}
