package org.mailsync.imap;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.mailsync.Capability;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;

/**
 * Store-level copy benchmark: two Dovecots on loopback, a generated corpus of 20,000 messages
 * (most 2-20 KB, some up to 1 MB, a few of several MB) written straight into the source's
 * Maildir, copied through the store SPI (list + readAll on one connection, appendAll with
 * MULTIAPPEND on another, folders in parallel), then a no-op pass and a delta pass after 1% new
 * messages and 5% flag changes; and the same three passes by mbsync (IMAP to IMAP) in the same
 * run. Prints messages/s, MB/s and the JVM's peak heap; asserts nothing about time.
 */
@Tag("benchmark")
class ImapCopyBenchmarkTest {
    private static final int MESSAGES = Integer.getInteger("benchmark.messages", 20_000);
    private static final Instant BASE_DATE = Instant.parse("2020-01-01T00:00:00Z");
    private static final List<FolderPath> FOLDERS =
            List.of(FolderPath.INBOX, FolderPath.of("Archive"), FolderPath.of("Sent"), FolderPath.of("Lists"));
    private static final double[] SHARE = {0.5, 0.3, 0.15, 0.05};
    private static final int BATCH = 100;

    /** What the copier knows of one folder pair after a pass: statuses, the pair map, flags. */
    private static final class PairState {
        FolderStatus source;
        final Map<Long, Long> targetOf = new ConcurrentHashMap<>();
        final Map<Long, Flags> flags = new ConcurrentHashMap<>();
        long highWater;
    }

    @Test
    void copyTwentyThousandMessagesAndCompareWithMbsync() throws Exception {
        try (DovecotServer source = DovecotContractTest.Dovecots.startWithUsers(
                        "b", DovecotServer.Options.defaults().withExtraConfig("maildir_very_dirty_syncs = yes"));
                DovecotServer target =
                        DovecotContractTest.Dovecots.startWithUsers("b", DovecotServer.Options.defaults())) {
            System.out.printf("JVM max heap: %d MB%n", Runtime.getRuntime().maxMemory() >> 20);
            Instant t0 = Instant.now();
            long corpusBytes = writeCorpus(source, "b1");
            System.out.printf(
                    "corpus: %d messages, %.1f MB in %d folders, written as Maildir in %.1f s%n",
                    MESSAGES, corpusBytes / 1e6, FOLDERS.size(), secondsSince(t0));
            try (ImapStore src = DovecotContractTest.Dovecots.builder(source, "b1")
                    .maxConnections(10)
                    .connect()) {
                Instant w = Instant.now();
                long listed = 0;
                for (FolderPath path : FOLDERS) {
                    try (MailFolder f = src.openFolder(path)) {
                        List<MessageInfo> all = new ArrayList<>();
                        f.list(MessageQuery.all(), all::addAll);
                        listed += all.size();
                    }
                }
                System.out.printf(
                        "source warm-up (Dovecot indexes the new Maildir): %d listed in %.1f s%n",
                        listed, secondsSince(w));
                resetPeakHeap();
                Instant r = Instant.now();
                AtomicLong readBytes = new AtomicLong();
                AtomicLong readCount = new AtomicLong();
                runPerFolder(path -> {
                    try (MailFolder f = src.openFolder(path)) {
                        List<MessageInfo> all = new ArrayList<>();
                        f.list(MessageQuery.all(), all::addAll);
                        for (int i = 0; i < all.size(); i += BATCH) {
                            f.readAll(
                                    all.subList(i, Math.min(all.size(), i + BATCH)).stream()
                                            .map(MessageInfo::uid)
                                            .toList(),
                                    (uid, raw) -> {
                                        readBytes.addAndGet(raw.size());
                                        readCount.incrementAndGet();
                                        raw.close();
                                    });
                        }
                    }
                });
                new Pass(readCount.get(), readBytes.get(), 0, Duration.between(r, Instant.now()))
                        .print("mailsync store SPI, read only (list + readAll)", peakHeapMb());
            }

            Map<FolderPath, PairState> state = new HashMap<>();
            try (ImapStore src = DovecotContractTest.Dovecots.builder(source, "b1")
                            .maxConnections(10)
                            .connect();
                    ImapStore dst = DovecotContractTest.Dovecots.builder(target, "b1")
                            .maxConnections(10)
                            .connect()) {
                System.out.println("target capabilities: " + dst.capabilities());
                resetPeakHeap();
                Pass full = copyAll(src, dst, state);
                full.print("mailsync store SPI, full copy", peakHeapMb());

                resetPeakHeap();
                Pass noop = deltaPass(src, dst, state);
                noop.print("mailsync store SPI, no-op pass (STATUS skip test)", peakHeapMb());

                resetPeakHeap();
                Instant l = Instant.now();
                long metadata = 0;
                for (FolderPath path : FOLDERS) {
                    try (MailFolder s = src.openFolder(path);
                            MailFolder d = dst.openFolder(path)) {
                        List<MessageInfo> a = new ArrayList<>();
                        List<MessageInfo> b = new ArrayList<>();
                        s.list(MessageQuery.all(), a::addAll);
                        d.list(MessageQuery.all(), b::addAll);
                        metadata += a.size() + b.size();
                    }
                }
                System.out.printf(
                        "%-58s %6d msgs metadata in %6.2f s%n",
                        "mailsync store SPI, full metadata listing of both sides", metadata, secondsSince(l));

                Instant c = Instant.now();
                ChangeSet changes = changeSource(src, 7);
                System.out.printf(
                        "source changed: %d new messages, %d flag changes in %.1f s%n",
                        changes.added, changes.flagged, secondsSince(c));

                resetPeakHeap();
                Pass delta = deltaPass(src, dst, state);
                delta.print("mailsync store SPI, delta pass (1% new, 5% flags)", peakHeapMb());
            }
            mbsync(source, target);
        }
    }

