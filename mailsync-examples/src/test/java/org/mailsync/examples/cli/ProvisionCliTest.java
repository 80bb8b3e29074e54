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
 * Accounts created from the CSV (issue 17, part 5) on a real Dovecot: the Dovecot template
 * ({@code templates/provision/dovecot-passwd-file.sh}) as the provision command adds each user to
 * the instance's passwd-file with a doveadm hash, and the migration then logs in as that user and
 * copies. A password the template's policy refuses fails its account with the template's reason,
 * in the preflight (check mode, nothing created) and in the run, while the others succeed; no
 * password appears in any output.
 */
@Tag("dovecot")
class ProvisionCliTest {
    static {
        System.setProperty("mail.mime.allowutf8", "false");
    }

    private static final Path TEMPLATE =
            Path.of("templates/provision/dovecot-passwd-file.sh").toAbsolutePath();
    private static final Map<String, String> PASSWORDS =
            Map.of("anna", "Anna-Neu-2024!x", "bert", "kurz1", "carl", "Carl-Neu-2024!y");

    @RegisterExtension
    final GreenMailExtension oldServer = new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort());

    @TempDir
    Path home;

    @Test
    void theTemplateCreatesEachUserInDovecotsPasswdFileAndTheMigrationLogsInAsIt() throws Exception {
        assertThat(TEMPLATE).exists();
        try (DovecotServer dovecot = DovecotServer.start()) {
            for (String user : PASSWORDS.keySet()) {
                oldServer.setUser(user + "@alt.example", user, user + "-old");
                try (ImapStore store = open(oldServer.getImap().getPort(), user, user + "-old");
                        MailFolder inbox = store.openFolder(FolderPath.INBOX)) {
                    for (int i = 0; i < 3; i++) {
                        try (RawMessage raw = RawMessage.of(TestMessages.simple(user + " " + i, "Hallo " + i))) {
                            inbox.append(new AppendRequest(raw, Flags.NONE, Instant.parse("2024-05-01T08:00:00Z")));
                        }
                    }
                }
            }
            Path csv = Files.writeString(
                    home.resolve("accounts.csv"),
                    "source user,source password,target user,target password,Display name,Quota\n"
                            + "anna,anna-old,anna," + PASSWORDS.get("anna") + ",Anna Alt,50M\n"
                            + "bert,bert-old,bert," + PASSWORDS.get("bert") + ",Bert Bunt,\n"
                            + "carl,carl-old,carl," + PASSWORDS.get("carl") + ",Carl Crumb,\n",
                    StandardCharsets.UTF_8);
            Path passwd = dovecot.directory().resolve("users");
            Map<String, String> env = Map.of(
                    "PATH", System.getenv("PATH"),
                    "DOVECOT_PASSWD_FILE", passwd.toString(),
                    "DOVECOT_CONFIG",
                            dovecot.directory().resolve("dovecot.conf").toString(),
                    "DOVECOT_HOME_BASE", dovecot.directory().resolve("home").toString());
            String[] batch = {
                "batch",
                csv.toString(),
                "--source=imap://127.0.0.1:" + oldServer.getImap().getPort(),
                "--target=imap://" + dovecot.host() + ":" + dovecot.port(),
                "--provision-command=sh " + TEMPLATE
            };

            // Preflight: check mode lists the weak password; the others pass though their target
            // accounts do not exist yet; nothing is created.
            String[] preflight = java.util.Arrays.copyOf(batch, batch.length + 1);
            preflight[batch.length] = "--preflight";
            CliRun checked = CliRun.run(home, env, preflight);
            assertThat(checked.code()).as(checked.toString()).isEqualTo(ExitCode.FAILURE.code);
            assertThat(checked.out())
                    .containsPattern("3 +bert -> bert +FAILURE .*provisioning: refused: password of bert refused: 5"
                            + " characters, the policy asks for at least 12")
                    .containsPattern("2 +anna -> anna +OK .*the target account is not there yet")
                    .containsPattern("4 +carl -> carl +OK ")
                    .contains("preflight: 2 of 3 accounts OK");
            assertThat(Files.readString(passwd)).doesNotContain("anna");

            CliRun run = CliRun.run(home, env, batch);
            assertThat(run.code()).as(run.toString()).isEqualTo(ExitCode.FAILURE.code);
            assertThat(run.out())
                    .containsPattern("2 +anna -> anna +OK +3 ")
                    .containsPattern("4 +carl -> carl +OK +3 ")
                    .containsPattern("3 +bert -> bert +FAILURE .*provisioning refused: password of bert refused")
                    .contains("batch: 2 of 3 accounts OK");
            String users = Files.readString(passwd);
            assertThat(users)
                    .contains("anna:{SHA512-CRYPT}$6$")
                    .contains(":Anna Alt:")
                    .contains("userdb_quota_rule=*:storage=50M")
                    .doesNotContain("bert:");
            for (String user : new String[] {"anna", "carl"}) {
                try (ImapStore store = open(dovecot.port(), user, PASSWORDS.get(user))) {
                    assertThat(store.status(FolderPath.INBOX).messageCount()).isEqualTo(3);
                }
            }
            String everything = checked.out() + checked.err() + run.out() + run.err() + users;
            for (String password : PASSWORDS.values()) {
                assertThat(everything).doesNotContain(password);
            }

            // Again: the users exist and are left as they are; the passes copy nothing new.
            CliRun again = CliRun.run(home, env, batch);
            assertThat(again.out()).containsPattern("2 +anna -> anna +OK +0 ");
            assertThat(Files.readString(passwd)).isEqualTo(users);
        }
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
}
