package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailsync verify} of local sources with the real stores: a faithful migration verifies
 * clean (the store's own files in the source are not findings), and what no store reads (a link,
 * a file that is not mail) makes verify exit 5 naming it.
 */
@Timeout(120)
class VerifyCliTest {
    @TempDir
    Path home;

    private static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    private Path maildir() throws Exception {
        Path root = home.resolve("Maildir");
        for (String d : List.of("cur", "new", "tmp", ".Sub/cur", ".Sub/new", ".Sub/tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        write(root.resolve("cur/1700000000.1.host:2,S"), "Message-ID: <1@x>\r\nSubject: 1\r\n\r\none\r\n");
        write(root.resolve("cur/1700000000.2.host:2,"), "Message-ID: <2@x>\r\nSubject: 2\r\n\r\ntwo\r\n");
        write(root.resolve(".Sub/cur/1700000000.3.host:2,F"), "Message-ID: <3@x>\r\nSubject: 3\r\n\r\nthree\r\n");
        return root;
    }

    private CliRun mailsync(String... args) throws InterruptedException {
        return CliRun.run(home, Map.of(), args);
    }

    private void migrateThenVerify(String source, int expected, String... named) throws Exception {
        String target = "maildir:" + home.resolve("target");
        CliRun migrate = mailsync("migrate", source, target, "--no-automap");
        assertThat(migrate.code()).as(migrate.toString()).isIn(0, 1);

        CliRun verify = mailsync("verify", source, target, "--no-automap");

        assertThat(verify.code()).as(verify.toString()).isEqualTo(expected);
        assertThat(verify.out()).contains(named);
    }

    @Test
    void aFaithfulMaildirMigrationVerifiesClean() throws Exception {
        migrateThenVerify("maildir:" + maildir(), ExitCode.OK.code, "verify: OK");
    }

    @Test
    void aLinkInAMaildirSourceIsUnaccountedAndVerifyExitsFive() throws Exception {
        Path root = maildir();
        Path secret = Files.writeString(home.resolve("secret"), "Subject: not yours\r\n\r\nsecret\r\n");
        Path link = Files.createSymbolicLink(root.resolve("cur/1700000000.4.host:2,S"), secret);

        migrateThenVerify(
                "maildir:" + root,
                ExitCode.DIFFERENCES.code,
                "unaccounted for in the source",
                link + ": symbolic link, not followed");
    }

    @Test
    void aFaithfulMboxMigrationVerifiesCleanAndAFileThatIsNotMboxIsUnaccounted() throws Exception {
        Path root = home.resolve("mail");
        write(
                root.resolve("inbox"),
                "From a@example.org Sat Jun  1 12:00:00 2024\nMessage-ID: <1@x>\nSubject: 1\n\none\n\n"
                        + "From b@example.org Sat Jun  1 12:00:00 2024\nMessage-ID: <2@x>\nSubject: 2\n\ntwo\n");
        write(
                root.resolve("Work"),
                "From c@example.org Sat Jun  1 12:00:00 2024\nMessage-ID: <3@x>\nSubject: 3\n\n3\n");
        migrateThenVerify("mbox:" + root, ExitCode.OK.code, "verify: OK");

        Path notes = home.resolve("mail/notes.txt");
        write(notes, "Subject: a note that looks like mail\n\nbut is no mbox\n");
        CliRun verify = mailsync("verify", "mbox:" + root, "maildir:" + home.resolve("target"), "--no-automap");
        assertThat(verify.code()).as(verify.toString()).isEqualTo(ExitCode.DIFFERENCES.code);
        assertThat(verify.out()).contains(notes + ": not an mbox file (no From line at its start)");
        // Named once, though both the census and the store found it.
        assertThat(verify.out()).contains("unaccounted for in the source (1)");
    }
}