    // ---- corpus

    private static long writeCorpus(DovecotServer server, String user) throws IOException {
        Random random = new Random(20_000);
        Path maildir = server.home(user).resolve("Maildir");
        long total = 0;
        int n = 0;
        for (int f = 0; f < FOLDERS.size(); f++) {
            FolderPath path = FOLDERS.get(f);
            Path dir = path.isInbox() ? maildir : maildir.resolve("." + path.name());
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(dir.resolve(sub));
            }
            if (!path.isInbox()) {
                Files.writeString(dir.resolve("maildirfolder"), "");
            }
            int count = f == FOLDERS.size() - 1 ? MESSAGES - n : (int) (MESSAGES * SHARE[f]);
            for (int i = 0; i < count; i++, n++) {
                byte[] bytes = message(random, n);
                long seconds = BASE_DATE.getEpochSecond() + n * 600L;
                String flags = random.nextInt(10) < 7 ? "S" : random.nextInt(10) == 0 ? "FS" : "";
                Path file =
                        dir.resolve("cur").resolve(seconds + ".M" + n + "P1.bench,S=" + bytes.length + ":2," + flags);
                Files.write(file, bytes);
                Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(seconds)));
                total += bytes.length;
            }
        }
        Files.writeString(maildir.resolve("subscriptions"), "Archive\nSent\nLists\n");
        server.chownIfRoot(maildir);
        return total;
    }

    /** A message with a realistic size: most 2-20 KB, 10% up to 100 KB, 1.8% up to 1 MB, 0.2% of 1-5 MB. */
    static byte[] message(Random random, int n) {
        double p = random.nextDouble();
        int size = p < 0.88
                ? 2_000 + random.nextInt(18_000)
                : p < 0.98
                        ? 20_000 + random.nextInt(80_000)
                        : p < 0.998 ? 100_000 + random.nextInt(900_000) : 1_000_000 + random.nextInt(4_000_000);
        StringBuilder m = new StringBuilder(size + 600);
        m.append("Return-Path: <sender").append(n % 97).append("@example.net>\r\n");
        m.append("From: Sender ")
                .append(n % 97)
                .append(" <sender")
                .append(n % 97)
                .append("@example.net>\r\n");
        m.append("To: Bench <b1@example.org>\r\n");
        m.append("Subject: Benchmark message ").append(n).append("\r\n");
        m.append("Date: Wed, 1 Jan 2020 00:00:00 +0000\r\n");
        m.append("Message-ID: <bench-").append(n).append("@example.net>\r\n");
        m.append("MIME-Version: 1.0\r\n");
        if (size < 20_000) {
            m.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
            while (m.length() < size) {
                for (int i = 0; i < 72; i++) {
                    m.append((char) ('a' + random.nextInt(26)));
                    if (random.nextInt(7) == 0) {
                        m.append(' ');
                    }
                }
                m.append("\r\n");
            }
        } else {
            m.append("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n");
            m.append("See the attachment.\r\n--b\r\nContent-Type: application/octet-stream\r\n");
            m.append("Content-Transfer-Encoding: base64\r\n\r\n");
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            char[] line = new char[76];
            while (m.length() < size) {
                for (int i = 0; i < 76; i++) {
                    line[i] = alphabet.charAt(random.nextInt(64));
                }
                m.append(line).append("\r\n");
            }
            m.append("--b--\r\n");
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // ---- copying through the SPI

    private record Pass(long messages, long bytes, long flagUpdates, Duration time) {
        void print(String what, double peakHeapMb) {
            double s = Math.max(time.toNanos() / 1e9, 1e-9);
            System.out.printf(
                    "%-58s %6d msgs %8.1f MB %6d flag updates in %7.2f s: %8.0f msgs/s %7.1f MB/s, peak heap %.0f MB%n",
                    what, messages, bytes / 1e6, flagUpdates, s, messages / s, bytes / 1e6 / s, peakHeapMb);
        }
    }

    private static Pass copyAll(ImapStore src, ImapStore dst, Map<FolderPath, PairState> state) throws Exception {
        Instant start = Instant.now();
        for (FolderPath path : FOLDERS) {
            dst.createFolder(path);
            state.put(path, new PairState());
        }
        AtomicLong messages = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        runPerFolder(path -> {
            PairState pair = state.get(path);
            try (MailFolder s = src.openFolder(path)) {
                pair.source = s.status();
            }
            copyNew(src, dst, path, pair, messages, bytes);
        });
        return new Pass(messages.get(), bytes.get(), 0, Duration.between(start, Instant.now()));
    }

    @FunctionalInterface
    private interface FolderTask {
        void run(FolderPath path) throws Exception;
    }

    private static void runPerFolder(FolderTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(FOLDERS.size());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (FolderPath path : FOLDERS) {
                futures.add(pool.submit(() -> {
                    task.run(path);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private record Batch(List<MessageInfo> infos, List<RawMessage> raws) {}

    /** Copies the messages above the high-water mark: a reader thread feeds a writer through a queue. */
    private static void copyNew(
            ImapStore src, ImapStore dst, FolderPath path, PairState pair, AtomicLong messages, AtomicLong bytes)
            throws Exception {
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(4);
        Batch end = new Batch(List.of(), List.of());
        ExecutorService readerThread = Executors.newSingleThreadExecutor();
        Future<?> reader = readerThread.submit(() -> {
            try (MailFolder s = src.openFolder(path)) {
                List<MessageInfo> infos = new ArrayList<>();
                s.list(MessageQuery.from(MessageUid.of(pair.highWater + 1)), infos::addAll);
                for (int i = 0; i < infos.size(); i += BATCH) {
                    List<MessageInfo> part = infos.subList(i, Math.min(infos.size(), i + BATCH));
                    List<RawMessage> raws = new ArrayList<>();
                    s.readAll(part.stream().map(MessageInfo::uid).toList(), (uid, raw) -> raws.add(raw));
                    if (raws.size() != part.size()) {
                        throw new IllegalStateException("messages vanished from " + path);
                    }
                    queue.put(new Batch(part, raws));
                }
            } finally {
                queue.put(end);
            }
            return null;
        });
        try (MailFolder d = dst.openFolder(path)) {
            for (Batch batch = queue.take(); batch != end; batch = queue.take()) {
                List<AppendRequest> requests = new ArrayList<>();
                for (int i = 0; i < batch.infos().size(); i++) {
                    MessageInfo info = batch.infos().get(i);
                    requests.add(new AppendRequest(batch.raws().get(i), info.flags(), info.internalDate()));
                    bytes.addAndGet(info.size());
                }
                List<java.util.Optional<MessageUid>> ids = d.appendAll(requests);
                for (int i = 0; i < ids.size(); i++) {
                    MessageInfo info = batch.infos().get(i);
                    pair.targetOf.put(
                            info.uid().value(), ids.get(i).orElseThrow().value());
                    pair.flags.put(info.uid().value(), info.flags());
                    pair.highWater = Math.max(pair.highWater, info.uid().value());
                }
                batch.raws().forEach(RawMessage::close);
                messages.addAndGet(ids.size());
            }
        } finally {
            reader.get();
            readerThread.shutdown();
        }
    }

    /** Skip test by STATUS; where it differs, copy new messages and carry changed flags (CONDSTORE). */
    private static Pass deltaPass(ImapStore src, ImapStore dst, Map<FolderPath, PairState> state) throws Exception {
        Instant start = Instant.now();
        AtomicLong messages = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        AtomicLong flagUpdates = new AtomicLong();
        runPerFolder(path -> {
            PairState pair = state.get(path);
            FolderStatus now;
            try (MailFolder s = src.openFolder(path)) {
                now = s.status();
                if (now.equals(pair.source)) {
                    return;
                }
                if (src.capabilities().has(Capability.MODSEQ) && pair.source.highestModSeq() != null) {
                    List<MessageInfo> changed = new ArrayList<>();
                    s.list(MessageQuery.changedSince(pair.source.highestModSeq()), changed::addAll);
                    Map<Flags, List<MessageUid>> byFlags = new HashMap<>();
                    for (MessageInfo info : changed) {
                        Long targetUid = pair.targetOf.get(info.uid().value());
                        if (targetUid != null
                                && !info.flags()
                                        .equals(pair.flags.get(info.uid().value()))) {
                            byFlags.computeIfAbsent(info.flags(), k -> new ArrayList<>())
                                    .add(MessageUid.of(targetUid));
                            pair.flags.put(info.uid().value(), info.flags());
                        }
                    }
                    try (MailFolder d = dst.openFolder(path)) {
                        for (Map.Entry<Flags, List<MessageUid>> e : byFlags.entrySet()) {
                            d.storeFlags(e.getValue(), FlagsUpdateMode.REPLACE, e.getKey());
                            flagUpdates.addAndGet(e.getValue().size());
                        }
                    }
                }
            }
            copyNew(src, dst, path, pair, messages, bytes);
            pair.source = now;
        });
        return new Pass(messages.get(), bytes.get(), flagUpdates.get(), Duration.between(start, Instant.now()));
    }

    private record ChangeSet(int added, int flagged) {}

    private static ChangeSet changeSource(ImapStore src, int offset) throws Exception {
        Random random = new Random(offset);
        int added = 0;
        int flagged = 0;
        for (FolderPath path : FOLDERS) {
            try (MailFolder s = src.openFolder(path)) {
                List<MessageInfo> infos = new ArrayList<>();
                s.list(MessageQuery.all(), infos::addAll);
                int newOnes = Math.max(1, infos.size() / 100);
                List<AppendRequest> requests = new ArrayList<>();
                List<RawMessage> raws = new ArrayList<>();
                for (int i = 0; i < newOnes; i++) {
                    RawMessage raw = RawMessage.of(message(random, MESSAGES * (offset + 1) + added + i));
                    raws.add(raw);
                    requests.add(new AppendRequest(
                            raw, Flags.NONE, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
                }
                s.appendAll(requests);
                raws.forEach(RawMessage::close);
                added += newOnes;
                List<MessageUid> toFlag = new ArrayList<>();
                for (int i = 0; i < infos.size() / 20; i++) {
                    toFlag.add(infos.get((i * 20 + offset) % infos.size()).uid());
                }
                s.storeFlags(toFlag, FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED, Flag.ANSWERED));
                flagged += toFlag.size();
            }
        }
        return new ChangeSet(added, flagged);
    }

    // ---- mbsync

    private static void mbsync(DovecotServer source, DovecotServer target) throws Exception {
        Path dir = Files.createTempDirectory("mbsync");
        Path state = Files.createDirectories(dir.resolve("state"));
        Path config = dir.resolve("mbsyncrc");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "IMAPAccount src",
                        "Host 127.0.0.1",
                        "Port " + source.port(),
                        "User b1",
                        "Pass pw-b1",
                        "SSLType None",
                        "AuthMechs LOGIN",
                        "",
                        "IMAPStore src",
                        "Account src",
                        "",
                        "IMAPAccount dst",
                        "Host 127.0.0.1",
                        "Port " + target.port(),
                        "User b2",
                        "Pass pw-b2",
                        "SSLType None",
                        "AuthMechs LOGIN",
                        "",
                        "IMAPStore dst",
                        "Account dst",
                        "",
                        "Channel copy",
                        "Far :src:",
                        "Near :dst:",
                        "Patterns *",
                        "Create Near",
                        "Sync Pull",
                        "Expunge None",
                        "CopyArrivalDate yes",
                        "SyncState " + state + "/",
                        ""));
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        // The source already holds the 1% new messages and 5% flag changes made for our delta:
        // mbsync's full copy takes them all; its delta pass gets the same changes made again.
        Instant full = Instant.now();
        String out = runMbsync(config);
        double fullSeconds = secondsSince(full);
        long[] counts = countTarget(target);
        System.out.printf(
                "%-58s %6d msgs %8.1f MB in %7.2f s: %8.0f msgs/s %7.1f MB/s (%s)%n",
                "mbsync IMAP->IMAP, full copy",
                counts[0],
                counts[1] / 1e6,
                fullSeconds,
                counts[0] / fullSeconds,
                counts[1] / 1e6 / fullSeconds,
                out.strip().replace('\n', ' '));
        Instant noop = Instant.now();
        runMbsync(config);
        System.out.printf("%-58s in %7.2f s%n", "mbsync IMAP->IMAP, no-op pass", secondsSince(noop));
        try (ImapStore src = DovecotContractTest.Dovecots.builder(source, "b1").connect()) {
            Instant c = Instant.now();
            ChangeSet changes = changeSource(src, 13);
            System.out.printf(
                    "source changed again: %d new messages, %d flag changes in %.1f s%n",
                    changes.added, changes.flagged, secondsSince(c));
        }
        Instant delta = Instant.now();
        runMbsync(config);
        System.out.printf(
                "%-58s in %7.2f s%n", "mbsync IMAP->IMAP, delta pass (1% new, 5% flags)", secondsSince(delta));
    }

    private static String runMbsync(Path config) throws Exception {
        Process p = new ProcessBuilder("mbsync", "-q", "-c", config.toString(), "-a")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("mbsync failed: " + out);
        }
        return out;
    }

    private static long[] countTarget(DovecotServer target) throws IOException {
        long messages = 0;
        long bytes = 0;
        String out = target.doveadm("mailbox", "status", "-u", "b2", "messages vsize", "*");
        for (String line : out.split("\n")) {
            for (String word : line.trim().split("\\s+")) {
                if (word.startsWith("messages=")) {
                    messages += Long.parseLong(word.substring(9));
                } else if (word.startsWith("vsize=")) {
                    bytes += Long.parseLong(word.substring(6));
                }
            }
        }
        return new long[] {messages, bytes};
    }

    // ---- measuring

    private static double secondsSince(Instant start) {
        return Duration.between(start, Instant.now()).toNanos() / 1e9;
    }

    private static void resetPeakHeap() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static double peakHeapMb() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak / 1e6;
    }
}
