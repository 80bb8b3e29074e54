package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/** Writing in each variant and line ending, the builder's checks, folder-name rules, and long offsets. */
class MboxWritingTest {
    @TempDir
    Path dir;

    private static final Instant DATE = Instant.parse("2024-02-29T13:14:15Z");

    private String writeAndReadBack(MboxStore.Builder builder, String message) throws Exception {
        try (MboxStore store = builder.root(dir).build();
                MailFolder f = store.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(message.getBytes(StandardCharsets.ISO_8859_1))) {
            f.append(new AppendRequest(raw, Flags.NONE, DATE));
            List<MessageInfo> all = new ArrayList<>();
            f.list(MessageQuery.all(), all::addAll);
            try (RawMessage back = f.read(all.get(all.size() - 1).uid()).orElseThrow()) {
                return new String(back.toByteArray(), StandardCharsets.ISO_8859_1);
            }
        }
    }

    @Test
    void mboxoAndMboxclAreLossyForQuotedFromLinesAsDocumented() throws Exception {
        String message = "Subject: q\r\n\r\nFrom a\r\n>From b\r\n";
        assertThat(writeAndReadBack(MboxStore.builder().format(MboxFormat.MBOXO).readFormat(MboxFormat.MBOXO), message))
                .isEqualTo("Subject: q\r\n\r\nFrom a\r\nFrom b\r\n");
        assertThat(Files.readString(dir.resolve("inbox"))).contains("\n>From a\n>From b\n");
    }

    @Test
    void mboxclWritesAContentLengthAndEscapesLikeMboxo() throws Exception {
        String message = "Subject: q\r\n\r\nFrom a\r\nplain\r\n";
        assertThat(writeAndReadBack(
                        MboxStore.builder().format(MboxFormat.MBOXCL).readFormat(MboxFormat.MBOXCL), message))
                .isEqualTo(message);
        assertThat(Files.readString(dir.resolve("inbox")))
                .contains("Content-Length: 14\n")
                .contains("\n>From a\n");
    }

    @Test
    void aBareLfInAnLfFileComesBackAsCrlfButACrlfFileKeepsIt() throws Exception {
        assertThat(writeAndReadBack(MboxStore.builder(), "Subject: lf\r\n\r\na\nb\r\n"))
                .isEqualTo("Subject: lf\r\n\r\na\r\nb\r\n");
        Files.delete(dir.resolve("inbox"));
        assertThat(writeAndReadBack(MboxStore.builder().lineEnding(LineEnding.CRLF), "Subject: lf\r\n\r\na\nb\r\n"))
                .isEqualTo("Subject: lf\r\n\r\na\nb\r\n");
        assertThat(Files.readString(dir.resolve("inbox")))
                .startsWith("From MAILER-DAEMON Thu Feb 29 13:14:15 2024\r\n");
    }

    @Test
    void linesLongerThanEveryBufferRoundTripAroundTheBufferSizes() throws Exception {
        StringBuilder m = new StringBuilder("Subject: long lines\r\n\r\n");
        int[] lengths = {65_534, 65_535, 65_536, 65_537, 200_000, 1_048_575, 1_048_576, 1_048_577, 3_000_000};
        for (int length : lengths) {
            String prefix = length % 2 == 0 ? ">>From " : "From ";
            m.append(prefix).append("x".repeat(length - prefix.length())).append("\r\n");
        }
        String message = m.toString();
        for (LineEnding eol : LineEnding.values()) {
            for (MboxFormat format : List.of(MboxFormat.MBOXRD, MboxFormat.MBOXCL2)) {
                Path sub = Files.createDirectories(dir.resolve(eol + "-" + format));
                try (MboxStore store = MboxStore.builder()
                                .root(sub)
                                .lineEnding(eol)
                                .format(format)
                                .build();
                        MailFolder f = store.openFolder(FolderPath.INBOX);
                        RawMessage raw = RawMessage.of(message.getBytes(StandardCharsets.ISO_8859_1))) {
                    f.append(new AppendRequest(raw, Flags.NONE, DATE));
                    f.append(new AppendRequest(raw, Flags.NONE, DATE));
                    List<MessageInfo> all = new ArrayList<>();
                    f.list(MessageQuery.all(), all::addAll);
                    assertThat(all).hasSize(2);
                    for (MessageInfo info : all) {
                        assertThat(info.size()).isEqualTo(message.length());
                        try (RawMessage back = f.read(info.uid()).orElseThrow()) {
                            assertThat(new String(back.toByteArray(), StandardCharsets.ISO_8859_1))
                                    .as("%s %s", eol, format)
                                    .isEqualTo(message);
                        }
                    }
                }
            }
        }
    }

