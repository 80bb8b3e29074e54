package org.mailsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.MailFolder;

/** Issue 12.6: one writer per checkpoint directory across processes, and a killed holder frees it. */
@Timeout(120)
class CheckpointLockProcessTest {
    @TempDir
    Path dir;

    private final java.util.List<Process> started = new java.util.ArrayList<>();

    @AfterEach
    void stopChildren() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static final class Child {
        final Process process;
        final BufferedReader out;

        Child(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        String firstLine() throws Exception {
            String line = out.readLine();
            return line == null ? "(no output, exit " + process.waitFor() + ")" : line;
        }
    }

    private Child holder(Path checkpoints) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        CheckpointLockHolder.class.getName(),
                        checkpoints.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        started.add(p);
        return new Child(p);
    }

    @Test
    void exactlyOneProcessRunsTheOthersFailFastAndTheNextRunsAfterTheFirstEnded() throws Exception {
        Path checkpoints = dir.resolve("alice");
        Child first = holder(checkpoints);
        assertThat(first.firstLine()).isEqualTo("LOCKED");

        Child second = holder(checkpoints);
        String busy = second.firstLine();
        assertThat(busy).startsWith("BUSY ").contains(checkpoints.toString()).contains("pid " + first.process.pid());
        assertThat(second.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process.exitValue()).isEqualTo(3);

        // A sync in this process on the same pair fails fast and copies nothing.
        InMemoryStore source = InMemoryStore.create("memory:source");
        InMemoryStore target = InMemoryStore.create("memory:target");
        try (MailFolder inbox = source.openFolder(FolderPath.INBOX);
                RawMessage raw = RawMessage.of(
                        "Subject: x\r\nMessage-ID: <x@y>\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII))) {
            inbox.append(new AppendRequest(raw, Flags.NONE, java.time.Instant.parse("2025-01-01T00:00:00Z")));
        }
        SyncEngine engine = SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpoints(FileCheckpointStore.in(checkpoints))
                .build();
        long start = System.nanoTime();
        assertThatThrownBy(engine::run).isInstanceOf(CheckpointBusyException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        try (MailFolder inbox = target.openFolder(FolderPath.INBOX)) {
            assertThat(inbox.status().messageCount()).isZero();
        }

        first.process.getOutputStream().close();
        assertThat(first.firstLine()).isEqualTo("RELEASED");
        assertThat(first.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(engine.run().copied()).isEqualTo(1);

        Child third = holder(checkpoints);
        assertThat(third.firstLine()).isEqualTo("LOCKED");
        third.process.getOutputStream().close();
        assertThat(third.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(third.process.exitValue()).isZero();
    }

    @Test
    void aHolderKilledWithSigkillReleasesTheLock() throws Exception {
        Path checkpoints = dir.resolve("bob");
        Child holder = holder(checkpoints);
        assertThat(holder.firstLine()).isEqualTo("LOCKED");
        assertThatThrownBy(() -> FileCheckpointStore.in(checkpoints).lock())
                .isInstanceOf(CheckpointBusyException.class);

        holder.process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no finally
        assertThat(holder.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(holder.process.exitValue()).isEqualTo(137);

        try (CheckpointLock lock = FileCheckpointStore.in(checkpoints).lock()) {
            assertThat(lock).isNotNull();
        }
    }
}
