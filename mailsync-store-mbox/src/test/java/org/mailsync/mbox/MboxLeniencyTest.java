package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** What real mbox files carry that a strict reader would lose: a BOM, blank lines, sloppy dates. */
class MboxLeniencyTest {
    @TempDir
    Path dir;

    private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
    private static final String TWO = "From a@example.org Thu Feb 29 13:14:15 2024\nSubject: one\n\nbody\n\n"
            + "From b@example.org Thu Feb 29 13:14:16 2024\nSubject: two\n\nbody\n\n";

    private List<String> read(byte[] content, List<String> warnings) throws Exception {
        Files.write(dir.resolve("box"), content);
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder f = store.openFolder(FolderPath.of("box"))) {
            List<MessageInfo> infos = new ArrayList<>();
            f.list(MessageQuery.all(), infos::addAll);
            List<String> out = new ArrayList<>();
            for (MessageInfo info : infos) {
                try (RawMessage raw = f.read(info.uid()).orElseThrow()) {
                    out.add(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1));
                }
            }
            warnings.addAll(f.warnings());
            return out;
        }
    }

    private static byte[] concat(byte[] a, String b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b.getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    @Test
    void aByteOrderMarkBeforeTheFirstFromLineKeepsTheFirstMessageAndIsNoted() throws Exception {
        List<String> warnings = new ArrayList<>();
        assertThat(read(concat(BOM, TWO), warnings))
                .containsExactly("Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\nbody\r\n");
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w)
                .contains("UTF-8 byte order mark before the first From line; skipped"));
    }

    @Test
    void blankLinesBeforeTheFirstFromLineAreSkippedAndNoted() throws Exception {
        List<String> warnings = new ArrayList<>();
        assertThat(read(("\n\r\n \n" + TWO).getBytes(StandardCharsets.ISO_8859_1), warnings))
                .containsExactly("Subject: one\r\n\r\nbody\r\n", "Subject: two\r\n\r\nbody\r\n");
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w).contains("3 blank line(s)"));
        warnings.clear();
        assertThat(read(concat(BOM, "\n\n" + TWO), warnings)).hasSize(2);
        assertThat(warnings).singleElement().satisfies(w -> assertThat(w)
                .contains("a UTF-8 byte order mark and 2 blank line(s)"));
    }

    @Test
    void aFlagChangeInAFileWithAByteOrderMarkKeepsTheMark() throws Exception {
        Files.write(dir.resolve("box"), concat(BOM, TWO));
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder f = store.openFolder(FolderPath.of("box"))) {
            List<MessageInfo> infos = new ArrayList<>();
            f.list(MessageQuery.all(), infos::addAll);
            f.delete(List.of(infos.get(1).uid()));
        }
        byte[] after = Files.readAllBytes(dir.resolve("box"));
        assertThat(new String(after, 0, 8, StandardCharsets.ISO_8859_1))
                .isEqualTo(new String(concat(BOM, "From "), StandardCharsets.ISO_8859_1));
        assertThat(read(after, new ArrayList<>())).containsExactly("Subject: one\r\n\r\nbody\r\n");
    }

    @Test
    void looksLikeMboxAcceptsWhatTheScannerReads() {
        assertThat(MboxScanner.looksLikeMbox(new byte[0])).isTrue();
        assertThat(MboxScanner.looksLikeMbox("From a Thu".getBytes(StandardCharsets.US_ASCII)))
                .isTrue();
        assertThat(MboxScanner.looksLikeMbox(concat(BOM, "From a"))).isTrue();
        assertThat(MboxScanner.looksLikeMbox(concat(BOM, "\r\n\n \t\nFrom a"))).isTrue();
        assertThat(MboxScanner.looksLikeMbox("\n\nFrom ".getBytes(StandardCharsets.US_ASCII)))
                .isTrue();
        assertThat(MboxScanner.looksLikeMbox("  From a".getBytes(StandardCharsets.US_ASCII)))
                .isFalse();
        assertThat(MboxScanner.looksLikeMbox("\n\nFro".getBytes(StandardCharsets.US_ASCII)))
                .isFalse();
        assertThat(MboxScanner.looksLikeMbox("Dear diary\nFrom a".getBytes(StandardCharsets.US_ASCII)))
                .isFalse();
        assertThat(MboxScanner.looksLikeMbox(BOM)).isFalse();
        assertThat(MboxScanner.looksLikeMbox("\n\n".getBytes(StandardCharsets.US_ASCII)))
                .isFalse();
    }

    @Test
    void dateHeadersAreReadLenientlyAndFallbacksAreNotedOncePerFolderWithCounts() throws Exception {
        Path file = dir.resolve("box");
        Files.writeString(
                file,
                // 2 March 2026 is a Monday: the weekday is wrong, the date is still good.
                "From someone sometime\nDate: Fri, 2 Mar 2026 10:00:00 +0100\n\na\n\n"
                        + "From someone else\nDate: 2 Mar 26 10:00 EST\n\nb\n\n"
                        + "From someone sometime\nDate: Mon, 2 Mar 2026 10:00:00\n\nc\n\n"
                        + "From nobody never\n\nd\n\n",
                StandardCharsets.ISO_8859_1);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-05-05T05:05:05Z")));
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder f = store.openFolder(FolderPath.of("box"))) {
            List<MessageInfo> infos = new ArrayList<>();
            f.list(MessageQuery.all(), infos::addAll);
            assertThat(infos)
                    .extracting(MessageInfo::internalDate)
                    .containsExactly(
                            Instant.parse("2026-03-02T09:00:00Z"),
                            Instant.parse("2026-03-02T15:00:00Z"),
                            Instant.parse("2026-03-02T10:00:00Z"),
                            Instant.parse("2025-05-05T05:05:05Z"));
            assertThat(f.warnings()).singleElement().satisfies(w -> assertThat(w)
                    .contains("4 message(s)")
                    .contains("the Date header for 3 (1 of them without a zone, read as UTC)")
                    .contains("the file's modification time for 1"));
        }
    }
}
