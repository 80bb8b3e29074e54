package org.mailsync.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The write lock of an mbox file, taken the way mutt, procmail and Dovecot take it ({@code
 * mbox_write_locks = dotlock fcntl}): first the dot-lock file {@code NAME.lock}, created
 * exclusively, then an fcntl lock on the mbox itself. A dot-lock older than the stale age is
 * taken over (Dovecot does so after 2 minutes without change; we wait longer).
 *
 * <p>Not thread-safe; confine to one thread. Within one JVM the dot-lock's exclusive creation also
 * keeps two writers apart.
 */
final class DotLock implements AutoCloseable {
    static final Duration STALE_AFTER = Duration.ofMinutes(5);

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock fileLock;
    private final Clock clock;
    private Instant lastTouch;

    private DotLock(Path lockFile, FileChannel channel, FileLock fileLock, Clock clock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.fileLock = fileLock;
        this.clock = clock;
        this.lastTouch = clock.instant();
    }

    /** Locks {@code mbox} (creating it if missing), waiting up to {@code timeout}. */
    static DotLock acquire(Path mbox, Duration timeout, Clock clock) throws IOException {
        Path lockFile = mbox.resolveSibling(mbox.getFileName() + ".lock");
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            try {
                Files.createFile(lockFile);
                break;
            } catch (FileAlreadyExistsException e) {
                if (stale(lockFile, clock)) {
                    Files.deleteIfExists(lockFile);
                    continue;
                }
                if (clock.instant().isAfter(deadline)) {
                    throw new LockTimeoutException("mbox " + mbox + " stays locked by " + lockFile + " (waited "
                            + timeout + "); remove it if no mail program is running");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + lockFile, ie);
                }
            }
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(
                    mbox, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = fcntlLock(channel, mbox, deadline, clock);
            return new DotLock(lockFile, channel, lock, clock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(lockFile);
            throw e;
        }
    }

    private static FileLock fcntlLock(FileChannel channel, Path mbox, Instant deadline, Clock clock)
            throws IOException {
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException sameJvm) {
                // Another thread of this JVM holds it (it lost its dot-lock as stale): wait too.
            }
            if (clock.instant().isAfter(deadline)) {
                throw new LockTimeoutException("mbox " + mbox + " stays locked (fcntl) by another program");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the lock on " + mbox, ie);
            }
        }
    }

    /**
     * Refreshes the dot-lock's time during a long operation, so that other programs (and we) do
     * not take it for stale; does so at most every 30 seconds.
     */
    void touch() throws IOException {
        Instant now = clock.instant();
        if (now.isAfter(lastTouch.plusSeconds(30))) {
            Files.setLastModifiedTime(lockFile, FileTime.from(now));
            lastTouch = now;
        }
    }

    private static boolean stale(Path lockFile, Clock clock) {
        try {
            FileTime modified = Files.getLastModifiedTime(lockFile);
            return modified.toInstant().plus(STALE_AFTER).isBefore(clock.instant());
        } catch (IOException gone) {
            return false;
        }
    }

    /** The locked mbox, open for reading and writing. */
    FileChannel channel() {
        return channel;
    }

    @Override
    public void close() throws IOException {
        try {
            if (fileLock.isValid()) {
                fileLock.release();
            }
            channel.close();
        } finally {
            Files.deleteIfExists(lockFile);
        }
    }

    /** Another program held the lock for longer than the timeout: try again later. */
    static final class LockTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        LockTimeoutException(String message) {
            super(message);
        }
    }
}
