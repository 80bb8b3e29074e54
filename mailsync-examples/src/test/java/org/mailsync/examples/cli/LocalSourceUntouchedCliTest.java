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
 * A migration source stays as it was (issue 11.7): {@code migrate} and {@code verify} from a
 * Maildir write nothing into it, its ids live beside the checkpoints so that the next pass copies
 * nothing, and {@code --write-source-ids} lets it write Dovecot's files as before.
 */
class LocalSourceUntouchedCliTest {
    @TempDir
    Path home;

    @Test
    void migrateAndVerifyFromAMaildirLeaveItByteForByteAsItWas() throws Exception {
        Path source = maildirWithMessages(home.resolve("source"), 4);
        Map<String, String> before = tree(source);

        CliRun first = CliRun.run(home, Map.of(), "migrate", "maildir:" + source, "maildir:" + home.resolve("t"));
        assertThat(first.code()).as(first.toString()).isZero();
        assertThat(first.out()).contains("4 copied");
        CliRun second = CliRun.run(home, Map.of(), "migrate", "maildir:" + source, "maildir:" + home.resolve("t"));
        assertThat(second.code()).as(second.toString()).isZero();
        assertThat(second.out()).contains("0 copied");
        CliRun verify = CliRun.run(home, Map.of(), "verify", "maildir:" + source, "maildir:" + home.resolve("t"));
        assertThat(verify.code()).as(verify.toString()).isZero();

        assertThat(tree(source)).isEqualTo(before);
    }

    @Test
    void writeSourceIdsLetsTheStoreKeepDovecotsFilesInTheSource() throws Exception {
        Path source = maildirWithMessages(home.resolve("source"), 2);
        CliRun run = CliRun.run(
                home, Map.of(), "migrate", "maildir:" + source, "maildir:" + home.resolve("t"), "--write-source-ids");
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(source.resolve("dovecot-uidlist")).exists();
    }

    private static Path maildirWithMessages(Path root, int n) throws Exception {
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(root.resolve(sub));
        }
        for (int i = 0; i < n; i++) {
            Files.writeString(
                    root.resolve("cur").resolve("1700000000." + i + ".host:2,S"),
                    "From: a@example.org\r\nSubject: m" + i + "\r\nMessage-ID: <m" + i
                            + "@example.org>\r\n\r\nbody\r\n",
                    StandardCharsets.US_ASCII);
        }
        return root;
    }

    /** Every path under the root with its size and modification time (directories included). */
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
