package org.mailsync.maildir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates files readable by their owner only ({@code 0600}) and directories only the owner can enter
 * ({@code 0700}), whatever the umask, as mail servers and clients keep mail. The mode is given at
 * creation (so the file is never more open than that, not even for a moment) and set again right
 * after, since the umask may have taken bits away. On a file system without POSIX modes (FAT, some
 * network mounts) the modes are left to the file system, with one warning in the log.
 *
 * <p>Thread-safe (stateless, apart from the once-only warning).
 */
final class PrivateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] attributes(Path path, Set<PosixFilePermission> mode) {
        return posix(path)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                : new FileAttribute<?>[0];
    }

    /** Opens a new file for writing ({@code O_EXCL}: an existing file or link is never written through). */
    public static FileChannel createFile(Path file) throws IOException {
        FileChannel channel = FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes(file, FILE_MODE));
        try {
            restrict(file, FILE_MODE);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** Opens a file for writing, created {@code 0600} if missing (for lock files that stay). */
    public static FileChannel openOrCreate(Path file) throws IOException {
        return FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), attributes(file, FILE_MODE));
    }

    /** Creates a new empty file; an existing one is an error ({@link FileAlreadyExistsException}). */
    public static void createEmptyFile(Path file) throws IOException {
        createFile(file).close();
    }

    /**
     * Creates {@code dir} and any missing parents, each {@code 0700}; directories already there are
     * left as they are.
     */
    public static void createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath();
                p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
                p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path next = missing.pop();
            try {
                Files.createDirectory(next, attributes(next, DIRECTORY_MODE));
            } catch (FileAlreadyExistsException raced) {
                if (!Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                    throw raced;
                }
                continue; // another process made it meanwhile: its mode is its own
            }
            restrict(next, DIRECTORY_MODE);
        }
    }

    /** Sets the mode of a file this process created; never through a link. */
    public static void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        try {
            view.setPermissions(mode);
        } catch (FileSystemException e) {
            // A mount without POSIX modes (vfat) refuses chmod on a file we own and just created.
            if (Files.isSymbolicLink(path)) {
                throw e;
            }
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("cannot set the mode of {} ({}); its file system keeps no POSIX modes", path, e.toString());
            }
        }
    }
}
