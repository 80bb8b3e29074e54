package org.mailsync.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Creating and checking the store's files: mail files and state 0600, directories 0700 whatever
 * the umask, and never a symbolic link followed or written through. Stateless; thread-safe.
 */
final class PrivateFiles {
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** A path the store refuses to use: a link, or not the kind of file it must be. */
    static final class RefusedPathException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedPathException(String message) {
            super(message);
        }
    }

    private static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static FileAttribute<?>[] fileMode(Path p) {
        return posix(p)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                : new FileAttribute<?>[0];
    }

    /** The attributes of {@code p} itself (a link is a link), or null if it does not exist. */
    static @Nullable BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Refuses a path with a symbolic link in any component below {@code root} (the root itself is
     * the user's choice), or whose last component exists and is not a regular file.
     */
    static void checkRegularFileBelow(Path root, Path file) throws IOException {
        checkNoLinksBelow(root, file.getParent());
        BasicFileAttributes a = attributes(file);
        if (a != null && !a.isRegularFile()) {
            throw new RefusedPathException(file + " is " + kind(a) + ", not an mbox file"
                    + (a.isSymbolicLink() ? "; mailsync never follows links" : ""));
        }
    }

    /** Refuses a symbolic link or non-directory among the existing directories from root to {@code dir}. */
    static void checkNoLinksBelow(Path root, @Nullable Path dir) throws IOException {
        if (dir == null || !dir.startsWith(root) || dir.equals(root)) {
            return;
        }
        checkNoLinksBelow(root, dir.getParent());
        BasicFileAttributes a = attributes(dir);
        if (a != null && !a.isDirectory()) {
            throw new RefusedPathException(dir + " is " + kind(a) + ", not a directory"
                    + (a.isSymbolicLink() ? "; mailsync never follows links" : ""));
        }
    }

    static String kind(BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (a.isDirectory()) {
            return "a directory";
        }
        if (a.isRegularFile()) {
            return "a regular file";
        }
        return "not a regular file (a FIFO, socket or device)";
    }

    /** Creates {@code dir} and its missing parents below {@code root} (and root), each 0700. */
    static void createDirectories(Path root, @Nullable Path dir) throws IOException {
        if (dir == null) {
            throw new IllegalArgumentException("no directory under " + root);
        }
        if (dir.startsWith(root) && !dir.equals(root)) {
            createDirectories(root, dir.getParent());
        } else if (!dir.equals(root)) {
            throw new IllegalArgumentException(dir + " is not under " + root);
        }
        BasicFileAttributes a = attributes(dir);
        if (a == null) {
            if (dir.equals(root) && root.getParent() != null) {
                Files.createDirectories(root.getParent());
            }
            try {
                if (posix(dir)) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
                    // The creation mode passes through the umask, which may take more than group/other.
                    Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
                } else {
                    Files.createDirectory(dir);
                }
                return;
            } catch (FileAlreadyExistsException raced) {
                a = attributes(dir); // another thread or process made it first
            }
        }
        if (a == null || !a.isDirectory() && !(dir.equals(root) && Files.isDirectory(root))) {
            throw new RefusedPathException(dir + " is " + (a == null ? "gone" : kind(a)) + ", not a directory"
                    + (a != null && a.isSymbolicLink() ? "; mailsync never writes through links" : ""));
        }
    }

    /** Creates an empty file 0600 unless it exists; refuses one that exists and is not a regular file. */
    static void createFile(Path file) throws IOException {
        try {
            FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), fileMode(file))
                    .close();
            restrict(file);
        } catch (FileAlreadyExistsException exists) {
            BasicFileAttributes a = attributes(file);
            if (a != null && !a.isRegularFile()) {
                throw new RefusedPathException(file + " is " + kind(a) + ", not an mbox file"
                        + (a.isSymbolicLink() ? "; mailsync never writes through links" : ""));
            }
        }
    }

    /** Sets mode 0600 on a file we made (the creation mode went through the umask). */
    static void restrict(Path file) throws IOException {
        if (posix(file)) {
            Files.setPosixFilePermissions(file, FILE_MODE);
        }
    }

    /** Opens a regular file for reading without following a link or blocking on a FIFO. */
    static FileChannel openForReading(Path file) throws IOException {
        BasicFileAttributes a = attributes(file);
        if (a == null) {
            throw new NoSuchFileException(file.toString());
        }
        if (!a.isRegularFile()) {
            throw new RefusedPathException(file + " is " + kind(a) + ", not an mbox file");
        }
        return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }
}
