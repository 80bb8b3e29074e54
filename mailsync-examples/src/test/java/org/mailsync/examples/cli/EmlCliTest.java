package org.mailsync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eml:/path} on the command line (issue 17.2): a folder of {@code .eml} files another
 * program wrote is copied, left as it was, and a second pass copies nothing; a tree mailsync wrote
 * is a source in turn.
 */
class EmlCliTest {
    @TempDir
    Path home;

    @Test
    void aFolderOfEmlFilesIsCopiedUntouchedAndTheNextPassCopiesNothing() throws Exception {
        Path source = home.resolve("export");
        Files.createDirectories(source.resolve("Sent Items"));
        for (int i = 0; i < 3; i++) {
            Files.writeString(
                    source.resolve("message " + i + ".eml"),
                    "From: a@example.org\nSubject: m" + i + "\nMessage-ID: <m" + i + "@example.org>\n\nbody\n",
                    StandardCharsets.US_ASCII);
        }
        Files.writeString(
                source.resolve("Sent Items/reply.eml"),
                "From: b@example.org\r\nSubject: re\r\nMessage-ID: <re@example.org>\r\n\r\nok\r\n",
                StandardCharsets.US_ASCII);
        Map<String, String> before = tree(source);

        CliRun first = CliRun.run(home, Map.of(), "migrate", "eml:" + source, "eml:" + home.resolve("copy"));
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("4 copied");
        CliRun second = CliRun.run(home, Map.of(), "migrate", "eml:" + source, "eml:" + home.resolve("copy"));
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(second.out()).contains("0 copied");
        assertThat(tree(source)).isEqualTo(before);
        try (Stream<Path> s = Files.walk(home.resolve("copy"))) {
            // Sent Items maps onto the target's sent folder (special-use names), named from date and subject.
            assertThat(s.map(p -> home.resolve("copy").relativize(p).toString()).filter(n -> n.endsWith(" re.eml")))
                    .singleElement()
                    .asString()
                    .startsWith("Sent/");
        }

        CliRun verify = CliRun.run(home, Map.of(), "verify", "eml:" + source, "eml:" + home.resolve("copy"));
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(tree(source)).isEqualTo(before);

        CliRun back =
                CliRun.run(home, Map.of(), "migrate", "eml:" + home.resolve("copy"), "maildir:" + home.resolve("md"));
        assertThat(back.code()).as(back.toString()).isZero();
        assertThat(back.out()).contains("4 copied");
        // A tree mailsync wrote (an INBOX directory, sidecars) is counted as the store reads it.
        CliRun verifyBack =
                CliRun.run(home, Map.of(), "verify", "eml:" + home.resolve("copy"), "maildir:" + home.resolve("md"));
        assertThat(verifyBack.code()).as(verifyBack.toString()).isZero();
    }

    @Test
    void aFileThatIsNotMailIsNamedAndTheExitCodeSaysSomethingWasLeftBehind() throws Exception {
        Path source = home.resolve("export");
        Files.createDirectories(source);
        Files.writeString(source.resolve("a.eml"), "Subject: a\r\n\r\nx\r\n", StandardCharsets.US_ASCII);
        Files.writeString(source.resolve("notes.txt"), "not mail", StandardCharsets.US_ASCII);
        CliRun run = CliRun.run(home, Map.of(), "migrate", "eml:" + source, "eml:" + home.resolve("copy"));
        assertThat(run.code()).as(run.toString()).isNotZero();
        assertThat(run.out() + run.err()).contains("notes.txt").contains("not an .eml file");
        // verify counts the tree itself, without the store's code, and names what is not mail.
        CliRun verify = CliRun.run(home, Map.of(), "verify", "eml:" + source, "eml:" + home.resolve("copy"));
        assertThat(verify.code()).as(verify.toString()).isEqualTo(ExitCode.DIFFERENCES.code);
        assertThat(verify.out() + verify.err()).contains("notes.txt");
    }

    private static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                out.put(
                        root.relativize(p).toString(),
                        Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }
}
