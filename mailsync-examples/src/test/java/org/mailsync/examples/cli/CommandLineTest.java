package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on picocli: its error messages never repeat a value (which may be a password),
 * every option is in the help, {@code @argument-files} are read, and the completion script
 * completes commands, options and values in bash.
 */
@Timeout(60)
class CommandLineTest {
    private static final String SECRET = "s3cret-Pw";

    /** Words of picocli's own messages, which repeat the value they complain about. */
    private static final List<String> PICOCLI_WORDS = List.of(
            "Unmatched argument",
            "Unknown option",
            "Invalid value",
            "Expected parameter",
            "should be specified",
            "Missing required",
            "cannot convert");

    @TempDir
    Path home;

    private CliRun mailsync(String... args) throws InterruptedException {
        return CliRun.run(home, Map.of(), args);
    }

    @Test
    void aSecretGivenWhereItDoesNotBelongIsNeverEchoedByTheParser() throws Exception {
        String source = "maildir:" + home.resolve("s");
        String target = "maildir:" + home.resolve("t");
        Path args = Files.writeString(home.resolve("args"), "--source-password " + SECRET + "\n");
        List<List<String>> lines = List.of(
                List.of("migrate", source, target, "--source-password", SECRET),
                List.of("migrate", source, target, "--target-password=" + SECRET),
                List.of("migrate", source, target, "--password", SECRET),
                List.of("migrate", source, target, "--source-passwd=" + SECRET),
                List.of("migrate", source, target, SECRET),
                List.of("migrate", source, target, "--dry-run=" + SECRET),
                List.of("migrate", source, target, "--source-password-file", SECRET + "\0"),
                List.of("migrate", source, target, "--target-oauth2-token-file=" + SECRET + "\0"),
                List.of("migrate", source, target, "--source-password-env", SECRET, "--source-password-env", "X"),
                List.of("migrate", source, target, "--source-password-env"),
                List.of("migrate", "imaps://anna:" + SECRET + "@host.example", target),
                List.of("verify", SECRET, target),
                List.of("verify", source, target, "--source-password=" + SECRET),
                List.of("batch", home.resolve("a.csv").toString(), "--source=imaps://anna:" + SECRET + "@host.example"),
                List.of("batch", home.resolve("a.csv").toString(), SECRET),
                List.of("demo", SECRET),
                List.of("migrate", source, target, "@" + args));
        for (List<String> line : lines) {
            CliRun run = mailsync(line.toArray(String[]::new));

            assertThat(run.code()).as(line + "\n" + run).isEqualTo(ExitCode.USAGE.code);
            assertThat(run.out() + run.err()).as(line + "\n" + run).doesNotContain(SECRET);
            assertThat(run.err()).as(line + "\n" + run).startsWith("mailsync: ");
            for (String word : PICOCLI_WORDS) {
                assertThat(run.err()).as(line + "\n" + run).doesNotContain(word);
            }
        }
    }

