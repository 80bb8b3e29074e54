package org.mailsync.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mailsync.FileCheckpointStore;
import org.mailsync.FolderPair;
import org.mailsync.FolderPath;
import org.mailsync.internal.Checkpoints;
import org.mailsync.internal.FolderCheckpoint;

/**
 * Issue 12.2: checkpoints, journals, lock files, migration state and spool files are 0600 and
 * the directories mailsync creates 0700, whatever the umask.
 */
@Timeout(120)
class PrivateFileModesTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private void writeUnderUmask(String umask, Path root) throws Exception {
        Files.createDirectories(root.resolve("spool"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        "umask " + umask + " && exec \"$0\" \"$@\"",
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        PrivateFilesWriter.class.getName(),
                        root.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("spooled");
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void everyFileIs0600AndEveryCreatedDirectory0700EvenUnderAUmaskOf000() throws Exception {
        for (String umask : List.of("000", "022")) {
            Path root = Files.createDirectory(dir.resolve("umask" + umask));
            writeUnderUmask(umask, root);
            for (String created :
                    List.of("accounts", "accounts/alice", "accounts/alice/checkpoints", "state", "state/all")) {
                assertThat(mode(root.resolve(created)))
                        .as(created + " under umask " + umask)
                        .isEqualTo("rwx------");
            }
            List<Path> files;
            try (Stream<Path> all = Files.walk(root)) {
                files = all.filter(Files::isRegularFile).toList();
            }
            assertThat(files.stream().map(f -> f.getFileName().toString()))
                    .anyMatch(n -> n.endsWith(".checkpoint"))
                    .anyMatch(n -> n.endsWith(".journal"))
                    .anyMatch(n -> n.equals("mailsync.lock"))
                    .anyMatch(n -> n.endsWith(".state"))
                    .anyMatch(n -> n.startsWith("mailsync-spool-"));
            for (Path f : files) {
                assertThat(mode(f))
                        .as(root.relativize(f) + " under umask " + umask)
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aLinkPlantedWhereTheOldFixedTempNameWasIsNotWrittenThrough() throws Exception {
        Checkpoints store = Checkpoints.over(FileCheckpointStore.in(dir.resolve("cp")));
        FolderPair pair = new FolderPair(FolderPath.INBOX, FolderPath.INBOX);
        store.save(pair, FolderCheckpoint.empty());
        Path snapshot;
        try (Stream<Path> files = Files.list(dir.resolve("cp"))) {
            snapshot = files.filter(f -> f.toString().endsWith(".checkpoint"))
                    .findFirst()
                    .orElseThrow();
        }
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Files.createSymbolicLink(snapshot.resolveSibling(snapshot.getFileName() + ".tmp"), victim);
        store.save(pair, FolderCheckpoint.empty());
        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(Files.isSymbolicLink(snapshot)).isFalse();
        assertThat(store.load(pair)).contains(FolderCheckpoint.empty());
    }
}
