package org.mailsync.imap;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageOrder;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.Heap;
import org.mailsync.testing.TestMessages;

/**
 * IMAP to IMAP between two real Dovecots on loopback, mailsync beside mbsync (Debian's isync) on
 * the same 20,000-message corpus in one run: full copy, no-op pass, and a delta pass after 1% new
 * messages and 5% flag changes; and issue 15's comparison of full copies with the raw MULTIAPPEND
 * rate of {@link RawAppender} measured in the same run (two accounts: INBOX 40% and INBOX 80%;
 * the default, each message order, 1/2/4/8 connections), every run verified lossless. Prints
 * messages/s, MB/s, ratios and the JVM's peak heap; asserts nothing about time (write-heavy
 * timings vary by ±25% on these machines).
 */
@Tag("benchmark")
class ImapSyncBenchmark {
    private static final int MESSAGES = Integer.getInteger("mailsync.bench.messages", 20_000);
    private static final List<String> FOLDERS = List.of("", ".Archive", ".Sent", ".Lists", ".Projects");
    private static final int[] SHARE = {50, 25, 12, 8, 5};

    @TempDir
    Path tmp;

    /** The realistic account of issue 15: INBOX 40%. */
    private static final int[] REALISTIC = {40, 25, 15, 12, 8};

    /** One dominant folder: INBOX 80%. */
    private static final int[] DOMINANT = {80, 8, 6, 4, 2};

    /**
     * A mailsync run of the comparison: its name and how its engine and stores are set (null or 0:
     * left at the default).
     */
    private record Variant(
            String name, @Nullable MessageOrder order, int connectionsPerFolder, int maxConnections, int batchSize) {
        Variant(String name, @Nullable MessageOrder order, int connectionsPerFolder, int maxConnections) {
            this(name, order, connectionsPerFolder, maxConnections, 0);
        }
    }

