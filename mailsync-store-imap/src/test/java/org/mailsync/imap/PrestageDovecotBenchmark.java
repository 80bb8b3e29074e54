package org.mailsync.imap;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.migration.AccountState;
import org.mailsync.migration.AutoMigration;
import org.mailsync.migration.DomainSettings;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.migration.MigrationStatus;
import org.mailsync.migration.UsernameMapping;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.Heap;
import org.mailsync.testing.InMemoryAccounts;

/**
 * Bulk pre-stage from a real Dovecot legacy server with a master login: 200 accounts of 200
 * messages each into local (in-memory) mailboxes, at most 8 migrations at once. Prints accounts
 * per minute, messages per second and peak heap; asserts only that every account synced. The
 * local mailboxes are held in memory: run with {@code -Dbenchmark.heap=-Xmx2g}.
 */
@Tag("benchmark")
class PrestageDovecotBenchmark {
    private static final int ACCOUNTS = Integer.getInteger("mailsync.bench.accounts", 200);
    private static final int PER_ACCOUNT = 200;

    @TempDir
    Path tmp;

    @Test
    void prestageTwoHundredAccounts() throws Exception {
        try (DovecotServer legacy = DovecotServer.start()) {
            Thread.sleep(1100);
            long bytes = 0;
            Random random = new Random(8);
            for (int u = 1; u <= ACCOUNTS; u++) {
                Path home = legacy.addUser("acct" + u, "pw-acct" + u);
                bytes += fill(home.resolve("Maildir"), u, random);
            }
            legacy.chownIfRoot(legacy.directory().resolve("home"));
            legacy.addMasterUser("admin", "admin-pw");
            Thread.sleep(1100);

            InMemoryAccounts local = new InMemoryAccounts();
            try (AutoMigration migration = AutoMigration.builder()
                    .connector(new ImapLegacyConnector(Duration.ofSeconds(30), 2))
                    .mailboxes(local)
                    .provisioner(local)
                    .stateDirectory(tmp.resolve("state"))
                    .checkpointDirectory(tmp.resolve("checkpoints"))
                    .domain(DomainSettings.forDomain("example.org")
                            .legacy(new LegacyEndpoint(legacy.host(), legacy.port(), LegacyEndpoint.Security.NONE))
                            .usernames(UsernameMapping.localPartOnLegacy())
                            .masterCredentials("admin", "admin-pw".toCharArray())
                            .maxConnectionsPerHost(10)
                            .build())
                    .maxConcurrentMigrations(8)
                    .build()) {
                migration.start();
                List<String> accounts = new ArrayList<>();
                for (int u = 1; u <= ACCOUNTS; u++) {
                    accounts.add("acct" + u + "@example.org");
                }
                Heap.resetPeak();
                Instant start = Instant.now();
                migration.prestage(accounts);
                if (!migration.awaitIdle(Duration.ofMinutes(20))) {
                    throw new AssertionError("pre-stage did not finish in 20 minutes");
                }
                double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
                for (String account : accounts) {
                    AccountState state = migration.state(account).orElseThrow();
                    if (state.status() != MigrationStatus.SYNCED) {
                        throw new AssertionError(account + ": " + state.status() + " " + state.reason());
                    }
                }
                long messages = (long) ACCOUNTS * PER_ACCOUNT;
                System.out.printf(
                        "pre-stage from Dovecot: %d accounts x %d messages (%.1f MB), cap 8 migrations%n",
                        ACCOUNTS, PER_ACCOUNT, bytes / 1e6);
                System.out.printf(
                        "  %.1f s, %.0f accounts/min, %.0f messages/s, %.1f MB/s, peak heap %d MB%n",
                        seconds, ACCOUNTS * 60 / seconds, messages / seconds, bytes / 1e6 / seconds, Heap.peakMb());
            }
        }
    }

    /** Writes an account's mail straight into its Maildir: 200 messages of 2-20 KB in INBOX and Sent. */
    private static long fill(Path maildir, int account, Random random) throws Exception {
        long total = 0;
        for (String folder : List.of("", ".Sent")) {
            Path cur = Files.createDirectories(maildir.resolve(folder).resolve("cur"));
            Files.createDirectories(maildir.resolve(folder).resolve("new"));
            Files.createDirectories(maildir.resolve(folder).resolve("tmp"));
            for (int i = 0; i < PER_ACCOUNT / 2; i++) {
                StringBuilder m = new StringBuilder("From: someone@example.net\r\nTo: acct" + account
                        + "@example.org\r\nSubject: message " + i + "\r\nMessage-ID: <" + account + "." + folder + i
                        + "@example.net>\r\n\r\n");
                int size = 2_000 + random.nextInt(18_000);
                while (m.length() < size) {
                    m.append("line of text ").append(random.nextInt()).append("\r\n");
                }
                byte[] bytes = m.toString().getBytes(StandardCharsets.US_ASCII);
                Files.write(
                        cur.resolve(
                                (1_700_000_000L + i) + ".M" + i + "P" + account + ".legacy,S=" + bytes.length + ":2,S"),
                        bytes);
                total += bytes.length;
            }
        }
        return total;
    }
}
