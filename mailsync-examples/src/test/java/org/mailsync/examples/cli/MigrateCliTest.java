package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.imap.ImapStore;
import org.mailsync.imap.Security;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.testing.TestMessages;

/**
 * {@code mailsync migrate} and {@code verify} end to end between two GreenMail servers, and the
 * exit codes that tell an administrator's script what happened.
 */
class MigrateCliTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @RegisterExtension
    final GreenMailExtension newServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    Path oldPassword;
    Path newPassword;
    String source;
    String target;

    @BeforeEach
    void accounts() throws Exception {
        oldServer.setUser("anna@alt.example", "anna", "old-secret");
        newServer.setUser("anna@neu.example", "anna", "new-secret");
        oldPassword = Files.writeString(home.resolve("old.pw"), "old-secret\n");
        newPassword = Files.writeString(home.resolve("new.pw"), "new-secret\n");
        source = "imap://anna@127.0.0.1:" + oldServer.getImap().getPort();
        target = "imap://anna@127.0.0.1:" + newServer.getImap().getPort();
        try (ImapStore store = open(oldServer, "old-secret")) {
            store.createFolder(FolderPath.of("Gesendete Objekte"));
            append(store, FolderPath.INBOX, 5);
            append(store, FolderPath.of("Gesendete Objekte"), 3);
        }
    }

    private static ImapStore open(GreenMailExtension server, String password) throws Exception {
        return ImapStore.builder()
                .host("127.0.0.1")
                .port(server.getImap().getPort())
                .security(Security.NONE)
                .username("anna")
                .password(password.toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect();
    }

    private static void append(ImapStore store, FolderPath folder, int count) throws Exception {
        try (MailFolder f = store.openFolder(folder)) {
            for (int i = 0; i < count; i++) {
                byte[] bytes = i == 0
                        ? TestMessages.withAttachment(40_000, i)
                        : TestMessages.simple(folder + " " + i, "Text " + i);
                try (RawMessage raw = RawMessage.of(bytes)) {
                    Flags flags =
                            i % 2 == 0 ? Flags.of(Set.of(Flag.SEEN), Set.of("$Forwarded")) : Flags.of(Flag.FLAGGED);
                    f.append(new AppendRequest(raw, flags, Instant.parse("2024-03-0" + (i + 1) + "T10:15:30Z")));
                }
            }
        }
    }

    private CliRun mailsync(String... args) throws InterruptedException {
        return CliRun.run(home, Map.of("NEW_PW", "new-secret"), args);
    }

    private String[] withPasswords(String command, String... more) {
        List<String> args = new ArrayList<>(List.of(
                command,
                source,
                target,
                "--source-password-file",
                oldPassword.toString(),
                "--target-password-env",
                "NEW_PW"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void migrateCopiesEverythingThenASecondRunCopiesNothingAndVerifyExitsZero() throws Exception {
        CliRun first = mailsync(withPasswords("migrate"));
        assertThat(first.code()).as(first.toString()).isEqualTo(0);
        assertThat(first.out()).contains("verdict: COMPLETE (8 copied").contains("Gesendete Objekte -> Sent");

        // The same command again: the default checkpoint directory makes it a delta pass.
        CliRun second = mailsync(withPasswords("migrate"));
        assertThat(second.code()).as(second.toString()).isEqualTo(0);
        assertThat(second.out()).contains("verdict: COMPLETE (0 copied");
        assertThat(home.resolve(".mailsync/checkpoints")).isDirectoryContaining(p -> Files.isDirectory(p));

        CliRun verify = mailsync(withPasswords("verify"));
        assertThat(verify.code()).as(verify.toString()).isEqualTo(0);
        assertThat(verify.out()).contains("verify: OK");
    }

    @Test
    void verifyExitsNonZeroWhenATargetMessageIsMissing() throws Exception {
        assertThat(mailsync(withPasswords("migrate")).code()).isEqualTo(0);
        try (ImapStore store = open(newServer, "new-secret");
                MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
            List<MessageUid> uids = new ArrayList<>();
            inbox.list(
                    MessageQuery.all(),
                    batch -> batch.stream().map(MessageInfo::uid).forEach(uids::add));
            inbox.delete(List.of(uids.get(2)));
        }

        CliRun verify = mailsync(withPasswords("verify"));

        assertThat(verify.code()).as(verify.toString()).isEqualTo(ExitCode.DIFFERENCES.code);
        assertThat(verify.out()).contains("is missing").contains("verify: DIFFERENCES");
    }

    @Test
    void dryRunWritesNothing() throws Exception {
        CliRun dry = mailsync(withPasswords("migrate", "--dry-run"));
        assertThat(dry.code()).as(dry.toString()).isEqualTo(0);
        assertThat(dry.out()).contains("DRY_RUN");

        CliRun verify = mailsync(withPasswords("verify"));
        assertThat(verify.code()).isEqualTo(ExitCode.DIFFERENCES.code);
    }

    @Test
    void migratesImapToMaildirWithFolderOptionsAndVerifies() throws Exception {
        String maildir = "maildir:" + home.resolve("backup");
        CliRun run = mailsync(
                "migrate",
                source,
                maildir,
                "--source-password-file",
                oldPassword.toString(),
                "--no-automap",
                "--under",
                "Alt",
                "--exclude",
                "INBOX",
                "--checkpoints",
                home.resolve("cp").toString());
        assertThat(run.code()).as(run.toString()).isEqualTo(0);
        assertThat(run.out())
                .contains("Gesendete Objekte -> Alt/Gesendete Obje")
                .doesNotContain("INBOX ->");

        CliRun verify = mailsync(
                "verify",
                source,
                maildir,
                "--source-password-file",
                oldPassword.toString(),
                "--no-automap",
                "--under",
                "Alt",
                "--exclude",
                "INBOX");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(0);
    }

    @Test
    void anOAuth2TokenFileRenameRulesAndRateLimitsAreHonoured() throws Exception {
        // GreenMail accepts the user's password as the XOAUTH2 bearer token.
        Path token = Files.writeString(home.resolve("token"), "old-secret\n");

        CliRun run = mailsync(
                "migrate",
                source,
                target,
                "--source-oauth2-token-file",
                token.toString(),
                "--target-password-env",
                "NEW_PW",
                "--rename",
                "Gesendete Objekte=Alt/Gesendet",
                "--max-messages-per-second",
                "200",
                "--max-bytes-per-second",
                "10M",
                "--parallelism",
                "2");

        assertThat(run.code()).as(run.toString()).isEqualTo(0);
        assertThat(run.out()).contains("Gesendete Objekte -> Alt/Gesendet ").contains("(8 copied");
    }

    @Test
    void withoutAPasswordOptionItAsksOnTheTerminalOncePerStore() throws Exception {
        List<String> prompts = new ArrayList<>();
        Terminal.PasswordPrompt console = prompt -> {
            prompts.add(prompt);
            return (prompt.contains(source) ? "old-secret" : "new-secret").toCharArray();
        };

        CliRun run = CliRun.run(home, Map.of(), console, "migrate", source, target);

        assertThat(run.code()).as(run.toString()).isEqualTo(0);
        assertThat(prompts).containsExactly("Password for " + source + ": ", "Password for " + target + ": ");
    }

    @Test
    void anMboxDirectoryIsATargetAndASourceLikeAnyOther() throws Exception {
        String mbox = "mbox:" + home.resolve("mail");
        CliRun out =
                mailsync("migrate", source, mbox, "--source-password-file", oldPassword.toString(), "--no-automap");
        assertThat(out.code()).as(out.toString()).isEqualTo(0);
        CliRun verify =
                mailsync("verify", source, mbox, "--source-password-file", oldPassword.toString(), "--no-automap");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(0);

        // And back into an IMAP account, under a folder of its own.
        CliRun in = mailsync(
                "migrate", mbox, target, "--target-password-env", "NEW_PW", "--no-automap", "--under", "Aus mbox");
        assertThat(in.code()).as(in.toString()).isEqualTo(0);
        assertThat(in.out()).contains("(8 copied");
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailure() throws Exception {
        Path wrong = Files.writeString(home.resolve("wrong.pw"), "not-it\n");

        CliRun run = mailsync(
                "migrate",
                source,
                target,
                "--source-password-file",
                wrong.toString(),
                "--target-password-env",
                "NEW_PW");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.AUTHENTICATION.code);
        assertThat(run.out() + run.err()).doesNotContain("not-it");
    }

    @Test
    void anUnreachableServerIsAConnectionFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        CliRun run = mailsync(
                "migrate",
                "imap://anna@127.0.0.1:" + closedPort,
                target,
                "--source-password-file",
                oldPassword.toString(),
                "--target-password-env",
                "NEW_PW");

        assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.CONNECTION.code);
    }

    @Test
    void usageErrorsExitWithTwoAndPasswordsAreNeverTakenOnTheCommandLine() throws Exception {
        assertThat(mailsync("migrate", source).code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(mailsync("frobnicate").code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(mailsync(withPasswords("migrate", "--no-such-option")).code())
                .isEqualTo(ExitCode.USAGE.code);

        CliRun inline = mailsync("migrate", source, target, "--source-password", "old-secret");
        assertThat(inline.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(inline.err()).contains("not taken on the command line");

        CliRun inUri = mailsync("migrate", "imap://anna:old-secret@127.0.0.1:143", target);
        assertThat(inUri.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(inUri.err()).contains("does not belong in the URI").doesNotContain("old-secret");

        // No password option and no terminal to ask on.
        CliRun noPassword = mailsync("migrate", source, target, "--target-password-env", "NEW_PW");
        assertThat(noPassword.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(noPassword.err()).contains("no password for " + source);
    }

    @Test
    void helpListsTheExitCodes() throws Exception {
        CliRun help = mailsync("--help");

        assertThat(help.code()).isEqualTo(0);
        for (ExitCode code : ExitCode.values()) {
            assertThat(help.out()).contains(code.code + "  " + code.meaning);
        }
    }
}