    /**
     * Issue 15's comparison: per account, the raw MULTIAPPEND rate (a minimal client of this
     * class: 4 connections, each a contiguous slice of the folder-sorted corpus, 100 messages per
     * APPEND, 32 commands in flight over all connections) measured before and after the mailsync
     * runs, and each mailsync run as a ratio to their mean. Every run goes into a fresh target
     * user and is verified lossless (the report, and each folder's count on the target).
     */
    @Test
    void fullCopiesAgainstTheRawMultiappendRate() throws Exception {
        List<Variant> realistic = List.of(
                new Variant("mailsync defaults (FASTEST)", null, 0, 0),
                new Variant("mailsync messageOrder SOURCE", MessageOrder.SOURCE, 0, 0),
                new Variant("mailsync maxConnections 1", null, 0, 1),
                new Variant("mailsync maxConnections 2", null, 0, 2),
                new Variant("mailsync maxConnections 4", null, 0, 4),
                new Variant("mailsync maxConnections 8", null, 0, 8),
                new Variant("mailsync defaults again", null, 0, 0));
        List<Variant> dominant = List.of(
                new Variant("mailsync defaults (FASTEST)", null, 0, 0),
                new Variant("mailsync messageOrder SOURCE", MessageOrder.SOURCE, 0, 0),
                new Variant("mailsync maxConnections 4", null, 0, 4),
                new Variant("mailsync maxConnections 12", null, 0, 12),
                new Variant("mailsync old defaults (8 per folder, batch 100)", null, 8, 0, 100),
                new Variant("mailsync defaults again", null, 0, 0));
        String only = System.getProperty("mailsync.bench.only", "");
        // -Dmailsync.bench.variants=FASTEST:4:8,SOURCE:8:0:200 (order:connectionsPerFolder:maxConnections
        // and optionally :batchSize)
        // replaces both lists, for trying settings; -Dmailsync.bench.accounts=dom runs one account.
        String custom = System.getProperty("mailsync.bench.variants", "");
        if (!custom.isEmpty()) {
            List<Variant> chosen = new ArrayList<>();
            for (String v : custom.split(",")) {
                String[] f = v.split(":");
                chosen.add(new Variant(
                        "mailsync " + f[0] + " perFolder " + f[1] + " max " + f[2]
                                + (f.length > 3 ? " batch " + f[3] : ""),
                        MessageOrder.valueOf(f[0]),
                        Integer.parseInt(f[1]),
                        Integer.parseInt(f[2]),
                        f.length > 3 ? Integer.parseInt(f[3]) : 0));
            }
            realistic = chosen;
            dominant = chosen;
        }
        String accounts = System.getProperty("mailsync.bench.accounts", "real,dom");
        try (DovecotServer source = DovecotServer.start(DovecotServer.Options.defaults());
                DovecotServer target = DovecotServer.start(DovecotServer.Options.defaults())) {
            Thread.sleep(1100);
            source.addUser("real", "pw-real");
            source.addUser("dom", "pw-dom");
            List<String> users = new ArrayList<>(List.of("raw1", "raw2", "raw3", "raw4", "mbsync", "warm"));
            for (int i = 0; i < realistic.size() + dominant.size(); i++) {
                users.add("m" + i);
            }
            for (String user : users) {
                target.addUser(user, "pw-" + user);
            }
            long realBytes = generateCorpus(source.home("real").resolve("Maildir"), MESSAGES, REALISTIC);
            long domBytes = generateCorpus(source.home("dom").resolve("Maildir"), MESSAGES, DOMINANT);
            source.chownIfRoot(source.home("real"));
            source.chownIfRoot(source.home("dom"));
            Thread.sleep(1100);
            List<String> table = new ArrayList<>();
            int m = 0;
            // The JVM's first copy runs cold (class loading, JIT) and so does the source's page
            // cache: one copy first, not counted.
            warmUp(source, "real");
            try (ImapStore from = store(source, "real", 0);
                    ImapStore to = store(target, "warm", 0)) {
                Instant start = Instant.now();
                check(engine(from, to, tmp.resolve("cp-warm")).run(), MESSAGES);
                System.out.printf(
                        "%-46s %8.2f s (not counted)%n",
                        "warm-up copy", Duration.between(start, Instant.now()).toMillis() / 1000.0);
            }
            for (boolean isDominant : new boolean[] {false, true}) {
                String account = isDominant ? "dom" : "real";
                if (!accounts.contains(account)) {
                    continue;
                }
                long bytes = isDominant ? domBytes : realBytes;
                List<Variant> variants = isDominant ? dominant : realistic;
                String title = (isDominant ? "one dominant folder (INBOX 80%)" : "realistic (INBOX 40%)") + ": "
                        + MESSAGES + " messages, " + String.format("%.0f MB", bytes / 1e6);
                System.out.println("== " + title);
                table.add("| " + title + " | | | |");
                warmUp(source, account);
                Path maildir = source.home(account).resolve("Maildir");
                CpuMeter cpu = new CpuMeter(source, target);
                cpu.start();
                double raw1 = RawAppender.run(maildir, FOLDERS, target, isDominant ? "raw3" : "raw1");
                System.out.printf(
                        "%-46s %8.0f messages/s  %s%n", "raw MULTIAPPEND (before)", raw1, cpu.perThousand(MESSAGES));
                List<double[]> rates = new ArrayList<>();
                if (!isDominant && only.isEmpty()) {
                    Path config = writeMbsyncConfig(source, account, target, "mbsync");
                    Instant start = Instant.now();
                    mbsync(config);
                    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
                    verifyCounts(source, account, target, "mbsync");
                    rates.add(new double[] {-1, MESSAGES / seconds, seconds});
                    System.out.printf("%-46s %8.0f messages/s%n", "mbsync", MESSAGES / seconds);
                }
                for (Variant v : variants) {
                    String user = "m" + m++;
                    if (!only.isEmpty() && !v.name().contains(only)) {
                        continue;
                    }
                    SyncReport report;
                    double seconds;
                    cpu.start();
                    try (ImapStore from = store(source, account, v.maxConnections());
                            ImapStore to = store(target, user, v.maxConnections())) {
                        Instant start = Instant.now();
                        SyncEngine.Builder builder = SyncEngine.builder()
                                .source(from)
                                .target(to)
                                .checkpointDirectory(tmp.resolve("cp-" + user));
                        if (v.order() != null) {
                            builder.messageOrder(v.order());
                        }
                        if (v.connectionsPerFolder() > 0) {
                            builder.connectionsPerFolder(v.connectionsPerFolder());
                        }
                        if (v.batchSize() > 0) {
                            builder.batchSize(v.batchSize());
                        }
                        report = builder.build().run();
                        seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
                    }
                    // The logins and logouts count: the raw client's are in its figure too.
                    String cpuUsed = cpu.perThousand(MESSAGES);
                    check(report, MESSAGES);
                    verifyCounts(source, account, target, user);
                    rates.add(new double[] {variants.indexOf(v), MESSAGES / seconds, seconds});
                    System.out.printf(
                            "%-46s %8.0f messages/s  %6.2f s  %s%n", v.name(), MESSAGES / seconds, seconds, cpuUsed);
                }
                cpu.start();
                double raw2 = RawAppender.run(maildir, FOLDERS, target, isDominant ? "raw4" : "raw2");
                System.out.printf(
                        "%-46s %8.0f messages/s  %s%n", "raw MULTIAPPEND (after)", raw2, cpu.perThousand(MESSAGES));
                double raw = (raw1 + raw2) / 2;
                table.add(String.format(
                        "| raw MULTIAPPEND, 4 connections (before / after) | %.0f / %.0f | | 1.00 |", raw1, raw2));
                for (double[] r : rates) {
                    String name = r[0] < 0 ? "mbsync" : variants.get((int) r[0]).name();
                    table.add(String.format("| %s | %.0f | %.1f s | %.2f |", name, r[1], r[2], r[1] / raw));
                }
            }
            System.out.println("| run | messages/s | time | ratio to raw |");
            System.out.println("| --- | --- | --- | --- |");
            table.forEach(System.out::println);
        }
    }