    @Test
    void builderRefusesASettingTwiceAndNeedsARoot() {
        assertThatThrownBy(() -> MboxStore.builder().format(MboxFormat.MBOXRD).format(MboxFormat.MBOXCL2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format was already set to MBOXRD");
        assertThatThrownBy(() -> MboxStore.builder().root(dir).root(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("root was already set");
        assertThatThrownBy(() -> MboxStore.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("root must be set");
        assertThatThrownBy(() -> MboxStore.builder().account(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theThunderbirdLayoutNeedsADirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("mbox"), "");
        assertThatThrownBy(() -> MboxStore.builder()
                        .root(file)
                        .layout(MboxLayout.THUNDERBIRD)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a directory");
    }

    @Test
    void plainLayoutRefusesChildrenOfAFileAndOfInboxAndHiddenNames() throws Exception {
        try (MboxStore store = MboxStore.builder()
                .root(dir)
                .layout(MboxLayout.PLAIN_DIRECTORIES)
                .build()) {
            store.createFolder(FolderPath.of("Lists"));
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("Lists", "java")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("either messages or sub-folders");
            assertThatThrownBy(() -> store.createFolder(FolderPath.of("INBOX", "sub")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("INBOX");
            for (String bad : List.of(".hidden", "x.lock", "a/b")) {
                assertThatThrownBy(() -> store.createFolder(FolderPath.of(bad)))
                        .as(bad)
                        .isInstanceOf(FolderUnusableException.class)
                        .hasMessageContaining(store.account());
            }
            store.createFolder(FolderPath.of("Archive", "2023"));
            assertThatThrownBy(() -> store.openFolder(FolderPath.of("Archive")))
                    .isInstanceOf(FolderUnusableException.class)
                    .hasMessageContaining("sub-folders only");
        }
    }

    @Test
    void offsetsAndSizesBeyondTwoGigabytesWork() throws Exception {
        // A sparse file: a first message whose body is a 2.2 GB hole of zeros (past Integer.MAX_VALUE), then a second
        // one.
        Path file = dir.resolve("big");
        String first = "From a@example.org Thu Feb 29 13:14:15 2024\nSubject: big\n\n";
        String second = "\nFrom b@example.org Fri Mar  1 08:00:00 2024\nSubject: after\n\nfound\n\n";
        long hole = 2_200_000_000L;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(first.getBytes(StandardCharsets.US_ASCII));
            raf.seek(first.length() + hole);
            raf.write(second.getBytes(StandardCharsets.US_ASCII));
        }
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder f = store.openFolder(FolderPath.of("big"))) {
            List<MessageInfo> all = new ArrayList<>();
            f.list(MessageQuery.all(), all::addAll);
            assertThat(all).hasSize(2);
            assertThat(all.get(0).size()).isEqualTo("Subject: big\r\n\r\n".length() + hole);
            try (RawMessage raw = f.read(all.get(1).uid()).orElseThrow()) {
                assertThat(new String(raw.toByteArray(), StandardCharsets.US_ASCII))
                        .isEqualTo("Subject: after\r\n\r\nfound\r\n");
            }
            assertThat(store.scanReport(FolderPath.of("big")).problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.description()).startsWith("NUL byte"));
        }
    }
}
