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
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * Issue 11: for arbitrary messages, an IMAP-shaped in-memory store → mbox → in-memory store,
 * through the sync engine, gives back every message byte for byte with its flags, keywords and
 * internal date. The messages carry what broke it: header lines named like the status headers an
 * mbox reader takes flags from (with values of every shape, also exactly our own block's),
 * {@code From } and {@code >From } body lines, no final line end, CRLF and bare LF, 8-bit bytes.
 */
class MboxEngineRoundTripPropertiesTest {
    private static final Instant EARLIEST = Instant.parse("1995-01-01T00:00:00Z");

    record Mail(byte[] bytes, Flags flags, Instant date) {
        @Override
        public String toString() {
            return new String(bytes, StandardCharsets.ISO_8859_1)
                            .replace("\r", "\\r")
                            .replace("\n", "\\n\n") + " " + flags + " " + date;
        }
    }

    enum Target {
        PLAIN_LF(MboxLayout.PLAIN_DIRECTORIES, LineEnding.LF),
        PLAIN_CRLF(MboxLayout.PLAIN_DIRECTORIES, LineEnding.CRLF),
        THUNDERBIRD_LF(MboxLayout.THUNDERBIRD, LineEnding.LF);

        final MboxLayout layout;
        final LineEnding eol;

        Target(MboxLayout layout, LineEnding eol) {
            this.layout = layout;
            this.eol = eol;
        }
    }

    @Property(tries = 60)
    void memoryToMboxToMemoryIsTheIdentity(@ForAll("mails") List<Mail> mails, @ForAll Target target) throws Exception {
        // A bare LF cannot survive an LF file (it comes back as CRLF, as MBOX.md says): only the
        // CRLF file gets messages with any line ends.
        List<Mail> input = target.eol == LineEnding.CRLF
                ? mails
                : mails.stream().map(m -> crlfOnly(m)).toList();
        Path dir = Files.createTempDirectory("mbox-engine");
        try (InMemoryStore source = InMemoryStore.create("memory:source");
                InMemoryStore back = InMemoryStore.create("memory:back")) {
            try (MailFolder inbox = source.openFolder(FolderPath.INBOX)) {
                for (Mail m : input) {
                    inbox.append(new AppendRequest(RawMessage.of(m.bytes()), m.flags(), m.date()));
                }
            }
            try (MboxStore mbox = MboxStore.builder()
                    .root(dir.resolve("mbox"))
                    .layout(target.layout)
                    .lineEnding(target.eol)
                    .build()) {
                sync(source, mbox, dir.resolve("cp1"));
            }
            try (MboxStore mbox = MboxStore.builder()
                    .root(dir.resolve("mbox"))
                    .layout(target.layout)
                    .build()) {
                sync(mbox, back, dir.resolve("cp2"));
            }
            try (MailFolder inbox = back.openFolder(FolderPath.INBOX)) {
                List<MessageInfo> infos = new ArrayList<>();
                inbox.list(MessageQuery.all(), infos::addAll);
                assertThat(infos).hasSize(input.size());
                for (int i = 0; i < input.size(); i++) {
                    Mail m = input.get(i);
                    MessageInfo info = infos.get(i);
                    try (RawMessage raw = inbox.read(info.uid()).orElseThrow()) {
                        assertThat(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1))
                                .as("message %s", i)
                                .isEqualTo(new String(m.bytes(), StandardCharsets.ISO_8859_1));
                    }
                    assertThat(info.flags()).as("flags of message %s", i).isEqualTo(m.flags());
                    assertThat(info.internalDate()).isEqualTo(m.date());
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void sync(MailStore from, MailStore to, Path checkpoints) throws Exception {
        SyncReport report = SyncEngine.builder()
                .source(from)
                .target(to)
                .checkpointDirectory(checkpoints)
                .build()
                .run();
        assertThat(report.verdict()).isEqualTo(SyncReport.Verdict.COMPLETE);
    }

    static Mail crlfOnly(Mail m) {
        String s = new String(m.bytes(), StandardCharsets.ISO_8859_1)
                .replace("\r\n", "\n")
                .replace("\r", "")
                .replace("\n", "\r\n");
        return new Mail(s.getBytes(StandardCharsets.ISO_8859_1), m.flags(), m.date());
    }

    @Provide
    Arbitrary<List<Mail>> mails() {
        return mail().list().ofMinSize(1).ofMaxSize(5);
    }

    static Arbitrary<Mail> mail() {
        Arbitrary<String> statusName = Arbitraries.of(
                "Status",
                "X-Status",
                "X-Keywords",
                "X-UID",
                "X-IMAPbase",
                "X-IMAP",
                "X-Mozilla-Status",
                "X-Mozilla-Status2",
                "X-Mozilla-Keys",
                "Content-Length",
                "status",
                "X-UID ");
        Arbitrary<String> statusValue = Arbitraries.oneOf(
                Arbitraries.of("RO", "O", "AFTD", "0009", "00200000", "$label1 Work   ", "5", "0", "12 0000000042", ""),
                Arbitraries.integers().between(0, 400).map(String::valueOf),
                text());
        Arbitrary<String> statusLine =
                Combinators.combine(statusName, statusValue).as((n, v) -> n + ": " + v);
        Arbitrary<List<String>> ownBlock = Arbitraries.just(
                List.of("X-Keywords: Spoof", "Status: RO", "X-Status: AF", "Content-Length: 3", "X-UID: 9"));
        Arbitrary<String> otherHeader = Arbitraries.oneOf(
                Arbitraries.of("From: Alice <alice@example.org>", "Subject: Grüße", "Return-Path: <b@example.org>"),
                text().map(t -> "X-Test: " + t),
                text().map(t -> "\t" + t));
        Arbitrary<List<String>> headers = Arbitraries.oneOf(
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, statusLine), net.jqwik.api.Tuple.of(2, otherHeader))
                        .list()
                        .ofMaxSize(6),
                ownBlock);
        Arbitrary<String> bodyLine = Arbitraries.oneOf(
                Arbitraries.of(
                        "From here",
                        "From ",
                        ">From there",
                        ">>From deeper",
                        "",
                        "From me Thu Feb 29 13:14:15 2024",
                        "Status: RO"),
                text());
        Arbitrary<List<String>> body = bodyLine.list().ofMaxSize(6);
        Arbitrary<Boolean> blankLine = Arbitraries.of(true, true, false);
        Arbitrary<Boolean> finalEol = Arbitraries.of(true, false);
        Arbitrary<List<String>> eols =
                Arbitraries.of("\r\n", "\r\n", "\n").list().ofSize(16);
        Arbitrary<byte[]> bytes = Combinators.combine(headers, blankLine, body, finalEol, eols)
                .as((h, blank, b, fin, e) -> build(h, blank, b, fin, e));
        Arbitrary<Flags> flags = Combinators.combine(
                        Arbitraries.of(Flag.SEEN, Flag.ANSWERED, Flag.FLAGGED, Flag.DRAFT)
                                .set(),
                        Arbitraries.of("$Forwarded", "$Junk", "Work", "$label1").set())
                .as(Flags::of);
        Arbitrary<Instant> dates =
                Arbitraries.longs().between(0, 30L * 365 * 24 * 3600).map(EARLIEST::plusSeconds);
        return Combinators.combine(bytes, flags, dates).as(Mail::new);
    }

    private static byte[] build(
            List<String> headers, boolean blank, List<String> body, boolean finalEol, List<String> eols) {
        List<String> lines = new ArrayList<>(headers);
        if (blank) {
            lines.add("");
            lines.addAll(body);
        }
        if (lines.isEmpty()) {
            lines.add("Subject: empty");
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

    /** Header-safe text of 8-bit bytes (no CR, LF or NUL). */
    private static Arbitrary<String> text() {
        return Arbitraries.chars()
                .range('\u0001', '\u00ff')
                .filter(c -> c != '\r' && c != '\n')
                .list()
                .ofMaxSize(20)
                .map(cs -> {
                    StringBuilder s = new StringBuilder();
                    cs.forEach(s::append);
                    return s.toString();
                });
    }
}
