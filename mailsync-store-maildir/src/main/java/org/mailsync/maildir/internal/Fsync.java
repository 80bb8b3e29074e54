package org.mailsync.maildir.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Forces files and directories to disk. Thread-safe (stateless). */
public final class Fsync {
    private Fsync() {}

    /** Forces a directory's entries (new, renamed and removed names) to disk. */
    public static void directory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
