package org.mailsync.examples.cli;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.maildir.MaildirStore;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.testing.TestMessages;

/**
 * Figures for the command-line tool, printed, never asserted: migrate between Maildirs (the
 * engine and the disk), between two GreenMail servers (what the demo sees), the delta pass, verify,
 * and how close the rate limit holds its figure.
 */
@Tag("benchmark")
class CliBenchmarkTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    private static void fill(MailStore store, FolderPath folder, int count) throws Exception {
        store.createFolder(folder);
        List<AppendRequest> batch = new ArrayList<>();
        try (MailFolder f = store.openFolder(folder)) {
            for (int i = 0; i < count; i++) {
                byte[] bytes = i % 20 == 0
                        ? TestMessages.withAttachment(100_000, i)
                        : TestMessages.simple("Nachricht " + i, "Text ".repeat(200 + i % 800));
                batch.add(new AppendRequest(RawMessage.of(bytes), Flags.of(Flag.SEEN), Instant.EPOCH.plusSeconds(i)));
                if (batch.size() == 100 || i == count - 1) {
                    f.appendAll(batch);
                    batch.forEach(r -> r.message().close());
                    batch.clear();
                }
            }
        }
    }

    private CliRun timed(String what, int messages, String... args) throws Exception {
        long start = System.nanoTime();
        CliRun run = CliRun.run(home, Map.of("PW", "pw"), args);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%-45s exit %d  %6.2f s  %8.0f msg/s%n", what, run.code(), seconds, messages / seconds);
        return run;
    }

    @Test
    void maildirToMaildir() throws Exception {
        int n = 5000;
        Path source = home.resolve("source");
        try (MaildirStore store =
                MaildirStore.builder().root(source).fsync(false).build()) {
            fill(store, FolderPath.INBOX, n / 2);
            fill(store, FolderPath.of("Archiv"), n / 2);
        }
        String from = "maildir:" + source;
        String to = "maildir:" + home.resolve("target");
        timed("maildir -> maildir, first pass, " + n + " msgs", n, "migrate", from, to);
        timed("maildir -> maildir, delta pass", n, "migrate", from, to);
        timed("verify maildir vs maildir", n, "verify", from, to);
    }

    @Test
    void greenMailToGreenMailAndTheRateLimit() throws Exception {
        int n = 300;
        oldServer.setUser("a@x", "anna", "pw");
        newServer.setUser("a@y", "anna", "pw");
        try (ImapStore store = ImapStore.builder()
                .host("127.0.0.1")
                .port(oldServer.getImap().getPort())
                .security(Security.NONE)
                .username("anna")
                .password("pw".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect()) {
            long start = System.nanoTime();
            fill(store, FolderPath.of("Archiv"), n);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "%-45s          %6.2f s  %8.0f msg/s%n", "fill GreenMail through ImapStore", seconds, n / seconds);
        }
        String from = "imap://anna@127.0.0.1:" + oldServer.getImap().getPort();
        String to = "imap://anna@127.0.0.1:" + newServer.getImap().getPort();
        timed(
                "greenmail -> greenmail, first pass, " + n + " msgs",
                n,
                "migrate",
                from,
                to,
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW");
        timed(
                "greenmail -> greenmail, delta pass",
                n,
                "migrate",
                from,
                to,
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW");
        timed(
                "verify greenmail vs greenmail",
                n,
                "verify",
                from,
                to,
                "--source-password-env",
                "PW",
                "--target-password-env",
                "PW");
        Path maildir = home.resolve("limited");
        timed(
                "greenmail -> maildir at --max-messages-per-second 100",
                n,
                "migrate",
                from,
                "maildir:" + maildir,
                "--source-password-env",
                "PW",
                "--max-messages-per-second",
                "100");
        Files.createDirectories(maildir);
    }
}
