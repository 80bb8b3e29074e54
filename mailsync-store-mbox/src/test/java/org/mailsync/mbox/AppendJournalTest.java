package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * An append that is interrupted (killed, crashed) leaves a journal of the file's length before
 * it: the next writer cuts the torn bytes off, a reader leaves them out and says so.
 */
class AppendJournalTest {
    private static final Instant DATE = Instant.parse("2024-01-01T00:00:00Z");

    @TempDir
    Path dir;

    /** Message {@code i} of the test: small ones, and every third one {@code bigSize} bytes. */
    static byte[] message(int i, int bigSize) {
        StringBuilder text = new StringBuilder("Subject: message " + i + "\r\n\r\n");
        int size = i % 3 == 2 ? bigSize : 200;
        String line = "line of message " + i + " with some text to fill it up to the size wanted\r\n";
        while (text.length() < size) {
            text.append(line);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static List<byte[]> contents(MailFolder f) throws Exception {
        List<MessageInfo> all = new ArrayList<>();
        f.list(MessageQuery.all(), all::addAll);
        List<byte[]> out = new ArrayList<>();
        for (MessageInfo info : all) {
            try (RawMessage raw = f.read(info.uid()).orElseThrow()) {
                out.add(raw.toByteArray());
            }
        }
        return out;
    }

    private static void append(MailFolder f, byte[] bytes) throws Exception {
        try (RawMessage raw = RawMessage.of(bytes)) {
            f.append(new AppendRequest(raw, Flags.NONE, DATE));
        }
    }

    private static void assertMessages(MailFolder f, int count, int bigSize) throws Exception {
        List<byte[]> read = contents(f);
        assertThat(read).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(Arrays.equals(read.get(i), message(i, bigSize)))
                    .as("message %d", i)
                    .isTrue();
        }
    }

    @Test
    void aPartialWriteLeftByACrashIsCutOffByTheNextWriterAndHiddenFromReaders() throws Exception {
        Path file = dir.resolve("inbox");
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            append(inbox, message(0, 0));
            append(inbox, message(1, 0));
        }
        // What a process killed in the middle of its append leaves: the journal, then half a message.
        long length = Files.size(file);
        AppendJournal.begin(
                file,
                length,
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .fileKey());
        Files.writeString(
                file,
                "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\nX-UID: 3\nSubject: message 2\n\nhalf a mess",
                StandardOpenOption.APPEND);
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.status().messageCount()).isEqualTo(2);
            assertMessages(inbox, 2, 0);
            assertThat(inbox.warnings()).anySatisfy(w -> assertThat(w).contains("interrupted"));
            append(inbox, message(2, 300));
            assertMessages(inbox, 3, 300);
            assertThat(inbox.warnings())
                    .anySatisfy(w -> assertThat(w).contains("cut off").contains("offset " + length));
        }
        assertThat(Files.readString(file)).doesNotContain("half a mess");
        assertThat(AppendJournal.of(file)).doesNotExist();
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertMessages(inbox, 3, 300);
        }
    }

    @Test
    void aJournalOfAnotherFileOrAnUnfinishedJournalCutsNothing() throws Exception {
        Path file = dir.resolve("inbox");
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            append(inbox, message(0, 0));
            append(inbox, message(1, 0));
        }
        // The file was replaced since (another inode): its journal says nothing about it.
        AppendJournal.begin(file, 10, "(dev=0,ino=0)");
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertMessages(inbox, 2, 0);
            append(inbox, message(2, 0));
            assertMessages(inbox, 3, 0);
        }
        // A journal killed while it was written: the append had not begun.
        Files.writeString(AppendJournal.of(file), "mailsync mbox append journal 1\nleng");
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            assertMessages(inbox, 3, 0);
            append(inbox, message(3, 0));
            assertMessages(inbox, 4, 0);
        }
        assertThat(AppendJournal.of(file)).doesNotExist();
    }

    /**
     * A real process appends in a loop and is killed with SIGKILL while writing a large message;
     * the next pass cuts the torn bytes off and appends the message whole, once.
     */
    @Test
    void aProcessKilledMidAppendLeavesNothingTornForTheNextPass() throws Exception {
        int bigSize = 64 * 1024 * 1024;
        Path file = dir.resolve("inbox");
        Process writer = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        AppendLoop.class.getName(),
                        dir.toString(),
                        String.valueOf(bigSize))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        AtomicInteger confirmed = new AtomicInteger();
        Thread reader = new Thread(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("APPENDED ")) {
                        confirmed.set(Integer.parseInt(line.substring(9)) + 1);
                    }
                }
            } catch (Exception ignored) {
                // the writer was killed
            }
        });
        reader.start();
        long journalLength = -1;
        long sizeAtKill = -1;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        try {
            // Kill it while the big message (number 2) is being written: journal there, bytes past it.
            while (Instant.now().isBefore(deadline)) {
                AppendJournal.Entry journal = confirmed.get() >= 2 ? AppendJournal.read(file) : null;
                if (journal != null && journal.length() > 0) {
                    long size = Files.size(file);
                    if (size > journal.length()) {
                        writer.destroyForcibly(); // SIGKILL
                        journalLength = journal.length();
                        sizeAtKill = size;
                        break;
                    }
                }
                Thread.onSpinWait();
            }
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            writer.destroyForcibly();
        }
        reader.join(10_000);
        assertThat(journalLength).as("the writer was caught mid-append").isPositive();
        int done = confirmed.get();
        assertThat(done).isEqualTo(2);
        long sizeAfterKill = Files.size(file);
        assertThat(sizeAfterKill).isGreaterThan(journalLength);
        assertThat(sizeAtKill - journalLength)
                .as("killed while writing, before the big message was whole")
                .isLessThan(bigSize);
        System.out.printf(
                "killed mid-append: %d bytes of a %d-byte message written when the kill landed, %d on disk after%n",
                sizeAtKill - journalLength, bigSize, sizeAfterKill - journalLength);

        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            // A reader sees the two confirmed messages and is told of the rest.
            assertThat(inbox.status().messageCount()).isEqualTo(2);
            assertThat(inbox.warnings()).anySatisfy(w -> assertThat(w).contains("interrupted"));
            // The next pass appends what was not confirmed: the big one again, and one more.
            append(inbox, message(2, bigSize));
            append(inbox, message(3, bigSize));
            assertMessages(inbox, 4, bigSize);
        }
        assertThat(AppendJournal.of(file)).doesNotExist();
        assertThat(dir.resolve("inbox.lock")).doesNotExist();
    }

    /** Appends messages 0, 1, 2, ... to the INBOX of an mbox store until killed. */
    static final class AppendLoop {
        public static void main(String[] args) throws Exception {
            Path root = Path.of(args[0]);
            int bigSize = Integer.parseInt(args[1]);
            try (MboxStore store = MboxStore.builder().root(root).build();
                    MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < 1000; i++) {
                    append(inbox, message(i, bigSize));
                    System.out.println("APPENDED " + i);
                    System.out.flush();
                }
            }
        }
    }
}
