package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * Random messages, written by one store and read back by a fresh one, come back unchanged: bytes,
 * flags and internal dates. The messages carry what breaks mbox code: body lines starting {@code
 * From } and {@code >From } (and deeper), no final line end, empty lines, continuation lines,
 * 8-bit bytes. For the reversible variants (mboxrd, mboxcl2), in both line endings, read with the
 * variant detected and forced.
 *
 * <p>In an LF file a message's line ends must be CRLF (as the SPI's are); in a CRLF file any bytes
 * go, bare CR and bare LF included.
 */
class MboxRoundTripPropertiesTest {
    private static final Instant EARLIEST = Instant.parse("1990-01-01T00:00:00Z");

    record Mail(byte[] bytes, Flags flags, Instant date) {
        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.ISO_8859_1)
                            .replace("\r", "\\r")
                            .replace("\n", "\\n\n") + " " + flags + " " + date;
        }
    }

    @Property(tries = 150)
    void mboxrdLfRoundTrips(@ForAll("crlfMessages") List<Mail> mails, @ForAll boolean forced) throws Exception {
        roundTrip(mails, MboxFormat.MBOXRD, LineEnding.LF, forced);
    }

    @Property(tries = 150)
    void mboxrdCrlfRoundTrips(@ForAll("anyMessages") List<Mail> mails, @ForAll boolean forced) throws Exception {
        roundTrip(mails, MboxFormat.MBOXRD, LineEnding.CRLF, forced);
    }

    @Property(tries = 150)
    void mboxcl2LfRoundTrips(@ForAll("crlfMessages") List<Mail> mails, @ForAll boolean forced) throws Exception {
        roundTrip(mails, MboxFormat.MBOXCL2, LineEnding.LF, forced);
    }

    @Property(tries = 150)
    void mboxcl2CrlfRoundTrips(@ForAll("anyMessages") List<Mail> mails, @ForAll boolean forced) throws Exception {
        roundTrip(mails, MboxFormat.MBOXCL2, LineEnding.CRLF, forced);
    }

    private static void roundTrip(List<Mail> mails, MboxFormat format, LineEnding eol, boolean forced)
            throws Exception {
        Path dir = Files.createTempDirectory("mbox-prop");
        try {
            try (MboxStore writer = MboxStore.builder()
                            .root(dir)
                            .format(format)
                            .lineEnding(eol)
                            .build();
                    MailFolder inbox = writer.openFolder(FolderPath.INBOX)) {
                // Half one by one, half as one batch: both paths write the same file.
                int half = mails.size() / 2;
                for (Mail m : mails.subList(0, half)) {
                    try (RawMessage raw = RawMessage.of(m.bytes())) {
                        inbox.append(new AppendRequest(raw, m.flags(), m.date()));
                    }
                }
                List<AppendRequest> batch = new ArrayList<>();
                for (Mail m : mails.subList(half, mails.size())) {
                    batch.add(new AppendRequest(RawMessage.of(m.bytes()), m.flags(), m.date()));
                }
                inbox.appendAll(batch);
            }
            MboxStore.Builder reader = MboxStore.builder().root(dir);
            if (forced) {
                reader.readFormat(format);
            }
            try (MboxStore store = reader.build();
                    MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                List<MessageInfo> infos = new ArrayList<>();
                inbox.list(MessageQuery.all(), infos::addAll);
                assertThat(infos).hasSize(mails.size());
                for (int i = 0; i < mails.size(); i++) {
                    Mail m = mails.get(i);
                    MessageInfo info = infos.get(i);
                    try (RawMessage raw = inbox.read(info.uid()).orElseThrow()) {
                        assertThat(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1))
                                .as("message %s", i)
                                .isEqualTo(new String(m.bytes(), StandardCharsets.ISO_8859_1));
                    }
                    assertThat(info.size()).isEqualTo(m.bytes().length);
                    assertThat(info.flags()).isEqualTo(m.flags());
                    assertThat(info.internalDate()).isEqualTo(m.date());
                }
                // NUL bytes are kept and reported; nothing else may look damaged.
                assertThat(store.scanReport(FolderPath.INBOX).problems())
                        .allSatisfy(p -> assertThat(p.description()).startsWith("NUL byte"));
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Provide
    Arbitrary<List<Mail>> crlfMessages() {
        return mails(false).list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<Mail>> anyMessages() {
        return mails(true).list().ofMinSize(1).ofMaxSize(6);
    }

    private static Arbitrary<Mail> mails(boolean anyBytes) {
        Arbitrary<String> headerLine = Arbitraries.oneOf(
                Arbitraries.of("From: Alice <alice@example.org>", "To: bob@example.org", "Subject: Grüße"),
                text(false).map(t -> "X-Test: " + t),
                text(false).map(t -> " continued " + t));
        Arbitrary<String> bodyLine = Arbitraries.oneOf(
                Arbitraries.of(
                        "From here on",
                        "From ",
                        ">From there",
                        ">>From deeper",
                        ">>>From deepest",
                        "From: not a header in the body",
                        "",
                        ">",
                        "From"),
                text(anyBytes));
        Arbitrary<List<String>> headers = headerLine.list().ofMaxSize(4);
        Arbitrary<List<String>> body = bodyLine.list().ofMaxSize(8);
        Arbitrary<String> shape = Arbitraries.of("normal", "noBlankLine", "bodyOnly", "empty");
        Arbitrary<Boolean> finalEol = Arbitraries.of(true, false);
        Arbitrary<byte[]> bytes = Combinators.combine(headers, body, shape, finalEol, eols(anyBytes))
                .as((h, b, s, fin, eolList) -> build(h, b, s, fin, eolList));
        Arbitrary<Flags> flags = Combinators.combine(
                        Arbitraries.of(Flag.class).set(),
                        Arbitraries.of("$Forwarded", "$Junk", "Work", "$label1", "NonJunk")
                                .set())
                .as(Flags::of);
        Arbitrary<Instant> dates =
                Arbitraries.longs().between(0, 40L * 365 * 24 * 3600).map(EARLIEST::plusSeconds);
        return Combinators.combine(bytes, flags, dates).as(Mail::new);
    }

    private static Arbitrary<List<String>> eols(boolean anyBytes) {
        return (anyBytes ? Arbitraries.of("\r\n", "\r\n", "\n") : Arbitraries.just("\r\n"))
                .list()
                .ofSize(20);
    }

    private static byte[] build(
            List<String> headers, List<String> body, String shape, boolean finalEol, List<String> eols) {
        List<String> lines = new ArrayList<>();
        switch (shape) {
            case "normal" -> {
                lines.addAll(headers);
                lines.add("");
                lines.addAll(body);
            }
            case "noBlankLine" -> lines.addAll(headers);
            case "bodyOnly" -> lines.addAll(body);
            default -> {}
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            out.writeBytes(lines.get(i).getBytes(StandardCharsets.ISO_8859_1));
            if (i < lines.size() - 1 || finalEol) {
                out.writeBytes(eols.get(i % eols.size()).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    /** Text of any byte values (as ISO-8859-1 chars), without line ends unless {@code anyBytes}. */
    private static Arbitrary<String> text(boolean anyBytes) {
        Arbitrary<Character> chars = anyBytes
                ? Arbitraries.chars().range('\0', '\u00ff')
                : Arbitraries.chars().range('\0', '\u00ff').filter(c -> c != '\r' && c != '\n');
        return chars.list().ofMaxSize(30).map(cs -> {
            StringBuilder s = new StringBuilder();
            cs.forEach(s::append);
            return s.toString();
        });
    }
}
