package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.testing.TestMessages;

/**
 * {@code mailsync batch}: several accounts from a Windows-1252 spreadsheet CSV, one with a wrong
 * target password that fails alone, and the preflight that says so before anything is copied.
 */
class BatchCliTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    Path csv;

    @BeforeEach
    void accounts() throws Exception {
        for (String user : new String[] {"bernd", "carla", "dora"}) {
            oldServer.setUser(user + "@alt.example", user, user + "-old");
            newServer.setUser(user + "@neu.example", user, user + "-new");
            try (ImapStore store = open(oldServer.getImap().getPort(), user, user + "-old");
                    MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                for (int i = 0; i < 3; i++) {
                    try (RawMessage raw = RawMessage.of(TestMessages.simple(user + " " + i, "Hallo " + i))) {
                        inbox.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-05-01T08:00:00Z")));
                    }
                }
            }
        }
        // As Excel saves "CSV (semicolon separated)" on a German Windows: Windows-1252, ';'.
        String text = "Quell-Benutzer;Passwort für Quelle;Ziel-Benutzer;Passwort für Ziel;Quell-Server\r\n"
                + "bernd;bernd-old;bernd;bernd-new\r\n"
                + "carla;carla-old;carla;carla-new;127.0.0.1:"
                + oldServer.getImap().getPort() + "\r\n"
                + "dora;dora-old;dora;falsch-ä\r\n";
        csv = Files.write(home.resolve("konten.csv"), text.getBytes(Charset.forName("windows-1252")));
    }

    private static ImapStore open(int port, String user, String password) throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(port)
                .security(Security.NONE)
                .username(user)
                .password(password.toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect();
    }

    private CliRun batch(String... more) throws InterruptedException {
        String[] args = new String[4 + more.length + 1];
        args[0] = "batch";
        args[1] = csv.toString();
        args[2] = "--source=imap://127.0.0.1:" + oldServer.getImap().getPort();
        args[3] = "--target=imap://127.0.0.1:" + newServer.getImap().getPort();
        System.arraycopy(more, 0, args, 4, more.length);
        args[args.length - 1] = "--jobs=2";
        return CliRun.run(home, Map.of(), args);
    }

    @Test
    void oneAccountWithAWrongPasswordFailsAloneAndTheSummaryShowsEachAccount() throws Exception {
        CliRun run = batch();

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.AUTHENTICATION.code);
        assertThat(run.out())
                .containsPattern("2 +bernd -> bernd +OK +3 ")
                .containsPattern("3 +carla -> carla +OK +3 ")
                .containsPattern("4 +dora -> dora +AUTHENTICATION")
                .contains("batch: 2 of 3 accounts OK");
        assertThat(run.out() + run.err()).doesNotContain("falsch").doesNotContain("bernd-new");
        assertThat(newServer.getReceivedMessagesForDomain("neu.example")).isEmpty(); // nothing by SMTP
        try (ImapStore store = open(newServer.getImap().getPort(), "carla", "carla-new")) {
            assertThat(store.status(FolderPath.INBOX).messageCount()).isEqualTo(3);
        }

        // Run again: the two good accounts are delta passes that copy nothing.
        CliRun again = batch();
        assertThat(again.out()).containsPattern("2 +bernd -> bernd +OK +0 +3 |2 +bernd -> bernd +OK +0 ");
    }

    @Test
    void preflightOnlyLogsInAndNamesWhatFails() throws Exception {
        CliRun run = batch("--preflight");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.AUTHENTICATION.code);
        assertThat(run.out())
                .containsPattern("bernd -> bernd +OK .*both logins work")
                .containsPattern("dora -> dora +AUTHENTICATION .*target: wrong user or password")
                .contains("preflight: 2 of 3 accounts OK");
        try (ImapStore store = open(newServer.getImap().getPort(), "bernd", "bernd-new")) {
            assertThat(store.status(FolderPath.INBOX).messageCount()).isZero();
        }
    }
}
