package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
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
import org.mailsync.testing.DovecotServer;
import org.mailsync.testing.TestMessages;

/**
 * The size and quota preflight (issue 17, part 4) from the command line, against a real Dovecot
 * whose users have a quota of 1 MiB (the count backend): {@code batch --preflight} reports each
 * account's folders and bytes against the target's quota, counting what the target already holds;
 * an account that does not fit fails with that reason (exit 6) while the others pass, and a target
 * that states no quota (GreenMail) is "unknown", never a failure. {@code migrate --dry-run} does the
 * same for a local Maildir source, from its files.
 */
@Tag("dovecot")
class SizePreflightCliTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    private static final long QUOTA = 1024 * 1024;
    private static DovecotServer dovecot;

    @RegisterExtension
    final GreenMailExtension noQuota = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    @BeforeAll
    static void start() throws Exception {
        dovecot = DovecotServer.start(DovecotServer.Options.defaults().withQuota("storage=1M"));
        Thread.sleep(1100); // Dovecot notices a changed passwd-file by its mtime (seconds)
        for (String user : new String[] {"big", "small", "unknown", "full", "empty", "local"}) {
            dovecot.addUser(user, "pw-" + user);
        }
        fill("big", 3, 240_000); // 720 KB: fits an empty 1 MiB, not one that holds 400 KB
        fill("full", 2, 200_000); // the target that already holds 400 KB
        fill("small", 1, 50_000);
        fill("unknown", 1, 50_000);
    }

    @AfterAll
    static void stop() throws Exception {
        dovecot.close();
    }

    @Test
    void batchPreflightFailsTheAccountThatDoesNotFitAndPassesTheOthers() throws Exception {
        noQuota.setUser("unknown@neu.example", "unknown", "pw-unknown");
        String dv = "127.0.0.1:" + dovecot.port();
        String gm = "127.0.0.1:" + noQuota.getImap().getPort();
        Path csv = Files.writeString(
                home.resolve("accounts.csv"),
                "source user,source password,target user,target password,source host,target host\n"
                        + "big,pw-big,full,pw-full," + dv + "," + dv + "\n"
                        + "small,pw-small,empty,pw-empty," + dv + "," + dv + "\n"
                        + "unknown,pw-unknown,unknown,pw-unknown," + dv + "," + gm + "\n",
                StandardCharsets.UTF_8);

        CliRun run = CliRun.run(
                home,
                Map.of(),
                "batch",
                csv.toString(),
                "--source=imap://" + dv,
                "--target=imap://" + dv,
                "--preflight");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.FAILURE.code);
        // 720 KB into 1 MiB less the ~400 KB the target holds: short by less than 1 MB, said as 1 MB.
        assertThat(run.out())
                .contains("sizes of line 2: big -> full")
                .containsPattern("INBOX +3 +0\\.7")
                .containsPattern("target: quota 1\\.0 MB, 0\\.4 MB used")
                .containsPattern("2 +big -> full +FAILURE .*does not fit by 1 MB")
                .containsPattern("3 +small -> empty +OK .*fits: 0\\.[0-9] MB of 1\\.0 MB free")
                .containsPattern("4 +unknown -> unknown +OK .*quota unknown")
                .contains("preflight: 2 of 3 accounts OK");
        assertThat(run.out() + run.err()).doesNotContain("pw-");
    }

    @Test
    void migrateDryRunOfALocalMaildirReportsItsFileSizesAgainstTheQuota() throws Exception {
        Path maildir = home.resolve("Maildir");
        long bytes = 0;
        for (String dir : new String[] {"cur", "new", "tmp", ".Archive/cur", ".Archive/new", ".Archive/tmp"}) {
            Files.createDirectories(maildir.resolve(dir));
        }
        for (int i = 0; i < 6; i++) {
            byte[] message = TestMessages.withAttachment(200_000, 100 + i);
            bytes += message.length;
            String folder = i < 4 ? "cur" : ".Archive/cur";
            Files.write(maildir.resolve(folder).resolve("17000000" + i + ".M1P1.host:2,S"), message);
        }
        assertThat(bytes).isGreaterThan(QUOTA);

        CliRun run = CliRun.run(
                home,
                Map.of("PW", "pw-local"),
                "migrate",
                "maildir:" + maildir,
                "imap://local@127.0.0.1:" + dovecot.port(),
                "--target-password-env=PW",
                "--dry-run");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.FAILURE.code);
        assertThat(run.out())
                .containsPattern("INBOX +4 +0\\.8")
                .containsPattern("Archive +2 +0\\.4")
                .containsPattern("total +6 +1\\.2")
                .contains("does not fit by 1 MB");
        assertThat(run.err()).contains("does not fit by 1 MB");
        try (ImapStore target = open("local")) {
            assertThat(target.status(FolderPath.INBOX).messageCount()).isZero(); // a dry run copies nothing
        }
    }

    private static void fill(String user, int count, int size) throws Exception {
        try (ImapStore store = open(user);
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            for (int i = 0; i < count; i++) {
                try (RawMessage raw = RawMessage.of(TestMessages.withAttachment(size, user.hashCode() + i))) {
                    inbox.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-05-01T08:00:00Z")));
                }
            }
        }
    }

    private static ImapStore open(String user) throws Exception {
        return ImapStore.builder()
                .host(dovecot.host())
                .port(dovecot.port())
                .security(Security.NONE)
                .username(user)
                .password(("pw-" + user).toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect();
    }
}
