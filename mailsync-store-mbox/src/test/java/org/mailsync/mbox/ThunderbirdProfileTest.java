package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * A Thunderbird "Local Folders" directory, built as Thunderbird leaves it: {@code Inbox} with
 * {@code Inbox.sbd/Sub}, {@code .msf} indexes and other files beside the mbox files, {@code From -}
 * lines, and X-Mozilla-Status/Status2/Keys with Thunderbird's bit values (nsMsgMessageFlags: 0x0001
 * read, 0x0002 replied, 0x0004 marked, 0x0008 expunged, 0x1000 forwarded; Status2 0x00200000 IMAP
 * deleted), including a message deleted but not compacted.
 */
class ThunderbirdProfileTest {
    @TempDir
    Path profile;

    private static String message(String date, String status, String status2, String keys, String subject) {
        return "From - " + date + "\n"
                + "X-Mozilla-Status: " + status + "\n"
                + "X-Mozilla-Status2: " + status2 + "\n"
                + (keys == null ? "" : "X-Mozilla-Keys: " + keys + "\n")
                + "Subject: " + subject + "\n"
                + "From: Jürgen <j@example.de>\n\n"
                + "Grüße, " + subject + "\n>From the archive\n\n";
    }

    @BeforeEach
    void buildProfile() throws Exception {
        write(
                "Inbox",
                message("Mon Jan  1 10:00:00 2024", "0001", "00000000", "$label1 work", "read")
                        + message("Tue Jan  2 11:00:00 2024", "0003", "00000000", null, "replied")
                        + message("Wed Jan  3 12:00:00 2024", "0009", "00000000", null, "deleted, not compacted")
                        + message(
                                "Thu Jan  4 13:00:00 2024",
                                "1004",
                                "00200000",
                                "                                                          ",
                                "flagged forwarded"));
        Files.write(
                profile.resolve("Inbox.msf"),
                "// <!-- <mdb:mork:z v=\"1.4\"/> -->".getBytes(StandardCharsets.US_ASCII));
        Files.write(profile.resolve("msgFilterRules.dat"), "version=\"9\"\n".getBytes(StandardCharsets.US_ASCII));
        Files.createDirectories(profile.resolve("Inbox.sbd"));
        write("Inbox.sbd/Sub", message("Fri Jan  5 14:00:00 2024", "0000", "00010000", null, "new in sub"));
        Files.createDirectories(profile.resolve("Archive.sbd"));
        write("Archive.sbd/2023", message("Sat Jan  6 15:00:00 2024", "0001", "00000000", null, "archived"));
        write("Trash", "");
    }

    private void write(String name, String content) throws Exception {
        Files.write(profile.resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    private MboxStore store(boolean includeDeleted) {
        return MboxStore.builder()
                .root(profile)
                .layout(MboxLayout.THUNDERBIRD)
                .includeThunderbirdDeleted(includeDeleted)
                .build();
    }

    private static List<MessageInfo> list(MailFolder f) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        f.list(MessageQuery.all(), all::addAll);
        return all;
    }

    @Test
    void listsTheFolderTreeAndNotThunderbirdsOtherFiles() throws Exception {
        try (MboxStore store = store(false)) {
            assertThat(store.listFolders())
                    .containsExactly(
                            FolderInfo.of(FolderPath.INBOX),
                            FolderInfo.of(FolderPath.of("INBOX", "Sub")),
                            new FolderInfo(FolderPath.of("Archive"), false, null, true),
                            FolderInfo.of(FolderPath.of("Archive", "2023")),
                            FolderInfo.of(FolderPath.of("Trash")));
        }
    }

    @Test
    void readsFlagsDatesAndBytesAndLeavesOutTheDeletedMessage() throws Exception {
        try (MboxStore store = store(false);
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = list(inbox);
            assertThat(all)
                    .extracting(MessageInfo::flags)
                    .containsExactly(
                            Flags.of(Set.of(Flag.SEEN), Set.of("$label1", "work")),
                            Flags.of(Flag.SEEN, Flag.ANSWERED),
                            Flags.of(Set.of(Flag.FLAGGED, Flag.DELETED), Set.of("$Forwarded")));
            assertThat(all)
                    .extracting(MessageInfo::internalDate)
                    .containsExactly(
                            Instant.parse("2024-01-01T10:00:00Z"),
                            Instant.parse("2024-01-02T11:00:00Z"),
                            Instant.parse("2024-01-04T13:00:00Z"));
            try (RawMessage raw = inbox.read(all.get(0).uid()).orElseThrow()) {
                assertThat(raw.toByteArray())
                        .isEqualTo(
                                "Subject: read\r\nFrom: Jürgen <j@example.de>\r\n\r\nGrüße, read\r\nFrom the archive\r\n"
                                        .getBytes(StandardCharsets.UTF_8));
            }
            assertThat(store.thunderbirdDeletedLeftOut(FolderPath.INBOX)).isEqualTo(1);
            assertThat(store.scanReport(FolderPath.INBOX).problems()).isEmpty();
        }
        try (MboxStore store = store(false);
                MailFolder sub = store.openFolder(FolderPath.of("INBOX", "Sub"))) {
            assertThat(list(sub)).singleElement().satisfies(m -> assertThat(m.flags())
                    .isEqualTo(Flags.NONE));
            assertThat(store.thunderbirdDeletedLeftOut(FolderPath.of("INBOX", "Sub")))
                    .isZero();
        }
    }

    @Test
    void includesTheDeletedMessageWhenAskedAndThenCountsNoneLeftOut() throws Exception {
        try (MboxStore store = store(true);
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(list(inbox)).hasSize(4);
            assertThat(store.thunderbirdDeletedLeftOut(FolderPath.INBOX)).isZero();
        }
    }

    @Test
    void writesThunderbirdStatusHeadersAndKeepsTheDeletedMessageOnRewrite() throws Exception {
        try (MboxStore store = store(false);
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of("Subject: new\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII))) {
            inbox.append(new AppendRequest(
                    raw,
                    Flags.of(Set.of(Flag.SEEN, Flag.FLAGGED), Set.of("$Forwarded", "todo")),
                    Instant.parse("2024-02-01T00:00:00Z")));
            inbox.delete(List.of(list(inbox).get(0).uid()));
            assertThat(list(inbox)).hasSize(3);
            assertThat(store.thunderbirdDeletedLeftOut(FolderPath.INBOX)).isEqualTo(1);
        }
        String inbox = Files.readString(profile.resolve("Inbox"), StandardCharsets.UTF_8);
        assertThat(inbox)
                .contains("X-Mozilla-Keys: $Forwarded todo" + " ".repeat(StatusHeaders.PADDING)
                        + "\nX-Mozilla-Status: 1005\nX-Mozilla-Status2: 00000000\n")
                .contains("X-Mozilla-Status: 0009")
                .doesNotContain("Subject: read\n");
    }
}
