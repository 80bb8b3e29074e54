package org.mailsync.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.RawMessage;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;

/**
 * Mail, uid lists, keyword and subscription files are written 0600 and directories 0700, whatever
 * the umask (issue 12.2): the tree is written by a JVM started under umask 000, the most permissive.
 */
class PrivateModesTest {
    @TempDir
    Path tmp;

    /** Writes a tree with every kind of file the store creates; run in a JVM of its own. */
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        writeTree(root, MaildirLayout.valueOf(args[1]));
        Files.createFile(root.resolveSibling("umask-probe")); // shows the umask the tree was written under
    }

    static void writeTree(Path root, MaildirLayout layout) throws Exception {
        try (MaildirStore store =
                MaildirStore.builder().root(root).layout(layout).build()) {
            store.createFolder(FolderPath.of("Archive", "2024"));
            store.setSubscribed(FolderPath.of("Archive", "2024"), true);
            for (FolderPath path : List.of(FolderPath.INBOX, FolderPath.of("Archive", "2024"))) {
                try (MailFolder folder = store.openFolder(path)) {
                    for (Flags flags : List.of(Flags.NONE, Flags.of(Set.of(Flag.SEEN), Set.of("work")))) {
                        try (RawMessage raw =
                                RawMessage.of("Subject: x\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII))) {
                            folder.append(new AppendRequest(raw, flags, Instant.parse("2024-01-01T00:00:00Z")));
                        }
                    }
                    folder.storeFlags(
                            List.of(org.mailsync.MessageUid.of(
                                    folder.status().nextUid().value() - 1)),
                            FlagsUpdateMode.ADD,
                            Flags.of(Flag.FLAGGED));
                }
            }
        }
    }

    private static List<String> wrongModes(Path root) throws Exception {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String mode =
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String wanted = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
                if (!mode.equals(wanted)) {
                    wrong.add(root.relativize(p) + " " + mode);
                }
            }
        }
        return wrong;
    }

    @Test
    void everyFileIs0600AndEveryDirectory0700UnderUmask000() throws Exception {
        for (MaildirLayout layout : MaildirLayout.values()) {
            Path root = tmp.resolve(layout.name()).resolve("Maildir");
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(
                            "sh",
                            "-c",
                            "umask 000 && exec \"$0\" -cp \"$1\" " + PrivateModesTest.class.getName()
                                    + " \"$2\" \"$3\"",
                            java,
                            System.getProperty("java.class.path"),
                            root.toString(),
                            layout.name())
                    .redirectErrorStream(true)
                    .start();
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.exitValue()).as(output).isZero();
            try (Stream<Path> files = Files.walk(root)) {
                assertThat(files.filter(p -> p.toString().matches(".*/(cur|new)/[^/]+"))
                                .count())
                        .isEqualTo(4);
            }
            assertThat(root.resolve("dovecot-keywords")).exists();
            assertThat(root.resolve("subscriptions")).exists();
            assertThat(wrongModes(root)).as(layout.name()).isEmpty();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolveSibling("umask-probe"))))
                    .as("a file created under the child's umask")
                    .isEqualTo("rw-rw-rw-");
        }
    }
}
