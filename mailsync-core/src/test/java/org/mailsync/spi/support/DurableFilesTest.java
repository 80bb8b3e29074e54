package org.mailsync.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store-facing writes of the one shared copy of durable file writing. */
class DurableFilesTest {
    @TempDir
    Path dir;

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void replaceThroughANamedTempLeavesTheNewContentsPrivateAndNoTemp() throws IOException {
        Path target = dir.resolve("state");
        Files.writeString(target, "old");
        Path temp = dir.resolve("state.tmp-1");

        DurableFiles.replace(temp, target, bytes("new"), true);

        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(mode(target)).isEqualTo("rw-------");
        assertThat(temp).doesNotExist();
    }

    @Test
    void aTempThatExistsIsNeverWrittenThroughNorRemoved() throws IOException {
        Path target = dir.resolve("state");
        Path elsewhere = dir.resolve("someone-elses");
        Files.writeString(elsewhere, "keep");
        Path temp = dir.resolve("state.tmp-1");
        Files.createSymbolicLink(temp, elsewhere);

        assertThatThrownBy(() -> DurableFiles.replace(temp, target, bytes("new"), false))
                .isInstanceOf(FileAlreadyExistsException.class);

        assertThat(Files.readString(elsewhere)).isEqualTo("keep");
        assertThat(Files.isSymbolicLink(temp)).isTrue();
        assertThat(target).doesNotExist();
    }

    @Test
    void aWriterThatFailsLeavesTheOldFileAndNoTemp() throws IOException {
        Path target = dir.resolve("mbox");
        Files.writeString(target, "old");
        Path temp = dir.resolve(".mbox.tmp");

        assertThatThrownBy(() -> DurableFiles.replace(temp, target, true, out -> {
                    out.write(java.nio.ByteBuffer.wrap(bytes("half")));
                    throw new IOException("disk full");
                }))
                .hasMessage("disk full");

        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(temp).doesNotExist();
    }

    @Test
    void overwriteCreatesPrivatelyAndCutsALongerOldRecord() throws IOException {
        Path journal = dir.resolve(".journal");

        DurableFiles.overwrite(journal, bytes("a long first record"));
        DurableFiles.overwrite(journal, bytes("short"));

        assertThat(Files.readString(journal)).isEqualTo("short");
        assertThat(mode(journal)).isEqualTo("rw-------");
    }

    @Test
    void overwriteRefusesALinkInTheFilesPlace() throws IOException {
        Path elsewhere = dir.resolve("elsewhere");
        Files.writeString(elsewhere, "keep");
        Path journal = dir.resolve(".journal");
        Files.createSymbolicLink(journal, elsewhere);

        assertThatThrownBy(() -> DurableFiles.overwrite(journal, bytes("x"))).isInstanceOf(IOException.class);

        assertThat(Files.readString(elsewhere)).isEqualTo("keep");
    }

    @Test
    void deleteSaysWhetherTheFileWasThere() throws IOException {
        Path file = dir.resolve("f");
        Files.writeString(file, "x");

        assertThat(DurableFiles.delete(file)).isTrue();
        assertThat(file).doesNotExist();
        assertThat(DurableFiles.delete(file)).isFalse();
    }
}
