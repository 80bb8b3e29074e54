package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * POP3 sources on the command line: the three URI forms, a migration from GreenMail's POP3 server
 * into a Maildir, a delta run, and {@code --pop3-delete-after-copy}.
 */
class Pop3CliTest {
    @RegisterExtension
    final GreenMailExtension pop3 = new GreenMailExtension(ServerSetupTest.POP3.dynamicPort());

    @TempDir
    Path home;

    private String source;
    private Map<String, String> env;

    @BeforeEach
    void account() {
        pop3.setUser("anna@alt.example", "anna", "old-secret");
        source = "pop3://anna@127.0.0.1:" + pop3.getPop3().getPort();
        env = Map.of("POP3_PW", "old-secret");
    }

    private void deliver(int n) throws Exception {
        pop3.getUserManager()
                .getUser("anna")
                .deliver(GreenMailUtil.newMimeMessage("From: sender@example.org\r\nTo: anna@alt.example\r\n"
                        + "Subject: message " + n + "\r\nMessage-ID: <m" + n + "@example.org>\r\n\r\nbody " + n
                        + "\r\n"));
    }

    private long messagesIn(Path maildir) throws Exception {
        long n = 0;
        for (String sub : new String[] {"cur", "new"}) {
            Path dir = maildir.resolve(sub);
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    n += files.count();
                }
            }
        }
        return n;
    }

    @Test
    void theThreeUriFormsAndTheirDefaultPorts() {
        StoreSpec plain = StoreSpec.parse("pop3://anna@pop.example.org");
        assertThat(plain.kind()).isEqualTo(StoreSpec.Kind.POP3);
        assertThat(plain.canonical()).isEqualTo("pop3://anna@pop.example.org:110");
        assertThat(StoreSpec.parse("pop3s://anna@pop.example.org").canonical())
                .isEqualTo("pop3s://anna@pop.example.org:995");
        assertThat(StoreSpec.parse("POP3+STLS://anna%40alt.example@pop.example.org:1110")
                        .canonical())
                .isEqualTo("pop3+stls://anna%40alt.example@pop.example.org:1110");
    }

    @Test
    void migratesThenCopiesOnlyNewMailThenDeletesWhatTheTargetHolds() throws Exception {
        deliver(1);
        deliver(2);
        Path maildir = home.resolve("backup");
        String[] args = {
            "migrate",
            source,
            "maildir:" + maildir,
            "--source-password-env",
            "POP3_PW",
            "--checkpoints",
            home.resolve("cp").toString()
        };
        CliRun first = CliRun.run(home, env, args);
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("POP3 keeps no flags");
        assertThat(messagesIn(maildir)).isEqualTo(2);
        deliver(3);
        CliRun delta = CliRun.run(home, env, args);
        assertThat(delta.code()).as(delta.toString()).isZero();
        assertThat(messagesIn(maildir)).isEqualTo(3);
        assertThat(pop3.getReceivedMessages()).hasSize(3); // nothing deleted without the option
        String[] deleting = Stream.concat(Stream.of(args), Stream.of("--pop3-delete-after-copy"))
                .toArray(String[]::new);
        CliRun delete = CliRun.run(home, env, deleting);
        assertThat(delete.code()).as(delete.toString()).isZero();
        assertThat(delete.out()).contains("3 messages deleted");
        assertThat(messagesIn(maildir)).isEqualTo(3);
        assertThat(pop3.getReceivedMessages()).isEmpty();
    }

    @Test
    void deleteAfterCopyNeedsAPop3SourceAndRefusesMirrorDeletes() throws Exception {
        CliRun notPop3 = CliRun.run(
                home,
                env,
                "migrate",
                "maildir:" + home.resolve("a"),
                "maildir:" + home.resolve("b"),
                "--pop3-delete-after-copy");
        assertThat(notPop3.code()).as(notPop3.toString()).isEqualTo(ExitCode.USAGE.code);
        CliRun mirror = CliRun.run(
                home,
                env,
                "migrate",
                source,
                "maildir:" + home.resolve("b"),
                "--source-password-env",
                "POP3_PW",
                "--pop3-delete-after-copy",
                "--mirror-deletes");
        assertThat(mirror.code()).as(mirror.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(mirror.err()).contains("--mirror-deletes");
    }
}
