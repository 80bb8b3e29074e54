package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * {@code --preset} on the command line (issue 17.3) reaches the source store: Microsoft 365's
 * French and Italian folder names (which mailsync's general name list does not hold) go to the
 * target's trash and junk folders with the preset, and keep their names without it. GreenMail
 * stands in for the provider (it refuses Gmail's {@code [Gmail]} names; the Gmail preset is tested
 * on a scripted server in mailsync-store-imap).
 */
class PresetCliTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    @RegisterExtension
    final GreenMailExtension m365 = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    @Test
    void office365sLocalizedFoldersGoToTheTargetsTrashAndJunk() throws Exception {
        m365.setUser("anna@m365.example", "anna", "secret");
        Path password = Files.writeString(home.resolve("pw"), "secret\n");
        try (ImapStore store = ImapStore.builder()
                .host("127.0.0.1")
                .port(m365.getImap().getPort())
                .security(Security.NONE)
                .username("anna")
                .password("secret".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect()) {
            for (FolderPath f : List.of(
                    FolderPath.INBOX, FolderPath.of("Éléments supprimés"), FolderPath.of("Posta indesiderata"))) {
                if (!f.isInbox()) {
                    store.createFolder(f);
                }
                try (MailFolder open = store.openFolder(f);
                        RawMessage raw = RawMessage.of(TestMessages.simple("hello", "in " + f))) {
                    open.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-03-01T10:00:00Z")));
                }
            }
        }
        String source = "imap://anna@127.0.0.1:" + m365.getImap().getPort();
        CliRun with = CliRun.run(
                home,
                Map.of(),
                "migrate",
                source,
                "maildir:" + home.resolve("with"),
                "--source-password-file",
                password.toString(),
                "--preset",
                "office365");
        assertThat(with.code()).as(with.toString()).isZero();
        assertThat(with.out()).contains("3 copied");
        assertThat(home.resolve("with/.Trash/cur")).isDirectory();
        assertThat(home.resolve("with/.Junk/cur")).isDirectory();

        CliRun without = CliRun.run(
                home,
                Map.of(),
                "migrate",
                source,
                "maildir:" + home.resolve("without"),
                "--source-password-file",
                password.toString());
        assertThat(without.code()).as(without.toString()).isZero();
        assertThat(home.resolve("without/.Trash")).doesNotExist();

        CliRun unknown =
                CliRun.run(home, Map.of(), "migrate", source, "maildir:" + home.resolve("x"), "--preset", "yahoo");
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(unknown.err()).contains("unknown preset (use gmail or office365)");
    }

    @Test
    void batchTakesThePresetsToo() throws Exception {
        m365.setUser("anna@m365.example", "anna", "secret");
        m365.setUser("bert@new.example", "bert", "secret2");
        try (ImapStore store = ImapStore.builder()
                .host("127.0.0.1")
                .port(m365.getImap().getPort())
                .security(Security.NONE)
                .username("anna")
                .password("secret".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect()) {
            store.createFolder(FolderPath.of("Elementos eliminados"));
            try (MailFolder open = store.openFolder(FolderPath.of("Elementos eliminados"));
                    RawMessage raw = RawMessage.of(TestMessages.simple("gone", "x"))) {
                open.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-03-01T10:00:00Z")));
            }
        }
        Path csv = Files.writeString(home.resolve("accounts.csv"), "anna,secret,bert,secret2\n");
        String server = "imap://127.0.0.1:" + m365.getImap().getPort();
        CliRun run = CliRun.run(
                home,
                Map.of(),
                "batch",
                csv.toString(),
                "--source=" + server,
                "--target=" + server,
                "--preset",
                "office365");
        assertThat(run.code()).as(run.toString()).isZero();
        try (ImapStore bert = ImapStore.builder()
                .host("127.0.0.1")
                .port(m365.getImap().getPort())
                .security(Security.NONE)
                .username("bert")
                .password("secret2".toCharArray())
                .readTimeout(Duration.ofSeconds(30))
                .connect()) {
            assertThat(bert.status(FolderPath.of("Trash")).messageCount()).isEqualTo(1);
        }
        CliRun unknown = CliRun.run(
                home, Map.of(), "batch", csv.toString(), "--source=" + server, "--target=" + server, "--preset", "aol");
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE.code);
    }
}
