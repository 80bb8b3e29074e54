package org.mailsync.maildir.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderMapping;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * Copies a Maildir tree of 20,000 messages (about 520 MB, a realistic size mix, four folders) to
 * another Maildir through the store SPI, and times it against {@code cp -r} of the same tree in
 * the same run. Prints seconds, messages/s, MB/s and the ratio to {@code cp -r}, to standard
 * output and to {@code target/benchmark-maildir-copy.txt}.
 *
 * <p>The copy is {@link #COPY}: one pass of the sync engine, as a user's backup would run.
 *
 * <p>Run: {@code mvn -B -Pbenchmark verify -Dgroups=benchmark -pl mailsync-store-maildir -am}.
 */
@Tag("benchmark")
class MaildirCopyBenchmark {
    private static final int MESSAGES = Integer.getInteger("benchmark.messages", 20_000);
    private static final int BATCH = 500;

    /** Copies every folder of one store into another. */
    @FunctionalInterface
    interface TreeCopy {
        void copy(MailStore source, MailStore target) throws Exception;
    }

    /** The copy under test: one pass of the sync engine (checkpoints in a fresh directory). */
    static final TreeCopy COPY = (source, target) -> {
        Path checkpoints = Files.createTempDirectory("maildir-bench-checkpoints");
        SyncReport report = SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpointDirectory(checkpoints)
                .folders(FolderMapping.builder().automapSpecialUse(false).build())
                .batchSize(BATCH)
                .build()
                .run();
        if (report.verdict() != SyncReport.Verdict.COMPLETE || report.copied() != MESSAGES) {
            throw new AssertionError(report.toText());
        }
        try (var files = Files.walk(checkpoints)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        }
    };

    @TempDir
    Path dir;

    @Test
    void copyTwentyThousandMessagesThroughTheEngineAndWithCp() throws Exception {
        Path source = dir.resolve("source");
        long bytes = generate(source);
        run("sync");

        StringBuilder report = new StringBuilder();
        report.append(String.format(
                "Maildir copy of %,d messages, %.1f MB in 4 folders (%d cores)%n",
                MESSAGES, bytes / 1e6, Runtime.getRuntime().availableProcessors()));

        // Two rounds, each against its own cp -r: timings of write-heavy runs drift between runs.
        for (int round = 1; round <= 2; round++) {
            report.append("round ").append(round).append('\n');
            Path byCp = dir.resolve("by-cp");
            Duration cp = time(() -> run("cp", "-r", source.toString(), byCp.toString()));
            report.append(line("cp -r", cp, bytes, cp));
            remove(byCp);
            Duration cpSync = time(() -> {
                run("cp", "-r", source.toString(), byCp.toString());
                run("sync", "-f", byCp.toString());
            });
            report.append(line("cp -r; sync -f", cpSync, bytes, cp));
            remove(byCp);
            for (boolean fsync : new boolean[] {true, false}) {
                Path target = dir.resolve("by-spi");
                Duration spi = time(() -> {
                    try (MailStore from = MaildirStore.builder().root(source).build();
                            MailStore to = MaildirStore.builder()
                                    .root(target)
                                    .fsync(fsync)
                                    .build()) {
                        COPY.copy(from, to);
                    }
                });
                report.append(line("engine copy, fsync " + (fsync ? "on (default)" : "off"), spi, bytes, cp));
                assertSameMessages(source, target);
                remove(target);
            }
        }
        System.out.print(report);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "benchmark-maildir-copy.txt"), report.toString());
    }

    private static String line(String what, Duration took, long bytes, Duration cp) {
        double seconds = took.toNanos() / 1e9;
        return String.format(
                "%-30s %7.2f s %9.0f msgs/s %7.1f MB/s  %5.2fx cp -r%n",
                what, seconds, MESSAGES / seconds, bytes / 1e6 / seconds, seconds / (cp.toNanos() / 1e9));
    }

    /** Writes the source tree through the store (without fsync); returns the bytes written. */
    private static long generate(Path root) throws Exception {
        List<FolderPath> folders = List.of(
                FolderPath.INBOX,
                FolderPath.of("Sent"),
                FolderPath.of("Archive", "2023"),
                FolderPath.of("Archive", "2024"));
        int[] shares = {40, 20, 30, 10};
        Random random = new Random(42);
        long bytes = 0;
        int made = 0;
        try (MaildirStore store = MaildirStore.builder().root(root).fsync(false).build()) {
            for (int f = 0; f < folders.size(); f++) {
                store.createFolder(folders.get(f));
                int count = f == folders.size() - 1 ? MESSAGES - made : MESSAGES * shares[f] / 100;
                try (MailFolder folder = store.openFolder(folders.get(f))) {
                    for (int start = 0; start < count; start += BATCH) {
                        List<AppendRequest> requests = new ArrayList<>();
                        for (int i = start; i < Math.min(count, start + BATCH); i++) {
                            byte[] message = message(random, made + i);
                            bytes += message.length;
                            requests.add(new AppendRequest(RawMessage.of(message), flags(random), date(random)));
                        }
                        folder.appendAll(requests);
                    }
                }
                made += count;
            }
        }
        return bytes;
    }

    /** Sizes as in a real mailbox: mostly small text mail, some attachments, a few large ones. */
    private static byte[] message(Random random, int n) {
        int roll = random.nextInt(100);
        int size;
        if (roll < 60) {
            size = 2_000 + random.nextInt(6_000);
        } else if (roll < 88) {
            size = 8_000 + random.nextInt(32_000);
        } else if (roll < 98) {
            size = 40_000 + random.nextInt(80_000);
        } else {
            size = 150_000 + random.nextInt(500_000);
        }
        StringBuilder m = new StringBuilder(size + 200);
        m.append("From: Sender ").append(n % 97).append(" <s").append(n % 97).append("@example.org>\r\n");
        m.append("To: bench@example.org\r\nSubject: Message number ").append(n).append("\r\n");
        m.append("Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nMessage-ID: <bench-")
                .append(n)
                .append("@example.org>\r\n");
        m.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (m.length() < size) {
            for (int i = 0; i < 76; i++) {
                m.append(alphabet.charAt(random.nextInt(64)));
            }
            m.append("\r\n");
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Flags flags(Random random) {
        int roll = random.nextInt(10);
        if (roll < 3) {
            return Flags.NONE;
        }
        if (roll < 8) {
            return Flags.of(Flag.SEEN);
        }
        return Flags.of(Set.of(Flag.SEEN, Flag.ANSWERED), Set.of("$Forwarded", "Work"));
    }

    private static Instant date(Random random) {
        return Instant.parse("2020-01-01T00:00:00Z").plusSeconds(random.nextInt(200_000_000));
    }

    private static void assertSameMessages(Path source, Path target) throws Exception {
        try (MailStore from = MaildirStore.builder().root(source).build();
                MailStore to = MaildirStore.builder().root(target).build()) {
            assertThat(to.listFolders()).isEqualTo(from.listFolders());
            for (FolderInfo info : from.listFolders()) {
                if (info.selectable()) {
                    assertThat(summary(to, info.path())).isEqualTo(summary(from, info.path()));
                }
            }
        }
    }

    /** Sizes, flags and dates in order: what a copy must keep. */
    private static List<String> summary(MailStore store, FolderPath path) throws Exception {
        List<String> out = new ArrayList<>();
        try (MailFolder folder = store.openFolder(path)) {
            folder.list(
                    MessageQuery.all(),
                    batch -> batch.forEach(m -> out.add(m.size() + " " + m.flags() + " " + m.internalDate())));
        }
        return out;
    }

    /** Removes a copy and lets the disk settle, so that one measurement does not pay for another. */
    private static void remove(Path tree) throws IOException, InterruptedException {
        run("rm", "-rf", tree.toString());
        run("sync");
    }

    private interface Timed {
        void run() throws Exception;
    }

    private static Duration time(Timed timed) throws Exception {
        long start = System.nanoTime();
        timed.run();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
