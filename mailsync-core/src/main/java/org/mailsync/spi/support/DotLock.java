package org.mailsync.spi.support;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A dot-lock on a file, as mutt, procmail and Dovecot take it: {@code NAME.lock} beside the file,
 * created exclusively (mode 0600), holding {@code pid:hostname} as Dovecot writes it. Whoever holds
 * it may change the file in place and {@link #close()}, or write the file's new contents into the
 * lock file and rename it over the file ({@link #commit}), which commits and unlocks in one step.
 *
 * <p>A lock is stale, and is broken, when its owner is provably dead (it names this host and a pid
 * that no longer runs), or when it has not changed for the stale age (a holder refreshes it with
 * {@link #touch()}). Breaking is safe against other breakers: it happens only while holding the
 * breaker file {@code .NAME.lock.break} (created exclusively), after judging the lock again under
 * it; the stale lock is renamed to a unique name and removed only if what was renamed is the very
 * file judged (same inode, modification time and content), and put back otherwise. So of any
 * number of threads or processes that find the same stale lock, exactly one takes the lock.
 *
 * <p>Not thread-safe; confine one lock to one thread. Any number of threads and processes may
 * compete for the same lock.
 */
public final class DotLock implements AutoCloseable {
    /** A breaker does a few system calls; one that stays longer than this has died doing them. */
    static final Duration BREAKER_STALE_AFTER = Duration.ofSeconds(10);

    private static final @Nullable String HOSTNAME = hostname();

    private final Path target;
    private final Path lockFile;
    private final Clock clock;
    private final @Nullable Object fileKey;
    /** The lock file's time as we last left it: with the inode (reused at once), which file is ours. */
    private FileTime modified;

    private Instant lastTouch;
    private boolean held = true;

    private DotLock(Path target, Path lockFile, Clock clock) throws IOException {
        this.target = target;
        this.lockFile = lockFile;
        this.clock = clock;
        this.lastTouch = clock.instant();
        BasicFileAttributes a = Files.readAttributes(lockFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        this.fileKey = a.fileKey();
        this.modified = a.lastModifiedTime();
    }

    /** Thrown when a lock that is not stale is still held when the wait is over. */
    public static final class TimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        TimeoutException(String message) {
            super(message);
        }
    }

    /** The lock file of {@code target}: {@code NAME.lock} beside it. */
    public static Path lockFileOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".lock");
    }

    /**
     * Whether {@code fileName} is a lock file or a lock breaker's file of this class (or of
     * another dot-locking program), which a store's listing passes over.
     */
    public static boolean isLockFileName(String fileName) {
        return fileName.endsWith(".lock") || (fileName.startsWith(".") && fileName.endsWith(".lock.break"));
    }

    /**
     * Takes the lock on {@code target}, waiting up to {@code timeout} while another holds it; a
     * lock whose owner is dead is broken at once, any other once unchanged for {@code staleAfter}.
     *
     * @throws TimeoutException if another still holds the lock when the wait is over
     */
    public static DotLock acquire(Path target, Duration staleAfter, Duration timeout, Clock clock) throws IOException {
        checkArgument(!staleAfter.isNegative(), "stale age must not be negative, not %s", staleAfter);
        checkArgument(!timeout.isNegative(), "timeout must not be negative, not %s", timeout);
        Path lockFile = lockFileOf(target);
        Instant deadline = clock.instant().plus(timeout);
        long pause = 1;
        while (true) {
            if (tryCreate(lockFile)) {
                return new DotLock(target, lockFile, clock);
            }
            Seen seen = Seen.of(lockFile);
            if (seen == null) {
                continue; // released between our attempt and our look
            }
            if (seen.stale(staleAfter, clock)) {
                breakIfStill(lockFile, staleAfter, clock);
                continue;
            }
            if (!clock.instant().isBefore(deadline)) {
                throw new TimeoutException(lockFile + " is held by " + seen.owner() + " (changed at " + seen.modified
                        + "); if no mail program is running, remove the file");
            }
            sleep(pause);
            pause = Math.min(pause * 2, 50);
        }
    }

    /** Creates the lock file exclusively, owner-only, with our {@code pid:hostname}; false if it exists. */
    private static boolean tryCreate(Path lockFile) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(
                    lockFile,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    DurableFiles.fileAttributes(java.util.Objects.requireNonNull(
                            lockFile.toAbsolutePath().getParent())));
        } catch (FileAlreadyExistsException held) {
            return false;
        }
        try (ch) {
            DurableFiles.ownerOnly(lockFile);
            DurableFiles.writeFully(ch, ownerContent().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(lockFile);
            throw e;
        }
        return true;
    }

    /**
     * Under the breaker file, judges the lock again and, if it is still stale, removes exactly the
     * file judged. Returns when the lock is gone or found fresh, or another breaker is at work.
     */
    private static void breakIfStill(Path lockFile, Duration staleAfter, Clock clock) throws IOException {
        Path breaker = lockFile.resolveSibling("." + lockFile.getFileName() + ".break");
        if (!tryCreate(breaker)) {
            Seen other = Seen.of(breaker);
            if (other != null && other.stale(BREAKER_STALE_AFTER, clock)) {
                // A breaker that died mid-break. No other process can be using this file (its owner
                // is dead or it is far older than a break takes), so rename-and-check is enough.
                removeIfSame(breaker, other);
            } else {
                sleep(1);
            }
            return;
        }
        try {
            Seen seen = Seen.of(lockFile);
            if (seen != null && seen.stale(staleAfter, clock)) {
                // Only a holder releasing (alive, yet stale by age) can change the lock now; the
                // rename check catches that.
                removeIfSame(lockFile, seen);
            }
        } finally {
            Files.deleteIfExists(breaker);
        }
    }

    /** Renames {@code file} aside and deletes it if it is the one seen; else puts it back. */
    private static void removeIfSame(Path file, Seen seen) throws IOException {
        Path aside = file.resolveSibling("." + file.getFileName() + ".stale-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            return;
        }
        Seen moved = Seen.of(aside);
        if (moved != null && moved.sameFileAs(seen)) {
            Files.deleteIfExists(aside);
            return;
        }
        // A fresh lock moved by mistake: put it back without replacing one taken meanwhile.
        try {
            Files.createLink(file, aside);
        } catch (FileAlreadyExistsException taken) {
            // Someone took the lock in the moment it was away; the moved one's holder will find
            // its lock gone when it releases. Nothing better is possible without a lock of locks.
        } catch (UnsupportedOperationException | FileSystemException noLinks) {
            Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        Files.deleteIfExists(aside);
    }

    /** What was seen of a lock file at one moment. */
    private record Seen(@Nullable Object key, FileTime modified, byte[] content) {
        static @Nullable Seen of(Path file) throws IOException {
            try {
                BasicFileAttributes a =
                        Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile()) {
                    throw new IOException(file + " is not a regular file; a lock file must be one");
                }
                byte[] content;
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    ByteBuffer buf = ByteBuffer.allocate(512);
                    while (buf.hasRemaining() && ch.read(buf) > 0) {
                        // a lock's content is short; 512 bytes is what Dovecot reads of it too
                    }
                    content = Arrays.copyOf(buf.array(), buf.position());
                }
                return new Seen(a.fileKey(), a.lastModifiedTime(), content);
            } catch (NoSuchFileException gone) {
                return null;
            }
        }

        boolean sameFileAs(Seen other) {
            return Objects.equals(key, other.key)
                    && modified.equals(other.modified)
                    && Arrays.equals(content, other.content);
        }

        boolean stale(Duration staleAfter, Clock clock) {
            return ownerDead() || modified.toInstant().plus(staleAfter).isBefore(clock.instant());
        }

        /** True only when the content names this host and a pid that does not run (never our own). */
        boolean ownerDead() {
            OptionalLong pid = pidOnThisHost(content);
            return pid.isPresent()
                    && pid.getAsLong() != ProcessHandle.current().pid()
                    && ProcessHandle.of(pid.getAsLong()).isEmpty();
        }

        String owner() {
            OptionalLong pid = pidOnThisHost(content);
            return pid.isPresent() ? "process " + pid.getAsLong() : "another process";
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof Seen s && sameFileAs(s);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, modified, Arrays.hashCode(content));
        }

        @Override
        public String toString() {
            return "Seen[" + key + ", " + modified + "]";
        }
    }

    /** The pid of a {@code pid:hostname} lock written on this host, else empty. */
    static OptionalLong pidOnThisHost(byte[] content) {
        String text = new String(content, StandardCharsets.US_ASCII).strip();
        int colon = text.indexOf(':');
        if (colon <= 0 || HOSTNAME == null || !text.substring(colon + 1).equals(HOSTNAME)) {
            return OptionalLong.empty();
        }
        try {
            long pid = Long.parseLong(text.substring(0, colon));
            return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (NumberFormatException notOurs) {
            return OptionalLong.empty();
        }
    }

    /** What a lock taken by this process holds: Dovecot's {@code pid:hostname}. */
    static String ownerContent() {
        return ProcessHandle.current().pid() + ":" + (HOSTNAME != null ? HOSTNAME : "unknown");
    }

    private static @Nullable String hostname() {
        // gethostname(), as Dovecot compares it; /proc avoids a DNS look-up where it exists.
        try {
            Path proc = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) {
                return Files.readString(proc, StandardCharsets.US_ASCII).strip();
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException unknown) {
            return null; // then no lock is ever judged dead by its pid, only by its age
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a lock");
        }
    }

    /** The lock file. */
    public Path lockFile() {
        return lockFile;
    }

    /**
     * Refreshes the lock file's time during a long operation, so that nobody takes it for stale;
     * does so at most every 30 seconds.
     */
    public void touch() throws IOException {
        Instant now = clock.instant();
        if (now.isAfter(lastTouch.plusSeconds(30))) {
            Files.setLastModifiedTime(lockFile, FileTime.from(now));
            modified = Files.getLastModifiedTime(lockFile, LinkOption.NOFOLLOW_LINKS);
            lastTouch = now;
        }
    }

    /**
     * Writes {@code content} into the lock file, forces it if asked, and renames it over the
     * target: the target's new contents, mode 0600, committed and unlocked in one step.
     */
    public void commit(byte[] content, boolean fsync) throws IOException {
        DurableFiles.renameOver(lockFile, target, fsync, out -> DurableFiles.writeFully(out, content), false);
        held = false;
    }

    /**
     * Appends {@code content} to the target in place (never through a link), forcing it if asked;
     * the lock stays held.
     */
    public void append(byte[] content, boolean fsync) throws IOException {
        try (FileChannel out = FileChannel.open(
                target, StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
            DurableFiles.writeFully(out, content);
            if (fsync) {
                out.force(false);
            }
        }
    }

    /**
     * Releases the lock if {@link #commit} has not; leaves alone a lock file that is no longer ours
     * (broken as stale while we were too slow, and taken by another).
     */
    @Override
    public void close() throws IOException {
        if (held) {
            held = false;
            try {
                BasicFileAttributes now =
                        Files.readAttributes(lockFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (Objects.equals(fileKey, now.fileKey()) && modified.equals(now.lastModifiedTime())) {
                    Files.deleteIfExists(lockFile);
                }
            } catch (NoSuchFileException gone) {
                // broken as stale: nothing of ours left to remove
            }
        }
    }
}
