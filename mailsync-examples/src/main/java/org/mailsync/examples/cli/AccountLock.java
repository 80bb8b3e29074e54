package org.mailsync.examples.cli;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * An OS file lock per target account, held for a whole run: two runs into one mailbox at once
 * (even with different checkpoint directories, which cannot see each other) would each copy what
 * the other copies. The lock file is {@code ~/.mailsync/locks/<SHA-256 of the target>.lock}; the
 * OS drops the lock when the process dies, so a killed run never leaves a stale one behind.
 *
 * <p>Thread-safe: a second {@link #tryAcquire} for a held account, from any thread or process of
 * the same user, finds it busy.
 */
final class AccountLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private AccountLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code account} (a store's canonical name, never with a password). */
    static Path file(Path home, String account) {
        String hash =
                Hashing.sha256().hashString(account, StandardCharsets.UTF_8).toString();
        return home.resolve(".mailsync").resolve("locks").resolve(hash + ".lock");
    }

    /** Takes the lock of {@code account}, or returns empty at once if another run holds it. */
    static Optional<AccountLock> tryAcquire(Path home, String account) throws IOException {
        Path file = file(home, account);
        Path dir = requireNonNull(file.getParent());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
            setPermissions(dir, "rwx------");
        }
        FileChannel channel = FileChannel.open(
                file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
        try {
            setPermissions(file, "rw-------");
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another thread of this JVM
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(
                    (ProcessHandle.current().pid() + " " + account + "\n").getBytes(StandardCharsets.UTF_8)));
            return Optional.of(new AccountLock(channel, lock));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void setPermissions(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): its ACLs under the user's home apply.
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
