package org.mailsync.mbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.ConnectionException;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/** Writers take the dot-lock (and an fcntl lock) that mutt, procmail and Dovecot honour. */
class LockingTest {
    @TempDir
    Path dir;

    private static final Instant DATE = Instant.parse("2024-01-01T00:00:00Z");

    private static RawMessage message(String subject) {
        return RawMessage.of(("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aHeldDotLockMakesTheWriterWaitThenFailAsRetryableNamingTheLock() throws Exception {
        Files.createFile(dir.resolve("inbox.lock"));
        try (MboxStore store = MboxStore.builder()
                        .root(dir)
                        .lockTimeout(Duration.ofMillis(300))
                        .build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = message("x")) {
            assertThatThrownBy(() -> inbox.append(new AppendRequest(raw, Flags.NONE, DATE)))
                    .isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("inbox.lock")
                    .satisfies(e ->
                            assertThat(((ConnectionException) e).throttled()).isTrue());
            assertThat(inbox.status().messageCount()).isZero();
        }
        assertThat(dir.resolve("inbox.lock")).exists();
    }

    @Test
    void aStaleDotLockIsTakenOver() throws Exception {
        Path lock = Files.createFile(dir.resolve("inbox.lock"));
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = message("x")) {
            assertThat(inbox.append(new AppendRequest(raw, Flags.NONE, DATE))).contains(MessageUid.of(1));
        }
        assertThat(lock).doesNotExist();
    }

    /** A killed run's lock (this host, a pid that is gone) no longer holds writers for 5 minutes. */
    @Test
    void aLockOfAProcessThatIsGoneIsBrokenAtOnce() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        Path lock = Files.writeString(dir.resolve("inbox.lock"), gone.pid() + ":" + host);
        try (MboxStore store = MboxStore.builder()
                        .root(dir)
                        .lockTimeout(Duration.ofSeconds(2))
                        .build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX);
                RawMessage raw = message("x")) {
            assertThat(inbox.append(new AppendRequest(raw, Flags.NONE, DATE))).contains(MessageUid.of(1));
        }
        assertThat(lock).doesNotExist();
    }

    @Test
    void concurrentWritersNeverInterleaveAndIdsStayUnique() throws Exception {
        int writers = 4;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try (MboxStore store = MboxStore.builder().root(dir).build()) {
            List<Future<List<MessageUid>>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                results.add(pool.submit(() -> {
                    List<MessageUid> ids = new ArrayList<>();
                    try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                        for (int i = 0; i < each; i++) {
                            try (RawMessage raw = message(writer + "-" + i)) {
                                ids.add(inbox.append(new AppendRequest(raw, Flags.NONE, DATE))
                                        .orElseThrow());
                            }
                        }
                    }
                    return ids;
                }));
            }
            List<MessageUid> all = new ArrayList<>();
            for (Future<List<MessageUid>> f : results) {
                all.addAll(f.get());
            }
            assertThat(all).doesNotHaveDuplicates().hasSize(writers * each);
            try (MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                assertThat(inbox.status().messageCount()).isEqualTo((long) writers * each);
                for (MessageUid id : all) {
                    try (RawMessage raw = inbox.read(id).orElseThrow()) {
                        assertThat(new String(raw.toByteArray(), StandardCharsets.US_ASCII))
                                .matches("Subject: \\d-\\d+\r\n\r\nbody\r\n");
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
        assertThat(dir.resolve("inbox.lock")).doesNotExist();
    }
}
