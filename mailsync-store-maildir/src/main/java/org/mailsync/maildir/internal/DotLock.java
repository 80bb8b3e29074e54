package org.mailsync.maildir.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Dovecot's dot-lock on a file: {@code <file>.lock}, created with {@code O_EXCL}. Whoever holds it
 * may write the file's new contents into the lock file and rename it over the file, which commits
 * and unlocks in one step, as Dovecot does; or change the file in place and {@link #close()}. A
 * lock file left unchanged for longer than the stale age (Dovecot: two minutes) belongs to a
 * process that died and is removed.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class DotLock implements AutoCloseable {
    private final Path target;
    private final Path lockFile;
    private boolean held = true;

    private DotLock(Path target, Path lockFile) {
        this.target = target;
        this.lockFile = lockFile;
    }

    /** Thrown when a lock that is not stale is still held when the wait is over. */
    public static final class TimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock on {@code target}, waiting up to {@code timeout} while another holds it and
     * breaking it once it is older than {@code staleAfter}.
     */
    public static DotLock acquire(Path target, Duration staleAfter, Duration timeout, Clock clock) throws IOException {
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        Instant deadline = clock.instant().plus(timeout);
        long pause = 1;
        while (true) {
            try {
                // 0600: the lock file becomes the file itself on commit (uidlist, keywords, subscriptions).
                PrivateFiles.createEmptyFile(lockFile);
                return new DotLock(target, lockFile);
            } catch (FileAlreadyExistsException held) {
                Instant changed;
                try {
                    changed = Files.getLastModifiedTime(lockFile).toInstant();
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (changed.plus(staleAfter).isBefore(clock.instant())) {
                    // Dovecot's rule too: a lock file not touched for the stale age is abandoned.
                    Files.deleteIfExists(lockFile);
                    continue;
                }
                if (!clock.instant().isBefore(deadline)) {
                    throw new TimeoutException(lockFile + " is held by another process (changed at " + changed
                            + "); if none is running, remove the file");
                }
                sleep(pause);
                pause = Math.min(pause * 2, 50);
            }
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a lock");
        }
    }

    /** Writes {@code content} into the lock file, forces it if asked, and renames it over the target. */
    public void commit(byte[] content, boolean fsync) throws IOException {
        try (FileChannel out =
                FileChannel.open(lockFile, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (fsync) {
                out.force(true);
            }
        }
        Files.move(lockFile, target, StandardCopyOption.ATOMIC_MOVE);
        held = false;
        if (fsync) {
            Fsync.directory(target.getParent());
        }
    }

    /** Appends {@code content} to the target in place, forcing it if asked; the lock stays held. */
    public void append(byte[] content, boolean fsync) throws IOException {
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            if (fsync) {
                out.force(false);
            }
        }
    }

    /** Releases the lock if {@link #commit} has not. */
    @Override
    public void close() throws IOException {
        if (held) {
            held = false;
            Files.deleteIfExists(lockFile);
        }
    }
}
