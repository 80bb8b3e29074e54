package org.mailsync.mbox;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.mailsync.spi.support.DotLock;

/**
 * The write lock of an mbox file, taken the way mutt, procmail and Dovecot take it ({@code
 * mbox_write_locks = dotlock fcntl}): first the dot-lock file {@code NAME.lock} (core's {@link
 * DotLock}: broken at once when its owner is dead, else after {@link #STALE_AFTER} without change;
 * Dovecot waits 2 minutes, we wait longer), then an fcntl lock on the mbox itself, opened without
 * following a link (created 0600 if missing).
 *
 * <p>Not thread-safe; confine to one thread. Within one JVM the dot-lock's exclusive creation also
 * keeps two writers apart.
 */
final class MboxLock implements AutoCloseable {
    static final Duration STALE_AFTER = Duration.ofMinutes(5);

    private final DotLock dotLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private MboxLock(DotLock dotLock, FileChannel channel, FileLock fileLock) {
        this.dotLock = dotLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Locks {@code mbox} (creating it if missing), waiting up to {@code timeout}. */
    static MboxLock acquire(Path mbox, Duration timeout, Clock clock) throws IOException {
        Instant deadline = clock.instant().plus(timeout);
        DotLock dotLock;
        try {
            dotLock = DotLock.acquire(mbox, STALE_AFTER, timeout, clock);
        } catch (DotLock.TimeoutException e) {
            throw new LockTimeoutException("mbox " + mbox + " stays locked: " + e.getMessage());
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(
                    mbox,
                    Set.of(
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS),
                    PrivateFiles.fileMode(mbox));
            FileLock lock = fcntlLock(channel, mbox, deadline, clock);
            return new MboxLock(dotLock, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            dotLock.close();
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
     * not take it for stale.
     */
    void touch() throws IOException {
        dotLock.touch();
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
            dotLock.close();
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
