package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** Reading hand-made mbox files of every variant, and the damage real files have. */
class MboxReadingTest {
    @TempDir
    Path dir;

    private Path mbox(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, content.getBytes(StandardCharsets.ISO_8859_1));
        return file;
    }

    private MboxStore store(MboxFormat forced) {
        MboxStore.Builder b = MboxStore.builder().root(dir);
        if (forced != null) {
            b.readFormat(forced);
        }
        return b.build();
    }

    private static List<MessageInfo> list(MailFolder f) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        f.list(MessageQuery.all(), all::addAll);
        return all;
    }

    private static List<String> bodies(MailFolder f) throws Exception {
        List<String> out = new ArrayList<>();
        for (MessageInfo info : list(f)) {
            try (RawMessage raw = f.read(info.uid()).orElseThrow()) {
                assertThat(raw.size()).isEqualTo(info.size());
                out.add(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    private List<String> read(String name, MboxFormat forced) throws Exception {
        try (MboxStore store = store(forced);
                MailFolder f = store.openFolder(FolderPath.of(name))) {
            return bodies(f);
        }
    }

    private static final String A = "From alice@example.org Thu Feb 29 13:14:15 2024\n";
    private static final String B = "From bob@example.org Fri Mar  1 08:00:00 2024\n";

    @Test
    void mboxrdUnescapesOneLevelOfQuotedFromLines() throws Exception {
        mbox("rd", A + "Subject: a\n\n>From x\n>>From y\nFrom: kept\n\n" + B + "Subject: b\n\nbody\n\n");
        assertThat(read("rd", null))
                .containsExactly("Subject: a\r\n\r\nFrom x\r\n>From y\r\nFrom: kept\r\n", "Subject: b\r\n\r\nbody\r\n");
    }

    @Test
    void mboxoUnescapesOnlyGreaterFromAndIsLossyForQuotedLines() throws Exception {
        mbox("o", A + "Subject: a\n\n>From x\n>>From y\n\n");
        assertThat(read("o", MboxFormat.MBOXO)).containsExactly("Subject: a\r\n\r\nFrom x\r\n>>From y\r\n");
    }

    @Test
    void mboxcl2ContentLengthFramesABodyWithBareFromLines() throws Exception {
        String body = "From the start\n\nFrom me to you Thu Feb 29 13:14:15 2024\n>From quoted\n";
        mbox(
                "cl2",
                A + "Content-Length: " + body.length() + "\nSubject: a\n\n" + body + "\n" + B + "Subject: b\n\nx\n\n");
        String expected = "Subject: a\r\n\r\n" + body.replace("\n", "\r\n");
        assertThat(read("cl2", null)).containsExactly(expected, "Subject: b\r\n\r\nx\r\n");
        assertThat(read("cl2", MboxFormat.MBOXCL2)).containsExactly(expected, "Subject: b\r\n\r\nx\r\n");
    }

    @Test
    void mboxclContentLengthFramesAndUnescapesLikeMboxo() throws Exception {
        String body = ">From quoted\nFrom bare\n";
        mbox("cl", A + "Content-Length: " + body.length() + "\n\n" + body + "\n" + B + "\nx\n\n");
        assertThat(read("cl", MboxFormat.MBOXCL)).containsExactly("\r\nFrom quoted\r\nFrom bare\r\n", "\r\nx\r\n");
    }

    @Test
    void wrongContentLengthFallsBackToFromLinesAndForcedFormatReportsIt() throws Exception {
        mbox("bad", A + "Content-Length: 9999\nSubject: a\n\nbody\n\n" + B + "Subject: b\n\nx\n\n");
        assertThat(read("bad", null))
                .containsExactly("Content-Length: 9999\r\nSubject: a\r\n\r\nbody\r\n", "Subject: b\r\n\r\nx\r\n");
        try (MboxStore store = store(MboxFormat.MBOXCL2);
                MailFolder f = store.openFolder(FolderPath.of("bad"))) {
            assertThat(list(f)).hasSize(2);
            assertThat(store.scanReport(FolderPath.of("bad")).problems())
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.messageOrdinal()).isEqualTo(1);
                        assertThat(p.description()).contains("Content-Length 9999");
                    });
        }
    }

    @Test
    void crlfFileIsReadWithoutConversion() throws Exception {
        mbox(
                "crlf",
                A.replace("\n", "\r\n") + "Subject: a\r\n\r\nline\nbare lf\r\n\r\n" + B.replace("\n", "\r\n") + "x");
        assertThat(read("crlf", null)).containsExactly("Subject: a\r\n\r\nline\nbare lf\r\n", "x");
    }

    @Test
    void statusHeadersBecomeFlagsAndLeaveTheBytes() throws Exception {
        mbox(
                "flags",
                A + "Status: RO\nX-Status: AFT\nX-Keywords: $Forwarded Work,\n\tlater\nX-UID: 7\nSubject: a\n\nbody\n\n"
                        + B + "Status: O\nX-Status: D\nSubject: b\n\nx\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("flags"))) {
            List<MessageInfo> all = list(f);
            assertThat(all.get(0).flags())
                    .isEqualTo(Flags.of(
                            Set.of(Flag.SEEN, Flag.ANSWERED, Flag.FLAGGED, Flag.DRAFT),
                            Set.of("$Forwarded", "Work", "later")));
            assertThat(all.get(1).flags()).isEqualTo(Flags.of(Flag.DELETED));
            assertThat(all).extracting(MessageInfo::uid).containsExactly(MessageUid.of(7), MessageUid.of(8));
            assertThat(bodies(f)).containsExactly("Subject: a\r\n\r\nbody\r\n", "Subject: b\r\n\r\nx\r\n");
        }
    }

    @Test
    void fromLineDateIsTheInternalDateInUtcOrItsZone() throws Exception {
        mbox(
                "dates",
                A + "\na\n\n" + "From x@y Thu Feb 29 13:14:15 +0100 2024\n\nb\n\n"
                        + "From - Thu Feb 29 13:14:15 2024 -0500\n\nc\n\n" + "From x@y Thu Feb 29 13:14 2024\n\nd\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("dates"))) {
            assertThat(list(f))
                    .extracting(MessageInfo::internalDate)
                    .containsExactly(
                            Instant.parse("2024-02-29T13:14:15Z"),
                            Instant.parse("2024-02-29T12:14:15Z"),
                            Instant.parse("2024-02-29T18:14:15Z"),
                            Instant.parse("2024-02-29T13:14:00Z"));
        }
    }

    @Test
    void unparseableFromDateFallsBackToTheDateHeaderThenTheFileTimeAndIsReported() throws Exception {
        Path file = mbox(
                "baddate",
                "From someone sometime\nDate: Mon, 2 Mar 2026 10:00:00 +0100\n\na\n\n" + "From nobody never\n\nb\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2025-05-05T05:05:05Z")));
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("baddate"))) {
            assertThat(list(f))
                    .extracting(MessageInfo::internalDate)
                    .containsExactly(Instant.parse("2026-03-02T09:00:00Z"), Instant.parse("2025-05-05T05:05:05Z"));
            // One note for the folder, with counts, not one per message.
            assertThat(store.scanReport(FolderPath.of("baddate")).problems())
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.messageOrdinal()).isEqualTo(1L);
                        assertThat(p.description())
                                .contains("2 message(s)", "From someone sometime")
                                .contains("the Date header for 1")
                                .contains("the file's modification time for 1");
                    });
            assertThat(f.warnings()).anyMatch(w -> w.contains("2 message(s)"));
        }
    }

    @Test
    void truncatedLastMessageIsReadAsFarAsItGoesAndReported() throws Exception {
        mbox("trunc", A + "Subject: a\n\nwhole\n\n" + B + "Subject: b\n\nhalf a li");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("trunc"))) {
            assertThat(bodies(f)).containsExactly("Subject: a\r\n\r\nwhole\r\n", "Subject: b\r\n\r\nhalf a li");
            assertThat(store.scanReport(FolderPath.of("trunc")).problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.description()).contains("truncated"));
            // Appending after a truncated message ends its line first and leaves its bytes alone.
            try (RawMessage raw = RawMessage.of("Subject: c\r\n\r\nnew\r\n".getBytes(StandardCharsets.US_ASCII))) {
                f.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-01-01T00:00:00Z")));
            }
            assertThat(bodies(f))
                    .containsExactly(
                            "Subject: a\r\n\r\nwhole\r\n", "Subject: b\r\n\r\nhalf a li", "Subject: c\r\n\r\nnew\r\n");
        }
    }

    @Test
    void truncatedContentLengthBodyIsReadAsFarAsItGoes() throws Exception {
        mbox("trunccl", A + "Content-Length: 500\n\nshort\n");
        try (MboxStore store = store(MboxFormat.MBOXCL2);
                MailFolder f = store.openFolder(FolderPath.of("trunccl"))) {
            assertThat(bodies(f)).containsExactly("Content-Length: 500\r\n\r\nshort");
            assertThat(store.scanReport(FolderPath.of("trunccl")).problems()).isNotEmpty();
        }
    }

    @Test
    void contentLengthZeroInAHeaderThatRunsToTheEndOfTheFileIsKeptAsContent() throws Exception {
        // Found by MboxScannerFuzzTest: this once gave a negative size.
        mbox("cl0", A + "Content-Length: 0\n");
        assertThat(read("cl0", null)).containsExactly("Content-Length: 0");
    }

    @Test
    void aFileThatIsNotAnMboxIsAClearFolderErrorAndIsNotListed() throws Exception {
        mbox("notes.txt", "Dear diary,\ntoday I wrote no mail.\n");
        try (MboxStore store = store(null)) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).doesNotContain(FolderPath.of("notes.txt"));
            try (MailFolder f = store.openFolder(FolderPath.of("notes.txt"))) {
                assertThatThrownBy(f::status)
                        .isInstanceOf(FolderUnusableException.class)
                        .hasMessageContaining("not an mbox file")
                        .hasMessageContaining("Dear diary")
                        .hasMessageContaining("notes.txt");
            }
        }
    }

    @Test
    void bytesBeforeTheFirstFromLineAreSkippedAndReported() throws Exception {
        mbox("junk", "garbage\nmore garbage\n" + A + "\nbody\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("junk"))) {
            assertThat(bodies(f)).containsExactly("\r\nbody\r\n");
            assertThat(store.scanReport(FolderPath.of("junk")).problems())
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.offset()).isZero();
                        assertThat(p.description()).contains("21 bytes before the first From line");
                    });
        }
    }

    @Test
    void nulBytesAreKeptAndReportedWithTheirOffset() throws Exception {
        mbox("nul", A + "\nbin\0ary\n\n" + B + "\nok\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("nul"))) {
            assertThat(bodies(f)).containsExactly("\r\nbin\0ary\r\n", "\r\nok\r\n");
            assertThat(store.scanReport(FolderPath.of("nul")).problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.offset()).isEqualTo(A.length() + 4));
        }
    }

    @Test
    void fromLineWithoutBlankLineBeforeItSplitsOnlyWhenItsDateParses() throws Exception {
        mbox("split", A + "\nfirst\nFrom my point of view\nFrom x@y Thu Feb 29 13:14:15 2024\n\nb\n\n");
        assertThat(read("split", null)).containsExactly("\r\nfirst\r\nFrom my point of view", "\r\nb\r\n");
    }

    @Test
    void xImapBaseGivesGenerationAndNextId() throws Exception {
        mbox(
                "dovecot",
                A + "X-IMAPbase: 1234567 0000000042 $Junk\nX-UID: 40\nStatus: RO\n\na\n\n" + B + "X-UID: 41\n\nb\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("dovecot"))) {
            FolderStatus status = f.status();
            assertThat(status.generation().value()).isEqualTo(1234567);
            assertThat(status.nextUid()).isEqualTo(MessageUid.of(42));
            assertThat(list(f)).extracting(MessageInfo::uid).containsExactly(MessageUid.of(40), MessageUid.of(41));
            assertThat(bodies(f)).containsExactly("\r\na\r\n", "\r\nb\r\n");
        }
    }

    @Test
    void cClientPseudoMessageIsHiddenAndGivesTheUidState() throws Exception {
        mbox(
                "cclient",
                "From MAILER-DAEMON Thu Feb 29 13:14:15 2024\nSubject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
                        + "X-IMAP: 0987654 0000000010\n\nThis text is part of the internal format of your mail folder.\n\n"
                        + A + "X-UID: 3\n\na\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("cclient"))) {
            assertThat(f.status().generation().value()).isEqualTo(987654);
            assertThat(f.status().nextUid()).isEqualTo(MessageUid.of(10));
            assertThat(f.status().messageCount()).isEqualTo(1);
            assertThat(bodies(f)).containsExactly("\r\na\r\n");
        }
    }

    @Test
    void aFileThatOnlyGrewKeepsItsIdsAndGeneration() throws Exception {
        Path file = mbox("grow", A + "\na\n\n" + B + "\nb\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("grow"))) {
            FolderStatus before = f.status();
            List<MessageInfo> old = list(f);
            // Another program (an MDA) appends a message.
            Files.writeString(file, A + "\nc\n\n", StandardOpenOption.APPEND);
            FolderStatus after = f.status();
            assertThat(after.generation()).isEqualTo(before.generation());
            assertThat(after.messageCount()).isEqualTo(3);
            List<MessageInfo> now = list(f);
            assertThat(now.subList(0, 2)).isEqualTo(old);
            assertThat(now.get(2).uid()).isGreaterThanOrEqualTo(before.nextUid());
            assertThat(bodies(f).get(2)).isEqualTo("\r\nc\r\n");
        }
    }

    @Test
    void aFileRewrittenByAnotherProgramGetsANewGeneration() throws Exception {
        Path file = mbox("compact", A + "\na\n\n" + B + "\nb\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("compact"))) {
            FolderStatus before = f.status();
            // Thunderbird compacts into a new file and renames it over the old one.
            Path temp = dir.resolve("compact.tmp");
            Files.writeString(temp, A + "\na\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            assertThat(f.status().generation()).isNotEqualTo(before.generation());
        }
    }

    @Test
    void aReadChecksTheFromLineSoAnUnnoticedRewriteNeverYieldsWrongBytes() throws Exception {
        String a = A + "\nthe first, longer message\n\n";
        String b = B + "\nsecond\n\n";
        Path file = mbox("swap", a + b);
        FileTime mtime = Files.getLastModifiedTime(file);
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("swap"))) {
            assertThat(list(f)).hasSize(2);
            // Same size, same inode, same modification time: only the content check can tell.
            Files.write(file, (b + a).getBytes(StandardCharsets.ISO_8859_1), StandardOpenOption.TRUNCATE_EXISTING);
            Files.setLastModifiedTime(file, mtime);
            try (RawMessage raw = f.read(MessageUid.of(2)).orElseThrow()) {
                assertThat(new String(raw.toByteArray(), StandardCharsets.ISO_8859_1))
                        .isEqualTo("\r\nthe first, longer message\r\n");
            }
        }
    }

    @Test
    void appendsNeverRewriteTheFile() throws Exception {
        String original = A + "X-UID: 1\n\na\n\n" + B + "\nb\n";
        Path file = mbox("append", original);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("append"))) {
            FolderStatus before = f.status();
            for (int i = 0; i < 3; i++) {
                try (RawMessage raw =
                        RawMessage.of(("Subject: " + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII))) {
                    MessageUid uid = f.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-01-01T00:00:00Z")))
                            .orElseThrow();
                    assertThat(uid.value()).isEqualTo(3 + i);
                }
            }
            assertThat(f.status().generation()).isEqualTo(before.generation());
        }
        assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey())
                .isEqualTo(inode);
        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).startsWith(original);
        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1).substring(original.length()))
                .startsWith("From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nX-Keywords: "
                        + " ".repeat(StatusHeaders.PADDING)
                        + "\nStatus: O\nX-Status: \nContent-Length: 2\nX-UID: 3\nSubject: 0\n\nx\n\n");
    }

    @Test
    void flagChangesOverwriteStatusLinesInPlaceAndRewriteOnlyWhenTheyOutgrowThem() throws Exception {
        Path file = dir.resolve("inbox");
        List<MessageUid> ids = new ArrayList<>();
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < 3; i++) {
                try (RawMessage raw =
                        RawMessage.of(("Subject: " + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII))) {
                    ids.add(f.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-01-01T00:00:00Z")))
                            .orElseThrow());
                }
            }
            Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                    .fileKey();
            long size = Files.size(file);
            Flags some = Flags.of(Set.of(Flag.SEEN, Flag.ANSWERED, Flag.FLAGGED, Flag.DRAFT), Set.of("$Junk", "Work"));
            f.storeFlags(List.of(ids.get(0), ids.get(2)), FlagsUpdateMode.REPLACE, some);
            f.storeFlags(List.of(ids.get(1)), FlagsUpdateMode.ADD, Flags.of(Flag.DELETED));
            assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                            .fileKey())
                    .as("changed in place, not rewritten")
                    .isEqualTo(inode);
            assertThat(Files.size(file)).isEqualTo(size);
            assertThat(list(f)).extracting(MessageInfo::flags).containsExactly(some, Flags.of(Flag.DELETED), some);
            // More keywords than the padding holds: the file is rewritten instead.
            Set<String> many = new java.util.TreeSet<>();
            for (int i = 0; i < 20; i++) {
                many.add("keyword" + i);
            }
            f.storeFlags(List.of(ids.get(1)), FlagsUpdateMode.ADD, Flags.of(Set.of(), many));
            assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class)
                            .fileKey())
                    .isNotEqualTo(inode);
        }
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.INBOX)) {
            assertThat(list(f)).extracting(MessageInfo::uid).isEqualTo(ids);
            assertThat(list(f).get(1).flags().keywords()).hasSize(20);
            assertThat(list(f).get(0).flags().keywords()).containsExactly("$Junk", "Work");
            assertThat(bodies(f))
                    .containsExactly("Subject: 0\r\n\r\nx\r\n", "Subject: 1\r\n\r\nx\r\n", "Subject: 2\r\n\r\nx\r\n");
        }
    }

    @Test
    void writtenFromLineCarriesTheReturnPathAndTheDate() throws Exception {
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of("Return-Path: <bounce@example.org>\r\nSubject: s\r\n\r\nb\r\n"
                        .getBytes(StandardCharsets.US_ASCII))) {
            f.append(new AppendRequest(raw, Flags.of(Flag.SEEN), Instant.parse("2024-02-29T13:14:15.900Z")));
        }
        assertThat(Files.readString(dir.resolve("inbox")))
                .startsWith("From bounce@example.org Thu Feb 29 13:14:15 2024\nX-IMAPbase: ")
                .contains("\nStatus: RO\nX-Status: \nContent-Length: 2\nX-UID: 1\nReturn-Path: <bounce@example.org>\n"
                        + "Subject: s\n\nb\n\n");
    }

    @Test
    void deleteAndFlagChangesKeepTheIdsOfAForeignFile() throws Exception {
        mbox("foreign", A + "\na\n\n" + B + "\nb\n\n" + A + "\nc\n\n");
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("foreign"))) {
            FolderStatus before = f.status();
            f.delete(List.of(MessageUid.of(2)));
            f.storeFlags(List.of(MessageUid.of(3)), FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            assertThat(f.status().generation()).isEqualTo(before.generation());
            assertThat(list(f)).extracting(MessageInfo::uid).containsExactly(MessageUid.of(1), MessageUid.of(3));
            assertThat(bodies(f)).containsExactly("\r\na\r\n", "\r\nc\r\n");
        }
        try (MboxStore store = store(null);
                MailFolder f = store.openFolder(FolderPath.of("foreign"))) {
            assertThat(list(f)).extracting(MessageInfo::uid).containsExactly(MessageUid.of(1), MessageUid.of(3));
            assertThat(list(f).get(1).flags()).isEqualTo(Flags.of(Flag.FLAGGED));
            assertThat(f.status().nextUid()).isEqualTo(MessageUid.of(4));
        }
    }

    @Test
    void aSingleFileRootIsTheInboxAndHoldsNothingElse() throws Exception {
        Path file = mbox("mbox", A + "\na\n\n");
        try (MboxStore store = MboxStore.builder().root(file).build()) {
            assertThat(store.listFolders()).extracting(FolderInfo::path).containsExactly(FolderPath.INBOX);
            try (MailFolder f = store.openFolder(FolderPath.INBOX)) {
                assertThat(bodies(f)).containsExactly("\r\na\r\n");
            }
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("Other")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("only INBOX");
        }
    }
}