    @Test
    void usageErrorsAreExitTwoWithAShortMessageOnStderrOnly() throws Exception {
        String source = "maildir:" + home.resolve("s");
        String target = "maildir:" + home.resolve("t");

        CliRun unknown = mailsync("migrate", source, target, "--no-such-option=1");
        assertThat(unknown.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(unknown.err()).isEqualTo("mailsync: unknown option --no-such-option\n");
        assertThat(unknown.out()).isEmpty();

        assertThat(mailsync("migrate", source, target, "--parallelism", "x").err())
                .isEqualTo("mailsync: --parallelism needs a number, not x\n");
        assertThat(mailsync("migrate", source, target, "--parallelism", "65").err())
                .isEqualTo("mailsync: --parallelism must be 1..64, not 65\n");
        assertThat(mailsync("migrate", source, target, "--under", "A", "--under", "B")
                        .err())
                .isEqualTo("mailsync: --under was given twice\n");
        assertThat(mailsync("migrate", source, target, "--dry-run=yes").err())
                .isEqualTo("mailsync: --dry-run takes no value\n");
        assertThat(mailsync("migrate", source, target, "--max-size", "lots").err())
                .isEqualTo("mailsync: --max-size needs a size such as 25M, 512k or 1G, not lots\n");
        assertThat(mailsync("migrate", source, target, "--wait-for-lock", "5x").err())
                .isEqualTo("mailsync: --wait-for-lock needs a duration such as 90s, 10m, 2h or 1d, not 5x\n");
        assertThat(mailsync("batch", "a.csv", "--source", "imaps://anna@old.example")
                        .err())
                .startsWith("mailsync: --source: a server, not an account, is needed here");
        assertThat(mailsync("migrate", source).err()).startsWith("mailsync: migrate needs SOURCE and TARGET\n");
    }

    @Test
    void theHelpOfEachCommandListsEveryOptionItTakes() throws Exception {
        List<String> shared = List.of(
                "--dry-run",
                "--include",
                "--exclude",
                "--rename",
                "--no-automap",
                "--under",
                "--max-size",
                "--since",
                "--before",
                "--identity",
                "--mirror-deletes",
                "--copy-subscriptions",
                "--parallelism",
                "--max-bytes-per-second",
                "--max-messages-per-second",
                "--checkpoints",
                "--new-mail-only",
                "--message-order",
                "--write-source-ids",
                "--wait-for-lock",
                "--folder-deadline",
                "--account-deadline",
                "--source-trust-sha256",
                "--target-trust-sha256");
        List<String> migrate = new ArrayList<>(shared);
        migrate.addAll(List.of(
                "--source-password-file",
                "--source-password-env",
                "--source-oauth2-token-file",
                "--target-password-file",
                "--target-password-env",
                "--target-oauth2-token-file",
                "exit 7"));
        List<String> batch = new ArrayList<>(shared);
        batch.addAll(List.of(
                "--source=URI",
                "--target=URI",
                "--preflight ",
                "--preflight-timeout",
                "--charset",
                "--jobs",
                "--max-connections-per-server",
                "FILE.csv"));

        CliRun migrateHelp = mailsync("migrate", "--help");
        assertThat(migrateHelp.code()).isZero();
        assertThat(migrateHelp.out()).startsWith("usage: mailsync migrate SOURCE TARGET");
        migrate.forEach(option -> assertThat(migrateHelp.out()).contains(option));
        assertThat(mailsync("help", "migrate").out()).isEqualTo(migrateHelp.out());

        CliRun batchHelp = mailsync("batch", "-h");
        assertThat(batchHelp.code()).isZero();
        batch.forEach(option -> assertThat(batchHelp.out()).contains(option));
        assertThat(batchHelp.out()).doesNotContain("--source-password-file");

        CliRun verifyHelp = mailsync("verify", "--help");
        assertThat(verifyHelp.out()).contains("--include", "--since", "--source-password-env", "--target-trust-sha256");
        assertThat(verifyHelp.out()).doesNotContain("--dry-run");

        CliRun unknown = mailsync("help", "frobnicate");
        assertThat(unknown.code()).as(unknown.toString()).isEqualTo(ExitCode.USAGE.code);
        assertThat(unknown.err()).startsWith("mailsync: unknown command frobnicate\n");

        CliRun top = mailsync("help");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("migrate", "batch", "verify", "demo", "generate-completion", "@FILE");
    }

    @Test
    void argumentsAreReadFromAnArgumentFile() throws Exception {
        Path root = home.resolve("my mail");
        for (String d : List.of("cur", "new", "tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(
                root.resolve("cur/1700000000.1.host:2,S"),
                "Message-ID: <1@example.org>\r\nSubject: one\r\n\r\nHello\r\n",
                StandardCharsets.US_ASCII);
        Path file = Files.writeString(
                home.resolve("migrate.args"),
                "# a dry run\nmigrate\n'maildir:" + root + "'\nmaildir:" + home.resolve("t") + "\n--dry-run\n");

        CliRun run = mailsync("@" + file);

        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).contains("DRY_RUN");
    }

    @Test
    void theCompletionScriptCompletesCommandsOptionsAndValuesInBash() throws Exception {
        CliRun run = mailsync("generate-completion");
        assertThat(run.code()).as(run.toString()).isZero();
        Path script = Files.writeString(home.resolve("mailsync_completion"), run.out());

        assertThat(complete(script, "mailsync", "mig")).isEqualTo("migrate");
        assertThat(complete(script, "mailsync", "migrate", "--source-pa"))
                .isEqualTo("--source-password-file --source-password-env");
        assertThat(complete(script, "mailsync", "batch", "--max-c")).isEqualTo("--max-connections-per-server");
        assertThat(complete(script, "mailsync", "migrate", "--identity", "")).isEqualTo("header content");
    }

    /** What bash offers for the last of {@code words}, with the script sourced. */
    private String complete(Path script, String... words) throws Exception {
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append(" '").append(w).append('\'');
        }
        String line = String.join(" ", words);
        String bash = "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=" + line.length()
                + "; _complete_mailsync 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        Process p = new ProcessBuilder("bash", "-c", bash)
                .redirectErrorStream(false)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }
}