    /** Dovecot indexes a new Maildir on first sight: not part of any copy. */
    private static void warmUp(DovecotServer source, String account) throws Exception {
        try (ImapStore from = store(source, account, 0)) {
            for (String name : FOLDERS) {
                try (MailFolder folder =
                        from.openFolder(name.isEmpty() ? FolderPath.INBOX : FolderPath.of(name.substring(1)))) {
                    folder.list(MessageQuery.all(), batch -> {});
                }
            }
        }
    }

    /** Each folder's message count on the target is the source's: nothing lost, nothing twice. */
    private static void verifyCounts(DovecotServer source, String account, DovecotServer target, String user)
            throws Exception {
        try (ImapStore from = store(source, account, 0);
                ImapStore to = store(target, user, 0)) {
            for (String name : FOLDERS) {
                FolderPath path = name.isEmpty() ? FolderPath.INBOX : FolderPath.of(name.substring(1));
                long want = from.status(path).messageCount();
                long have = to.status(path).messageCount();
                if (want != have) {
                    throw new AssertionError(user + ": " + path + " holds " + have + " messages, the source " + want);
                }
            }
        }
    }

    @Test
    void mailsyncBesideMbsync() throws Exception {
        DovecotServer.Options options = DovecotServer.Options.defaults();
        try (DovecotServer source = DovecotServer.start(options);
                DovecotServer target = DovecotServer.start(options)) {
            Thread.sleep(1100);
            source.addUser("bench", "pw-bench");
            target.addUser("bench", "pw-bench");
            target.addUser("mbsync", "pw-mbsync");
            long bytes = generateCorpus(source.home("bench").resolve("Maildir"), MESSAGES);
            source.chownIfRoot(source.home("bench"));
            System.out.printf("corpus: %d messages, %.1f MB in %d folders%n", MESSAGES, bytes / 1e6, FOLDERS.size());

            Path mbsyncConfig = writeMbsyncConfig(source, target);
            time("mbsync full copy", MESSAGES, bytes, () -> mbsync(mbsyncConfig));
            time("mbsync no-op pass", MESSAGES, 0, () -> mbsync(mbsyncConfig));

            try (ImapStore from = store(source, "bench");
                    ImapStore to = store(target, "bench")) {
                Heap.resetPeak();
                Path checkpoints = tmp.resolve("checkpoints");
                SyncReport full = time("mailsync full copy", MESSAGES, bytes, () -> engine(from, to, checkpoints)
                        .run());
                System.out.printf("  peak heap during the full copy: %d MB%n", Heap.peakMb());
                check(full, MESSAGES);
                SyncReport noop = time("mailsync no-op pass", MESSAGES, 0, () -> engine(from, to, checkpoints)
                        .run());
                check(noop, 0);

                int added = changeSource(from);
                SyncReport delta = time(
                        "mailsync delta (1% new, 5% flags)",
                        MESSAGES, 0, () -> engine(from, to, checkpoints).run());
                check(delta, added);
                System.out.printf("  delta copied %d, updated flags on %d%n", delta.copied(), delta.flagsUpdated());
            }
            time("mbsync delta (1% new, 5% flags)", MESSAGES, 0, () -> mbsync(mbsyncConfig));
        }
    }

