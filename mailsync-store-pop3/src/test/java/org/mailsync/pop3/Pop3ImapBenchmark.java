package org.mailsync.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.imap.ImapStore;
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * POP3 (Dovecot) to IMAP (another Dovecot) through the engine: 5,000 messages with a realistic
 * size mix, a full pass, a pass with nothing new, a pass with 1% new mail, and delete-after-copy.
 * Prints figures; asserts only that every message arrived once. Run with
 * {@code mvn -B -Pbenchmark -pl mailsync-store-pop3 -am verify -Dtest=Pop3ImapBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}; {@code -Dpop3.benchmark.messages=N} for another size.
 */
@Tag("benchmark")
@Tag("dovecot")
class Pop3ImapBenchmark {
    @TempDir
    Path tmp;

    private static byte[] message(int n, Random random) {
        int roll = random.nextInt(100);
        int size = roll < 85 ? 2_000 + random.nextInt(6_000) : roll < 99 ? 20_000 + random.nextInt(80_000) : 500_000;
        byte[] body = TestMessages.withAttachment(size, n);
        String received = "Received: from mx.example.org by pop.example.org; Mon, 2 Mar 2026 08:"
                + String.format("%02d:%02d", (n / 60) % 60, n % 60) + " +0000\r\n";
        byte[] head = received.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + body.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body, 0, out, head.length, body.length);
        return out;
    }

    @Test
    void pop3IntoImap() throws Exception {
        int count = Integer.getInteger("pop3.benchmark.messages", 5_000);
        try (DovecotServer source = Pop3Dovecot.start("bs", DovecotServer.Options.defaults());
                DovecotServer target = Pop3Dovecot.start("bt", DovecotServer.Options.defaults())) {
            Random random = new Random(42);
            long bytes = 0;
            for (int n = 1; n <= count; n++) {
                byte[] m = message(n, random);
                bytes += m.length;
                Pop3Dovecot.deliver(source, "bs1", m);
            }
            double mb = bytes / 1e6;
            System.out.printf("POP3 -> IMAP benchmark: %d messages, %.1f MB%n", count, mb);
            // The POP3 side alone, with ids of its own: what listing and reading cost.
            try (Pop3Store alone = Pop3Dovecot.builder(source, "bs1", tmp.resolve("alone"))
                            .connect();
                    org.mailsync.spi.MailFolder inbox = alone.openFolder(org.mailsync.FolderPath.INBOX)) {
                long t0 = System.nanoTime();
                java.util.List<org.mailsync.MessageInfo> all = new java.util.ArrayList<>();
                inbox.list(org.mailsync.spi.MessageQuery.all(), all::addAll);
                double listS = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                long read = 0;
                for (org.mailsync.MessageInfo m : all) {
                    try (org.mailsync.RawMessage raw = inbox.read(m.uid()).orElseThrow()) {
                        read += raw.size();
                    }
                }
                double readS = (System.nanoTime() - t0) / 1e9;
                assertThat(read).isEqualTo(bytes);
                System.out.printf(
                        "  POP3 alone: first listing (LIST, UIDL, TOP of each) %.1f s; RETR of all %.1f s (%.0f"
                                + " messages/s, %.1f MB/s)%n",
                        listS, readS, count / readS, mb / readS);
            }
            try (Pop3Store pop3 = Pop3Dovecot.builder(source, "bs1", tmp.resolve("ids"))
                            .deleteAfterCopy(true)
                            .connect();
                    ImapStore imap = Pop3Dovecot.imap(target, "bt1").connect()) {
                SyncEngine engine = SyncEngine.builder()
                        .source(pop3)
                        .target(imap)
                        .checkpointDirectory(tmp.resolve("checkpoints"))
                        .build();
                long t0 = System.nanoTime();
                SyncReport full = engine.run();
                double fullS = (System.nanoTime() - t0) / 1e9;
                assertThat(full.copied()).isEqualTo(count);
                System.out.printf(
                        "  full pass: %.1f s, %.0f messages/s, %.1f MB/s%n", fullS, count / fullS, mb / fullS);
                t0 = System.nanoTime();
                SyncReport idle = engine.run();
                double idleS = (System.nanoTime() - t0) / 1e9;
                assertThat(idle.copied()).isZero();
                System.out.printf("  pass with nothing new (LIST + UIDL of %d): %.2f s%n", count, idleS);
                int fresh = Math.max(1, count / 100);
                for (int n = count + 1; n <= count + fresh; n++) {
                    Pop3Dovecot.deliver(source, "bs1", message(n, random));
                }
                t0 = System.nanoTime();
                SyncReport delta = engine.run();
                double deltaS = (System.nanoTime() - t0) / 1e9;
                assertThat(delta.copied()).isEqualTo(fresh);
                System.out.printf("  delta pass (%d new): %.2f s%n", fresh, deltaS);
                t0 = System.nanoTime();
                Pop3Deletion deleted = pop3.deleteCopied(engine.configuration(), delta);
                double deleteS = (System.nanoTime() - t0) / 1e9;
                assertThat(deleted.deleted()).isEqualTo(count + fresh);
                System.out.printf(
                        "  delete-after-copy of %d (TOP of each, target headers, DELE, QUIT): %.1f s%n",
                        count + fresh, deleteS);
            }
        }
    }
}
