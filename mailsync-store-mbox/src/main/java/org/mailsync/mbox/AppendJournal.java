package org.mailsync.mbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.DurableFiles;

/**
 * The journal of an append in progress: the mbox's length (and inode) before the append, in the
 * hidden file {@code .NAME.mailsync-append} beside it, 0600, forced to disk (with its directory)
 * before the first byte is appended and removed (durably) once the append is. A journal found
 * later means an append was interrupted (a kill, a crash, a power loss): the bytes past the length
 * are a torn or unacknowledged message. The next writer cuts them off under the lock; a reader
 * ignores them. Stateless; thread-safe.
 */
final class AppendJournal {
    private static final String SUFFIX = ".mailsync-append";
    private static final String MAGIC = "mailsync mbox append journal 1";

    private AppendJournal() {}

    /**
     * What a journal says; {@code length < 0} when it is unreadable (written only in part: the
     * append had not started, as the journal is forced before it).
     */
    record Entry(long length, String fileKey) {
        /** Whether the journal covers {@code mbox} as it is now: same inode, not shorter. */
        boolean covers(@Nullable BasicFileAttributes mbox) {
            return length >= 0
                    && mbox != null
                    && fileKey.equals(String.valueOf(mbox.fileKey()))
                    && mbox.size() >= length;
        }
    }

    static Path of(Path mbox) {
        return mbox.resolveSibling("." + mbox.getFileName() + SUFFIX);
    }

    static boolean isJournalName(String fileName) {
        return fileName.startsWith(".") && fileName.endsWith(SUFFIX);
    }

    /** Records {@code length} as the mbox's length before an append, durably. */
    static void begin(Path mbox, long length, @Nullable Object fileKey) throws IOException {
        Path journal = of(mbox);
        byte[] text = (MAGIC + "\nlength " + length + "\nfile " + fileKey + "\n").getBytes(StandardCharsets.UTF_8);
        // Written in place (no temp file beside the mbox): a torn journal reads as damaged.
        DurableFiles.overwrite(journal, text);
    }

    /** Removes the journal, durably: a journal that came back after a crash would cut a good append. */
    static void end(Path mbox) throws IOException {
        DurableFiles.delete(of(mbox));
    }

    /** The journal beside {@code mbox}, or null if there is none. */
    static @Nullable Entry read(Path mbox) throws IOException {
        Path journal = of(mbox);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(journal, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException none) {
            return null;
        }
        if (!a.isRegularFile() || a.size() > 4096) {
            return new Entry(-1, "");
        }
        String text;
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // small file: read it whole
            }
            text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException gone) {
            return null;
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < 4
                || !lines[0].equals(MAGIC)
                || !lines[1].startsWith("length ")
                || !lines[2].startsWith("file ")) {
            return new Entry(-1, "");
        }
        try {
            return new Entry(Long.parseLong(lines[1].substring("length ".length())), lines[2].substring(5));
        } catch (NumberFormatException torn) {
            return new Entry(-1, "");
        }
    }
}