    /**
     * A target without LITERAL+ and MULTIAPPEND (Dovecot with {@code imap_capability} set, as
     * Courier offers neither): every APPEND carries one message and waits for the server's
     * continuation before its literal. Copied four times, into fresh target users, with
     * TCP_NODELAY off (as before 13.6), on, on, off: Nagle's algorithm with the server's delayed
     * ACK can cost up to 40 ms per message where a small write follows an unacknowledged one.
     */
    @Test
    void intoATargetWithoutLiteralPlusAndMultiappend() throws Exception {
        int messages = Integer.getInteger("mailsync.bench.noliteral.messages", 2_000);
        try (DovecotServer source = DovecotServer.start(DovecotServer.Options.defaults());
                DovecotServer target = DovecotServer.start(DovecotServer.Options.defaults()
                        .withExtraConfig(
                                DovecotWithoutLiteralPlusContractTest
                                        .CAPABILITIES_WITHOUT_LITERAL_PLUS_AND_MULTIAPPEND))) {
            Thread.sleep(1100);
            source.addUser("bench", "pw-bench");
            for (String user : List.of("off1", "on1", "on2", "off2")) {
                target.addUser(user, "pw-" + user);
            }
            long bytes = generateCorpus(source.home("bench").resolve("Maildir"), messages);
            source.chownIfRoot(source.home("bench"));
            System.out.printf(
                    "corpus: %d messages, %.1f MB in %d folders; target without LITERAL+ and MULTIAPPEND%n",
                    messages, bytes / 1e6, FOLDERS.size());
            try (ImapStore from = store(source, "bench")) {
                // Dovecot indexes the new Maildir on first sight: not part of either copy.
                for (String name : FOLDERS) {
                    try (MailFolder folder =
                            from.openFolder(name.isEmpty() ? FolderPath.INBOX : FolderPath.of(name.substring(1)))) {
                        folder.list(MessageQuery.all(), batch -> {});
                    }
                }
            }
            // Off, on, on, off: a drift of the machine over the run weighs on both alike.
            for (String user : List.of("off1", "on1", "on2", "off2")) {
                boolean noDelay = user.startsWith("on");
                Connection.tcpNoDelay = noDelay;
                try (ImapStore from = store(source, "bench");
                        ImapStore to = store(target, user)) {
                    if (to.capabilities().has(org.mailsync.Capability.BATCH_APPEND)) {
                        throw new AssertionError("the target still offers MULTIAPPEND");
                    }
                    SyncReport full = time(
                            "mailsync full copy, TCP_NODELAY " + (noDelay ? "on" : "off"),
                            messages,
                            bytes,
                            () -> engine(from, to, tmp.resolve("checkpoints-" + user))
                                    .run());
                    check(full, messages);
                } finally {
                    Connection.tcpNoDelay = true;
                }
            }
        }
    }

    private interface Timed<T> {
        T run() throws Exception;
    }

    private static <T> T time(String what, int messages, long bytes, Timed<T> work) throws Exception {
        Instant start = Instant.now();
        T result = work.run();
        double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
        if (bytes > 0) {
            System.out.printf(
                    "%-36s %8.2f s  %8.0f messages/s  %7.1f MB/s%n",
                    what, seconds, messages / seconds, bytes / 1e6 / seconds);
        } else {
            System.out.printf("%-36s %8.2f s%n", what, seconds);
        }
        return result;
    }

    private static void check(SyncReport report, int copied) {
        if (report.verdict() != SyncReport.Verdict.COMPLETE || report.copied() != copied) {
            throw new AssertionError("expected " + copied + " copied:\n" + report.toText());
        }
    }

    private static SyncEngine engine(ImapStore from, ImapStore to, Path checkpoints) throws Exception {
        return SyncEngine.builder()
                .source(from)
                .target(to)
                .checkpointDirectory(checkpoints)
                .parallelism(4)
                .build();
    }

    private static ImapStore store(DovecotServer server, String user) throws Exception {
        return store(server, user, 12);
    }

    /** {@code maxConnections} 0: the store's default. */
    private static ImapStore store(DovecotServer server, String user, int maxConnections) throws Exception {
        ImapStore.Builder b = ImapStore.builder()
                .host(server.host())
                .port(server.port())
                .security(Security.NONE)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .readTimeout(Duration.ofSeconds(60));
        if (maxConnections > 0) {
            b.maxConnections(maxConnections);
        }
        return b.connect();
    }

    /** Writes the corpus straight into a Maildir++ tree: most messages 2-20 KB, one in 200 of 1-4 MB. */
    private static long generateCorpus(Path maildir, int messages) throws Exception {
        return generateCorpus(maildir, messages, SHARE);
    }

