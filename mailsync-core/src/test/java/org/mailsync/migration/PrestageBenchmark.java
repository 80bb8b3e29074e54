package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;

/**
 * Bulk pre-staging of 200 accounts of 200 messages each from one (in-memory) legacy server to
 * local in-memory stores, at most 8 migrations at once, with file-based state and checkpoints
 * (each forced to disk). Prints accounts per minute, messages per second and peak heap. The
 * GreenMail/Dovecot variant belongs in mailsync-examples.
 */
@Tag("benchmark")
class PrestageBenchmark {
    private static final int ACCOUNTS = 200;
    private static final int MESSAGES = 200;
    private static final int CONCURRENT = 8;

    @TempDir
    Path tmp;

    @Test
    void prestage200AccountsOf200Messages() throws Exception {
        MigrationFixture f = new MigrationFixture(tmp);
        Random random = new Random(8);
        List<String> users = new ArrayList<>();
        long bytes = 0;
        for (int a = 0; a < ACCOUNTS; a++) {
            String user = "user" + a + "@example.org";
            users.add(user);
            InMemoryStore legacy = f.legacy.addUser(user, "pw" + a);
            legacy.createFolder(FolderPath.of("Sent"));
            try (MailFolder inbox = legacy.openFolder(FolderPath.INBOX);
                    MailFolder sent = legacy.openFolder(FolderPath.of("Sent"))) {
                for (int i = 0; i < MESSAGES; i++) {
                    byte[] message = message(user, i, random);
                    bytes += message.length;
                    Instant date = MigrationFixture.START.minus(Duration.ofHours((long) (MESSAGES - i) * 12));
                    try (RawMessage raw = RawMessage.of(message)) {
                        (i % 4 == 3 ? sent : inbox).append(new AppendRequest(raw, Flags.of(Flag.SEEN), date));
                    }
                }
            }
        }
        System.gc();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
        long baseline =
                heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);

        try (AutoMigration m = f.start(f.builder()
                .domain(f.domain()
                        .masterCredentials(MigrationFixture.MASTER, MigrationFixture.MASTER_PASSWORD)
                        .maxConnectionsPerHost(CONCURRENT + 1)
                        .build())
                .maxConcurrentMigrations(CONCURRENT))) {
            AtomicLong sampledPeak = new AtomicLong();
            Thread sampler = new Thread(() -> {
                Runtime rt = Runtime.getRuntime();
                while (!Thread.currentThread().isInterrupted()) {
                    sampledPeak.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            long start = System.nanoTime();
            m.prestage(users);
            if (!m.awaitIdle(Duration.ofMinutes(20))) {
                throw new AssertionError("not done within 20 minutes");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            sampler.join();
            long peak = heapPools.stream()
                    .mapToLong(p -> p.getPeakUsage().getUsed())
                    .sum();
            System.gc();
            long after =
                    heapPools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();

            long copied =
                    m.states().stream().mapToLong(AccountState::messagesCopied).sum();
            assertThat(m.states()).allMatch(s -> s.status() == MigrationStatus.SYNCED);
            assertThat(copied).isEqualTo((long) ACCOUNTS * MESSAGES);
            System.out.printf(
                    "auto-migration pre-stage: %d accounts x %d messages (%.1f MB) from one in-memory legacy server,"
                            + " %d concurrent migrations, file state + checkpoints%n",
                    ACCOUNTS, MESSAGES, bytes / 1e6, CONCURRENT);
            System.out.printf(
                    "  %.1f s, %.0f accounts/min, %.0f messages/s, %.1f MB/s%n",
                    seconds, ACCOUNTS / seconds * 60, copied / seconds, bytes / 1e6 / seconds);
            System.out.printf(
                    "  heap used: %.0f MB before (the legacy data), peak %.0f MB sampled every 5 ms (%.0f MB as the sum"
                            + " of pool peaks), %.0f MB after a GC (legacy + local data); max heap %.0f MB%n",
                    baseline / 1e6,
                    sampledPeak.get() / 1e6,
                    peak / 1e6,
                    after / 1e6,
                    Runtime.getRuntime().maxMemory() / 1e6);
        }
    }

    private static byte[] message(String user, int i, Random random) {
        // A realistic spread of small text messages: 1 to 12 KB of body.
        int size = 1000 + random.nextInt(11_000);
        StringBuilder body = new StringBuilder(size + 200);
        while (body.length() < size) {
            body.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit ")
                    .append(i)
                    .append("\r\n");
        }
        return ("From: sender" + (i % 17) + "@example.net\r\nTo: " + user + "\r\nSubject: message " + i
                        + "\r\nDate: Sun, 1 Mar 2026 10:00:00 +0100\r\nMessage-ID: <" + i + "." + user.hashCode()
                        + "@example.net>\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }
}
