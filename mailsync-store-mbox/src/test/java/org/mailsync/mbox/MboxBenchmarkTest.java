package org.mailsync.mbox;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageSpool;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.TestMessages;

/**
 * Writes a 1 GB mbox through the store, then reads it back (scan plus every message's bytes),
 * printing MB/s beside {@code cat file > /dev/null} of the same file in the same run, and the peak
 * heap of each phase. Prints, never asserts timings. Run with {@code -Pbenchmark
 * -Dgroups=benchmark}.
 */
@Tag("benchmark")
class MboxBenchmarkTest {
    private static final long TARGET_BYTES = 1L << 30;

    @Test
    void readAndWriteOneGigabyte() throws Exception {
        Path dir = Files.createTempDirectory("mbox-bench");
        try {
            run(dir);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir) throws Exception {
        // A realistic size mix: mostly small text mails, some with attachments; bodies with From lines.
        Random random = new Random(42);
        List<byte[]> templates = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            int size = i % 16 == 0 ? 1_000_000 + random.nextInt(2_000_000) : 2_000 + random.nextInt(60_000);
            byte[] attachment = TestMessages.withAttachment(size, i);
            String prefix = "Return-Path: <sender" + i + "@example.org>\r\n";
            String body = "\r\nFrom the desk of sender " + i + "\r\n>From quoted\r\n";
            byte[] m = new byte[prefix.length() + attachment.length + body.length()];
            System.arraycopy(prefix.getBytes(StandardCharsets.US_ASCII), 0, m, 0, prefix.length());
            System.arraycopy(attachment, 0, m, prefix.length(), attachment.length);
            System.arraycopy(
                    body.getBytes(StandardCharsets.US_ASCII), 0, m, prefix.length() + attachment.length, body.length());
            templates.add(m);
        }
        resetPeaks();
        long written = 0;
        long messages = 0;
        long writeStart = System.nanoTime();
        try (MboxStore store = MboxStore.builder().root(dir).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            while (written < TARGET_BYTES) {
                List<AppendRequest> batch = new ArrayList<>();
                for (int i = 0; i < 200 && written < TARGET_BYTES; i++) {
                    byte[] m = templates.get(random.nextInt(templates.size()));
                    batch.add(new AppendRequest(
                            RawMessage.of(m), Flags.of(Flag.SEEN), Instant.ofEpochSecond(1_600_000_000L + messages)));
                    written += m.length;
                    messages++;
                }
                inbox.appendAll(batch);
            }
        }
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long writeHeap = peakHeap();
        Path file = dir.resolve("inbox");
        long fileSize = Files.size(file);

        long catStart = System.nanoTime();
        Process cat = new ProcessBuilder("sh", "-c", "cat '" + file + "' > /dev/null").start();
        if (cat.waitFor() != 0) {
            throw new IOException("cat failed");
        }
        double catSeconds = (System.nanoTime() - catStart) / 1e9;

        Phase spooled = readAll(dir, MessageSpool.defaults());
        Phase inMemory = readAll(dir, MessageSpool.of(8 << 20, null));

        double mb = fileSize / 1e6;
        System.out.printf(
                Locale.ROOT,
                "mbox benchmark: file %.0f MB, %d messages (%d bytes as CRLF messages)%n",
                mb,
                spooled.messages(),
                spooled.bytes());
        System.out.printf(
                Locale.ROOT,
                "  write (appendAll, batches of 200, mboxrd LF): %.1f s, %.0f MB/s, peak heap %d MB%n",
                writeSeconds,
                mb / writeSeconds,
                writeHeap >> 20);
        System.out.printf(Locale.ROOT, "  cat file > /dev/null:  %.2f s, %.0f MB/s%n", catSeconds, mb / catSeconds);
        System.out.printf(
                Locale.ROOT,
                "  scan (open + list all): %.2f s, %.0f MB/s%n",
                spooled.scanSeconds(),
                mb / spooled.scanSeconds());
        print("read (scan + every message's bytes; messages over 1 MiB spooled to temp files)", spooled, mb);
        print("read (the same with an 8 MiB spool threshold: all in memory)", inMemory, mb);
    }

    private record Phase(long messages, long bytes, double scanSeconds, double seconds, long peakHeap) {}

    private static void print(String what, Phase p, double mb) {
        System.out.printf(
                Locale.ROOT,
                "  %s: %.2f s, %.0f MB/s, peak heap %d MB (max heap %d MB)%n",
                what,
                p.seconds(),
                mb / p.seconds(),
                p.peakHeap() >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    private static Phase readAll(Path dir, MessageSpool spool) throws Exception {
        resetPeaks();
        long readStart = System.nanoTime();
        long readBytes = 0;
        long readMessages = 0;
        double scanSeconds;
        try (MboxStore store = MboxStore.builder().root(dir).spool(spool).build();
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageInfo> all = new ArrayList<>();
            inbox.list(MessageQuery.all(), all::addAll);
            scanSeconds = (System.nanoTime() - readStart) / 1e9;
            byte[] sink = new byte[64 * 1024];
            for (MessageInfo info : all) {
                try (RawMessage raw = inbox.read(info.uid()).orElseThrow();
                        InputStream in = raw.openStream()) {
                    int n;
                    while ((n = in.read(sink)) > 0) {
                        readBytes += n;
                    }
                }
                readMessages++;
            }
        }
        return new Phase(readMessages, readBytes, scanSeconds, (System.nanoTime() - readStart) / 1e9, peakHeap());
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
