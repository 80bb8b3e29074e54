package org.mailsync.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.SyncEngine;
import org.mailsync.SyncReport;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.DovecotServer;

/**
 * Memory stays bounded with several slices in flight: a folder of 600 small messages (copied in
 * slices over several connections) and one of 200 MB, copied IMAP to IMAP by the engine with its
 * defaults in a JVM with a 64 MB heap. The run's byte budget holds across slices; the large
 * message streams through the spool.
 */
class LargeMessageSmallHeapTest {
    private static final long LARGE = 200L << 20;

    @TempDir
    Path tmp;

    @Test
    void a200MbMessageAndASlicedFolderPassThroughA64MbHeap() throws Exception {
        try (DovecotServer source = DovecotServer.start(DovecotServer.Options.defaults());
                DovecotServer target = DovecotServer.start(DovecotServer.Options.defaults())) {
            Thread.sleep(1100);
            source.addUser("anna", "pw-anna");
            target.addUser("anna", "pw-anna");
            Path cur = source.home("anna").resolve("Maildir").resolve("cur");
            Files.createDirectories(cur);
            Files.createDirectories(cur.resolveSibling("new"));
            Files.createDirectories(cur.resolveSibling("tmp"));
            Random random = new Random(200);
            for (int i = 0; i < 600; i++) {
                String m = "From: a@example.org\r\nSubject: small " + i + "\r\nMessage-ID: <" + i
                        + "@small.example.org>\r\n\r\n" + "x".repeat(2000 + random.nextInt(8000)) + "\r\n";
                Files.writeString(cur.resolve((1_700_000_000L + i) + ".M" + i + "P1.test:2,"), m);
            }
            try (OutputStream out = new BufferedOutputStream(
                    Files.newOutputStream(cur.resolve("1800000000.M999P1.large:2,S")), 1 << 16)) {
                out.write(("From: a@example.org\r\nSubject: large\r\nMessage-ID: <large@example.org>\r\n"
                                + "Content-Type: text/plain\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] line = new byte[78];
                long written = 0;
                while (written < LARGE) {
                    for (int k = 0; k < 76; k++) {
                        line[k] = (byte) ('A' + random.nextInt(26));
                    }
                    line[76] = '\r';
                    line[77] = '\n';
                    out.write(line);
                    written += line.length;
                }
            }
            source.chownIfRoot(source.home("anna"));

            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(
                            java,
                            "-Xmx64m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            Probe.class.getName(),
                            Integer.toString(source.port()),
                            Integer.toString(target.port()),
                            tmp.resolve("cp").toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("the copy did not finish within 5 minutes:\n" + output);
            }
            assertThat(output).contains("RESULT COMPLETE 601").doesNotContain("OutOfMemoryError");

            try (ImapStore from = Probe.store(source.port());
                    ImapStore to = Probe.store(target.port());
                    MailFolder s = from.openFolder(FolderPath.INBOX);
                    MailFolder t = to.openFolder(FolderPath.INBOX)) {
                List<Long> want = new ArrayList<>();
                s.list(MessageQuery.all(), b -> b.forEach(m -> want.add(m.size())));
                List<Long> have = new ArrayList<>();
                t.list(
                        MessageQuery.all(),
                        b -> b.stream().map(MessageInfo::size).forEach(have::add));
                assertThat(have).containsExactlyInAnyOrderElementsOf(want);
                assertThat(have).contains(want.stream().max(Long::compare).orElseThrow());
            }
        }
    }

    /** The copy, in a JVM of its own with a 64 MB heap: prints {@code RESULT verdict copied}. */
    public static final class Probe {
        private Probe() {}

        static ImapStore store(int port) throws Exception {
            return ImapStore.builder()
                    .host("127.0.0.1")
                    .port(port)
                    .security(Security.NONE)
                    .username("anna")
                    .password("pw-anna".toCharArray())
                    .readTimeout(Duration.ofSeconds(60))
                    .connect();
        }

        public static void main(String[] args) throws Exception {
            try (ImapStore from = store(Integer.parseInt(args[0]));
                    ImapStore to = store(Integer.parseInt(args[1]))) {
                SyncReport report = SyncEngine.builder()
                        .source(from)
                        .target(to)
                        .checkpointDirectory(Path.of(args[2]))
                        .build()
                        .run();
                System.out.println("RESULT " + report.verdict() + " " + report.copied());
                if (report.verdict() != SyncReport.Verdict.COMPLETE) {
                    System.out.println(report.toText());
                }
            } catch (Throwable t) {
                System.out.println("RESULT " + t);
            }
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }
}