    private static long generateCorpus(Path maildir, int messages, int[] share) throws Exception {
        Random random = new Random(20_000);
        long total = 0;
        int n = 0;
        for (int f = 0; f < FOLDERS.size(); f++) {
            Path dir = maildir.resolve(FOLDERS.get(f).isEmpty() ? "" : FOLDERS.get(f));
            Files.createDirectories(dir.resolve("cur"));
            Files.createDirectories(dir.resolve("new"));
            Files.createDirectories(dir.resolve("tmp"));
            int count = messages * share[f] / 100;
            for (int i = 0; i < count; i++, n++) {
                int size = random.nextInt(200) == 0
                        ? 1_000_000 + random.nextInt(3_000_000)
                        : 2_000 + random.nextInt(18_000);
                byte[] bytes = size > 100_000 ? TestMessages.withAttachment(size, n) : text(n, size, random);
                String flags = random.nextInt(3) == 0 ? "" : "S";
                Path file = dir.resolve("cur")
                        .resolve((1_700_000_000L + n) + ".M" + n + "P1.bench,S=" + bytes.length + ":2," + flags);
                Files.write(file, bytes);
                Files.setLastModifiedTime(
                        file,
                        FileTime.from(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(n * 60L)));
                total += bytes.length;
            }
        }
        return total;
    }

    private static byte[] text(int n, int size, Random random) {
        StringBuilder m = new StringBuilder(size + 200);
        m.append("From: Sender ").append(n % 313).append(" <s").append(n % 313).append("@example.org>\r\n");
        m.append("To: bench@example.org\r\nSubject: Message number ").append(n).append("\r\n");
        m.append("Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <")
                .append(n)
                .append(".bench@example.org>\r\n");
        m.append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        while (m.length() < size) {
            m.append("Ein Absatz mit Umlauten äöü und Zahlen ")
                    .append(random.nextInt())
                    .append("\r\n");
        }
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** 1% new messages into INBOX, 5% of the messages of every folder flagged. */
    private static int changeSource(ImapStore from) throws Exception {
        int added = MESSAGES / 100;
        try (MailFolder inbox = from.openFolder(FolderPath.INBOX)) {
            List<RawMessage> raws = new ArrayList<>();
            List<AppendRequest> batch = new ArrayList<>();
            for (int i = 0; i < added; i++) {
                RawMessage raw = RawMessage.of(TestMessages.simple("new " + i, "arrived later " + i));
                raws.add(raw);
                batch.add(new AppendRequest(raw, Flags.NONE, Instant.now()));
            }
            inbox.appendAll(batch);
            raws.forEach(RawMessage::close);
        }
        Random random = new Random(5);
        for (String name : FOLDERS) {
            FolderPath path = name.isEmpty() ? FolderPath.INBOX : FolderPath.of(name.substring(1));
            try (MailFolder folder = from.openFolder(path)) {
                List<MessageInfo> all = new ArrayList<>();
                folder.list(MessageQuery.all(), all::addAll);
                List<MessageUid> pick = all.stream()
                        .filter(m -> random.nextInt(100) < 5)
                        .map(MessageInfo::uid)
                        .toList();
                folder.storeFlags(pick, FlagsUpdateMode.ADD, Flags.of(Flag.FLAGGED));
            }
        }
        return added;
    }

    private Path writeMbsyncConfig(DovecotServer source, DovecotServer target) throws Exception {
        return writeMbsyncConfig(source, "bench", target, "mbsync");
    }

    private Path writeMbsyncConfig(DovecotServer source, String from, DovecotServer target, String to)
            throws Exception {
        Path state = Files.createDirectories(tmp.resolve("mbsync-state-" + from));
        String config = "IMAPAccount src\nHost 127.0.0.1\nPort " + source.port()
                + "\nUser " + from + "\nPass pw-" + from + "\nSSLType None\nAuthMechs LOGIN\n\n"
                + "IMAPStore src\nAccount src\n\n"
                + "IMAPAccount dst\nHost 127.0.0.1\nPort " + target.port()
                + "\nUser " + to + "\nPass pw-" + to + "\nSSLType None\nAuthMechs LOGIN\n\n"
                + "IMAPStore dst\nAccount dst\n\n"
                + "Channel bench\nFar :src:\nNear :dst:\nPatterns *\nCreate Near\nSync Pull\nCopyArrivalDate yes\nSyncState "
                + state + "/\n";
        Path file = tmp.resolve("mbsyncrc-" + from);
        Files.writeString(file, config);
        return file;
    }

    private static Void mbsync(Path config) throws Exception {
        Process p = new ProcessBuilder("mbsync", "-q", "-c", config.toString(), "bench")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("mbsync failed: " + out);
        }
        return null;
    }
}
