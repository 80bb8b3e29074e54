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
 * messages and 5% flag changes. Prints messages/s, MB/s and the JVM's peak heap; asserts nothing
 * about time (write-heavy timings vary by ±25% on these machines).
 */
@Tag("benchmark")
class ImapSyncBenchmark {
    private static final int MESSAGES = Integer.getInteger("mailsync.bench.messages", 20_000);
    private static final List<String> FOLDERS = List.of("", ".Archive", ".Sent", ".Lists", ".Projects");
    private static final int[] SHARE = {50, 25, 12, 8, 5};

    @TempDir
    Path tmp;

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
        return ImapStore.builder()
                .host(server.host())
                .port(server.port())
                .security(Security.NONE)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .maxConnections(12)
                .readTimeout(Duration.ofSeconds(60))
                .connect();
    }

    /** Writes the corpus straight into a Maildir++ tree: most messages 2-20 KB, one in 200 of 1-4 MB. */
    private static long generateCorpus(Path maildir, int messages) throws Exception {
        Random random = new Random(20_000);
        long total = 0;
        int n = 0;
        for (int f = 0; f < FOLDERS.size(); f++) {
            Path dir = maildir.resolve(FOLDERS.get(f).isEmpty() ? "" : FOLDERS.get(f));
            Files.createDirectories(dir.resolve("cur"));
            Files.createDirectories(dir.resolve("new"));
            Files.createDirectories(dir.resolve("tmp"));
            int count = messages * SHARE[f] / 100;
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
        Path state = Files.createDirectories(tmp.resolve("mbsync-state"));
        String config = "IMAPAccount src\nHost 127.0.0.1\nPort " + source.port()
                + "\nUser bench\nPass pw-bench\nSSLType None\nAuthMechs LOGIN\n\n"
                + "IMAPStore src\nAccount src\n\n"
                + "IMAPAccount dst\nHost 127.0.0.1\nPort " + target.port()
                + "\nUser mbsync\nPass pw-mbsync\nSSLType None\nAuthMechs LOGIN\n\n"
                + "IMAPStore dst\nAccount dst\n\n"
                + "Channel bench\nFar :src:\nNear :dst:\nPatterns *\nCreate Near\nSync Pull\nCopyArrivalDate yes\nSyncState "
                + state + "/\n";
        Path file = tmp.resolve("mbsyncrc");
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
