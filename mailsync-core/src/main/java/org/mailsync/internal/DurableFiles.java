package org.mailsync.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Small files that must survive a crash whole: replaced atomically (a temp file of a unique name,
 * forced to disk, renamed over the old one, directory forced) or appended and forced before the
 * call returns. Every file written here is 0600 and every directory created here 0700, whatever
 * the umask (mail state is private); links are never followed when a file is opened.
 *
 * <p>Thread-safe (stateless); callers keep two threads off one file.
 */
public final class DurableFiles {
    private static final Set<PosixFilePermission> FILE_MODE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> DIRECTORY_MODE = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private DurableFiles() {}

    /** Replaces {@code target} with {@code bytes}: a crash leaves the old file or the new one. */
    public static void replace(Path target, byte[] bytes) throws IOException {
        Path dir = requireNonNull(target.toAbsolutePath().getParent(), "no directory above");
        // A unique name: two writers (which the checkpoint lock should prevent) never share a temp
        // file, and a temp file left by a crash is never appended to.
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", fileAttributes(dir));
        try {
            ownerOnly(tmp);
            write(
                    tmp,
                    bytes,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        forceDirectory(dir);
    }

    /** Appends {@code bytes} to {@code file} (created 0600 if missing); on disk when this returns. */
    public static void append(Path file, byte[] bytes) throws IOException {
        boolean created = createPrivateFile(file);
        write(file, bytes, StandardOpenOption.APPEND, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        if (created) {
            forceDirectory(requireNonNull(file.toAbsolutePath().getParent(), "no directory above"));
        }
    }

    /** The bytes of {@code file}, read without following a link. */
    public static byte[] read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) {
                throw new IOException(file + " is too large (" + size + " bytes)");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            while (buffer.hasRemaining() && ch.read(buffer) >= 0) {
                // read on
            }
            if (buffer.hasRemaining()) {
                buffer.flip();
                byte[] shorter = new byte[buffer.remaining()];
                buffer.get(shorter);
                return shorter;
            }
            return buffer.array();
        }
    }

    /** Cuts {@code file} back to {@code length} bytes (if longer) and forces it to disk. */
    public static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() > length) {
                ch.truncate(length);
                ch.force(true);
            }
        }
    }

    /** Opens {@code file} to read and write, creating it 0600 if missing; never through a link. */
    public static FileChannel openPrivate(Path file) throws IOException {
        createPrivateFile(file);
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Creates {@code directory} and its missing parents, each one created here 0700. Directories
     * that exist already are left as they are (they may be the user's own).
     */
    public static void createPrivateDirectories(Path directory) throws IOException {
        Path abs = directory.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return;
        }
        Path parent = abs.getParent();
        if (parent != null) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(abs, directoryAttributes(parent));
            ownerOnly(abs);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(abs)) {
                throw e;
            }
        }
    }

    /**
     * Makes {@code path} 0600 (a file) or 0700 (a directory), not following a link. Explicit
     * rather than through the create call's attributes: those are cut by the umask.
     */
    public static void ownerOnly(Path path) throws IOException {
        if (!posix(path)) {
            return;
        }
        boolean directory = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> mode = directory ? DIRECTORY_MODE : FILE_MODE;
        // Files.setPosixFilePermissions follows links; the view with NOFOLLOW_LINKS does not.
        java.nio.file.attribute.PosixFileAttributeView view = Files.getFileAttributeView(
                path, java.nio.file.attribute.PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!view.readAttributes().permissions().equals(mode)) {
            view.setPermissions(mode);
        }
    }

    /** True if this call created {@code file}. */
    private static boolean createPrivateFile(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path dir = requireNonNull(file.toAbsolutePath().getParent(), "no directory above");
        try {
            // CREATE_NEW never follows a link: a link in the file's place makes it fail.
            Files.newByteChannel(
                            file,
                            Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            fileAttributes(dir))
                    .close();
        } catch (FileAlreadyExistsException e) {
            return false; // created by someone else just now
        }
        ownerOnly(file);
        return true;
    }

    private static FileAttribute<?>[] fileAttributes(Path dir) {
        return posix(dir)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                : new FileAttribute<?>[0];
    }

    private static FileAttribute<?>[] directoryAttributes(@Nullable Path parent) {
        return parent != null && posix(parent)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY_MODE)}
                : new FileAttribute<?>[0];
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void write(Path file, byte[] bytes, OpenOption... options) throws IOException {
        try (FileChannel ch = FileChannel.open(file, options)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
    }

    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for fsync; the rename is still atomic.
        }
    }
}
