package org.mailsync.spi.support;

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
 * Files that must survive a crash whole: replaced atomically (a new temp file, written and forced
 * to disk, renamed over the old one, the directory forced) or appended and forced before the call
 * returns. The one copy of these steps for the checkpoint and migration state files and for the
 * stores' own state (a Maildir's uidlist and UIDVALIDITY, an mbox's append journal and rewrite).
 * Every file created here is 0600 and every directory 0700, whatever the umask (mail state is
 * private); links are never followed when a file is opened.
 *
 * <p>A directory is forced wherever the platform lets one be opened (not on Windows, nor on some
 * network mounts): there the rename is still atomic but may not yet be on disk after a crash. A
 * directory that opens but fails to force is an error.
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
        Path dir = requireNonNull(
                java.util.Objects.requireNonNull(target.toAbsolutePath().getParent()), "no directory above");
        // A unique name: two writers (which the checkpoint lock should prevent) never share a temp
        // file, and a temp file left by a crash is never appended to.
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", fileAttributes(dir));
        try {
            ownerOnly(tmp);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        write(tmp, target, true, out -> writeFully(out, bytes));
    }

    /**
     * Replaces {@code target} with {@code bytes} through {@code temp}, a new file the caller names
     * (beside the target, so that the rename is atomic; a store names it so that its scans know it
     * for its own). With {@code sync} false nothing is forced (a store's fsync option): still
     * atomic, but a crash may lose the new contents.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code temp} exists (or is a link)
     */
    public static void replace(Path temp, Path target, byte[] bytes, boolean sync) throws IOException {
        createPrivateFile(temp, true);
        write(temp, target, sync, out -> writeFully(out, bytes));
    }

    /**
     * Like {@link #replace(Path, Path, byte[], boolean)}, with the contents streamed by {@code
     * writer} into the new file {@code temp} (which this call creates 0600; the writer may change
     * its mode, as an mbox rewrite keeps the old file's).
     */
    public static void replace(Path temp, Path target, boolean sync, ContentWriter writer) throws IOException {
        createPrivateFile(temp, true);
        write(temp, target, sync, writer);
    }

    /** Writes a file's new contents into an open channel. */
    @FunctionalInterface
    public interface ContentWriter {
        /** Writes everything; the channel is forced and closed by the caller. */
        void writeTo(FileChannel out) throws IOException;
    }

    private static void write(Path tmp, Path target, boolean sync, ContentWriter writer) throws IOException {
        renameOver(tmp, target, sync, writer, true);
    }

    /**
     * Writes into the existing {@code tmp} (truncated first), forces it, renames it over {@code
     * target} and forces the directory; forcing only if {@code sync}. A dot-lock commits this way
     * with its lock file as {@code tmp}, which it does not want deleted on a failure (its close
     * does that).
     */
    static void renameOver(Path tmp, Path target, boolean sync, ContentWriter writer, boolean deleteOnFailure)
            throws IOException {
        try {
            try (FileChannel ch = FileChannel.open(
                    tmp, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                writer.writeTo(ch);
                if (sync) {
                    ch.force(true);
                }
            }
            try {
                // A rename replaces a link in the target's place; it never writes through it.
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            if (deleteOnFailure) {
                Files.deleteIfExists(tmp);
            }
            throw e;
        }
        if (sync) {
            forceDirectory(
                    java.util.Objects.requireNonNull(target.toAbsolutePath().getParent()));
        }
    }

    /**
     * Writes {@code bytes} over {@code file} in place (created 0600 if missing, truncated if not,
     * never through a link) and forces the file and its directory: for a small record, like an
     * append journal, whose torn state its reader recognises.
     */
    public static void overwrite(Path file, byte[] bytes) throws IOException {
        createPrivateFile(file, false);
        ownerOnly(file);
        write(file, bytes, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        forceDirectory(java.util.Objects.requireNonNull(file.toAbsolutePath().getParent()));
    }

    /**
     * Deletes {@code file} if it is there and forces its directory, so that the file does not come
     * back after a crash; true if it was there.
     */
    public static boolean delete(Path file) throws IOException {
        if (!Files.deleteIfExists(file)) {
            return false;
        }
        forceDirectory(java.util.Objects.requireNonNull(file.toAbsolutePath().getParent()));
        return true;
    }

    /** Appends {@code bytes} to {@code file} (created 0600 if missing); on disk when this returns. */
    public static void append(Path file, byte[] bytes) throws IOException {
        boolean created = createPrivateFile(file, false);
        write(file, bytes, StandardOpenOption.APPEND, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        if (created) {
            forceDirectory(requireNonNull(
                    java.util.Objects.requireNonNull(file.toAbsolutePath().getParent()), "no directory above"));
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
        createPrivateFile(file, false);
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Creates {@code directory} and its missing parents, each one created here 0700. Directories
     * that exist already are left as they are (they may be the user's own).
     */
    public static void createPrivateDirectories(Path directory) throws IOException {
        Path abs = directory.toAbsolutePath();
        // Links are followed here on purpose: this makes the caller's own state directories
        // (checkpoints, spool, a store's id directory), whose parents may be links the user set up
        // (/tmp on macOS, a home on another disk). Mail files inside are created with CREATE_NEW and
        // changed with NOFOLLOW_LINKS.
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

    /**
     * True if this call created {@code file}; with {@code mustBeNew}, a file (or link) already
     * there is an error rather than false.
     */
    private static boolean createPrivateFile(Path file, boolean mustBeNew) throws IOException {
        if (!mustBeNew && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path dir = requireNonNull(
                java.util.Objects.requireNonNull(file.toAbsolutePath().getParent()), "no directory above");
        try {
            // CREATE_NEW never follows a link: a link in the file's place makes it fail.
            Files.newByteChannel(
                            file,
                            Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                            fileAttributes(dir))
                    .close();
        } catch (FileAlreadyExistsException e) {
            if (mustBeNew) {
                throw e;
            }
            return false; // created by someone else just now
        }
        try {
            ownerOnly(file);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file); // empty, and ours: no file of an unknown mode stays behind
            throw e;
        }
        return true;
    }

    static FileAttribute<?>[] fileAttributes(Path dir) {
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
            writeFully(ch, bytes);
            ch.force(true);
        }
    }

    static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    /**
     * Forces a directory's entries (names created, renamed or removed in it) to disk. Where the
     * platform cannot open a directory this does nothing; a force that fails is an error.
     */
    public static void forceDirectory(Path directory) throws IOException {
        FileChannel dir;
        try {
            dir = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException e) {
            // Windows and some network file systems cannot open a directory: the rename is still
            // atomic there, only not yet known to be on disk.
            return;
        }
        try (dir) {
            dir.force(true);
        }
    }
}
