package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batch --preflight} with a source host that accepts TCP and never greets: its accounts are
 * reported as timeouts within the preflight timeout, the few hundred working accounts that share
 * their target are all reported, and no thread is left behind.
 */
@Timeout(120)
class PreflightTimeoutTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    private static final int WORKING = 300;
    private static final int SILENT = 4;

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    private static long preflightThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("mailsync-preflight-"))
                .count();
    }

    @Test
    void aSilentHostTimesOutAloneAndTheOthersAreReportedPromptly() throws Exception {
        StringBuilder csv = new StringBuilder("user,password,user,password,source host\n");
        for (int i = 0; i < WORKING; i++) {
            oldServer.setUser("u" + i + "@alt.example", "u" + i, "old" + i);
            newServer.setUser("u" + i + "@neu.example", "u" + i, "new" + i);
            csv.append("u")
                    .append(i)
                    .append(",old")
                    .append(i)
                    .append(",u")
                    .append(i)
                    .append(",new")
                    .append(i)
                    .append('\n');
        }
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // accepted, never greeted
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            for (int i = 0; i < SILENT; i++) {
                newServer.setUser("s" + i + "@neu.example", "s" + i, "new-s" + i);
                csv.append("s")
                        .append(i)
                        .append(",x,s")
                        .append(i)
                        .append(",new-s")
                        .append(i)
                        .append(",imap://127.0.0.1:")
                        .append(silent.getLocalPort())
                        .append('\n');
            }
            Path file = Files.writeString(home.resolve("accounts.csv"), csv);

            long start = System.nanoTime();
            CliRun run = CliRun.run(
                    home,
                    Map.of(),
                    "batch",
                    file.toString(),
                    "--source=imap://127.0.0.1:" + oldServer.getImap().getPort(),
                    "--target=imap://127.0.0.1:" + newServer.getImap().getPort(),
                    "--preflight",
                    "--preflight-timeout=3",
                    "--jobs=32");
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.CONNECTION.code);
            assertThat(run.out()).contains("preflight: " + WORKING + " of " + (WORKING + SILENT) + " accounts OK");
            for (int i = 0; i < SILENT; i++) {
                assertThat(run.out()).containsPattern("s" + i + " -> s" + i + " +CONNECTION .*source: unreachable");
            }
            // Each silent account ends within its 3 s (with slack for a busy machine); the working
            // ones never wait for it.
            assertThat(run.out().lines().filter(l -> l.contains("CONNECTION"))).allSatisfy(l -> assertThat(
                            Double.parseDouble(l.replaceAll(".*CONNECTION +- +- +- +- +([0-9.]+) .*", "$1")))
                    .isLessThan(6.0));
            assertThat(seconds).as("whole preflight").isLessThan(60);
            System.out.printf("preflight of %d accounts: %.1f s%n", WORKING + SILENT, seconds);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        // No thread is left behind: the logins that waited on the silent host end by their own
        // timeouts, the pools are shut down.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (preflightThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<String> left = new ArrayList<>();
        Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("mailsync-preflight-"))
                .forEach(t -> left.add(t.getName()));
        assertThat(left).isEmpty();
    }
}
