package org.mailsync.benchmark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;

/**
 * The engine between two in-memory stores, so the figures are the engine's own cost: a full copy
 * of 100,000 small messages in 10 folders, a no-op delta pass, and a delta pass after 1% new
 * messages and 5% flag changes. Prints figures; asserts nothing about time.
 */
@Tag("benchmark")
class EngineBenchmark {
    @TempDir
    Path tmp;

    private static final int FOLDERS = 10;
    private static final int PER_FOLDER = 10_000;

    @Test
    void engineBetweenInMemoryStores() throws Exception {
        InMemoryStore source = InMemoryStore.create("memory:source");
        InMemoryStore target = InMemoryStore.create("memory:target");
        Random random = new Random(1);
        List<FolderPath> folders = new ArrayList<>();
        for (int f = 0; f < FOLDERS; f++) {
            FolderPath path = f == 0 ? FolderPath.INBOX : FolderPath.of("Folder " + f);
            folders.add(path);
            if (f > 0) {
                source.createFolder(path);
            }
            try (MailFolder folder = source.openFolder(path)) {
                for (int i = 0; i < PER_FOLDER; i++) {
                    append(folder, f * PER_FOLDER + i, random);
                }
            }
        }
        Path checkpoints = tmp.resolve("checkpoints");
        SyncReport full =
                timed("full copy", () -> engine(source, target, checkpoints).run());
        SyncReport noop =
                timed("no-op delta", () -> engine(source, target, checkpoints).run());
        // 1% new messages, 5% flag changes, spread over all folders.
        for (int f = 0; f < FOLDERS; f++) {
            try (MailFolder folder = source.openFolder(folders.get(f))) {
                List<MessageInfo> all = new ArrayList<>();
                folder.list(MessageQuery.all(), all::addAll);
                List<MessageUid> change = new ArrayList<>();
                for (MessageInfo m : all) {
                    if (random.nextInt(100) < 5) {
                        change.add(m.uid());
                    }
                }
                folder.storeFlags(change, FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
                for (int i = 0; i < PER_FOLDER / 100; i++) {
                    append(folder, 1_000_000 + f * PER_FOLDER + i, random);
                }
            }
        }
        SyncReport delta = timed(
                "delta 1% new, 5% flags",
                () -> engine(source, target, checkpoints).run());
        long checkpointBytes;
        try (var files = Files.list(checkpoints)) {
            checkpointBytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        long messages = (long) FOLDERS * PER_FOLDER + FOLDERS * (PER_FOLDER / 100);
        System.out.printf(
                "full copy: %d messages, %.1f MB; no-op: %d copied; delta: %d copied, %d flag updates%n",
                full.copied(), full.copiedBytes() / 1e6, noop.copied(), delta.copied(), delta.flagsUpdated());
        System.out.printf(
                "checkpoint: %d bytes for %d messages = %.1f bytes/message%n",
                checkpointBytes, messages, checkpointBytes / (double) messages);
        System.out.printf("peak heap: %d MB%n", peakHeapMb());
    }

    private static SyncEngine engine(InMemoryStore source, InMemoryStore target, Path checkpoints) throws Exception {
        return SyncEngine.builder()
                .source(source)
                .target(target)
                .checkpointDirectory(checkpoints)
                .build();
    }

    private interface Pass {
        SyncReport run() throws Exception;
    }

    private static SyncReport timed(String name, Pass pass) throws Exception {
        Instant start = Instant.now();
        SyncReport report = pass.run();
        Duration took = Duration.between(start, Instant.now());
        long listed = report.copied() + report.flagsUpdated();
        System.out.printf(
                "%-24s %8d ms  %8d copied  %6d flags  %10.0f messages/s (copied)%n",
                name,
                took.toMillis(),
                report.copied(),
                report.flagsUpdated(),
                report.copied() * 1000.0 / Math.max(1, took.toMillis()));
        if (report.verdict() != SyncReport.Verdict.COMPLETE || listed < 0) {
            throw new AssertionError(report.toText());
        }
        return report;
    }

    private static void append(MailFolder folder, int n, Random random) throws Exception {
        StringBuilder body = new StringBuilder();
        int size = 1500 + random.nextInt(3000);
        while (body.length() < size) {
            body.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit ")
                    .append(n)
                    .append("\r\n");
        }
        byte[] bytes = ("From: sender" + n % 97 + "@example.org\r\nTo: me@example.org\r\nSubject: message " + n
                        + "\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: <" + n + "@bench.example>\r\n\r\n"
                        + body)
                .getBytes(StandardCharsets.US_ASCII);
        try (RawMessage raw = RawMessage.of(bytes)) {
            folder.append(new AppendRequest(
                    raw,
                    random.nextBoolean() ? Flags.of(Flag.SEEN) : Flags.NONE,
                    Instant.parse("2025-03-03T10:00:00Z").plus(n, ChronoUnit.MINUTES)));
        }
    }

    private static long peakHeapMb() {
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
