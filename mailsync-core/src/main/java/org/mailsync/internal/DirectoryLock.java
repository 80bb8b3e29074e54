package org.mailsync.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.mailsync.CheckpointBusyException;
import org.mailsync.spi.CheckpointLock;
import org.mailsync.spi.support.DurableFiles;

/**
 * One writer per directory: an OS lock ({@link FileChannel#tryLock()}, fcntl on Unix) on a lock
 * file in it, released by the kernel when the holder dies, even by {@code kill -9}; and, because
 * OS locks belong to the whole JVM, a map of the directories this JVM holds, so that two threads
 * of one process exclude each other too. The lock file records the holder's pid and host for the
 * message of the run that finds it busy. It is never deleted: deleting a lock file races with a
 * run that has just opened it.
 *
 * <p>Thread-safe.
 */
public final class DirectoryLock implements CheckpointLock {
    /** The lock file's name in the directory. */
    public static final String FILE_NAME = "mailsync.lock";

    private static final ConcurrentHashMap<Path, String> HELD_IN_THIS_JVM = new ConcurrentHashMap<>();

    private final Path key;
    private final String holder;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(Path key, String holder, FileChannel channel, FileLock lock) {
        this.key = key;
        this.holder = holder;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code directory}, waiting up to {@code wait} for another holder to let go.
     *
     * @throws CheckpointBusyException if it is still held when the wait is over
     */
    public static DirectoryLock acquire(Path directory, Duration wait) throws IOException, InterruptedException {
        // The real path (links resolved) names the directory, so two spellings of one directory
        // are one lock; nothing is read or written through a link here.
        Path key = directory.toRealPath();
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String busyWith = null;
            String me = ThisProcess.describe() + ", thread "
                    + Thread.currentThread().getName();
            String inJvm = HELD_IN_THIS_JVM.putIfAbsent(key, me);
            if (inJvm != null) {
                busyWith = inJvm;
            } else {
                String[] otherHolder = {"holder unknown"};
                DirectoryLock taken = null;
                try {
                    taken = tryOsLock(key, me, otherHolder);
                    if (taken != null) {
                        return taken;
                    }
                } finally {
                    if (taken == null) {
                        HELD_IN_THIS_JVM.remove(key, me);
                    }
                }
                busyWith = otherHolder[0];
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CheckpointBusyException(directory.toString(), busyWith);
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    /**
     * The lock, or null and the holder's description in {@code otherHolder[0]}. Called only while
     * this thread holds the directory's entry in the in-JVM map: on Unix, closing any channel of
     * the lock file drops every lock this process has on it, so no other thread of this JVM may
     * hold it while this channel opens and closes.
     */
    private static @Nullable DirectoryLock tryOsLock(Path key, String me, String[] otherHolder) throws IOException {
        FileChannel ch = DurableFiles.openPrivate(key.resolve(FILE_NAME));
        boolean keep = false;
        try {
            FileLock fl;
            try {
                fl = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                fl = null; // another class loader of this JVM holds it
            }
            if (fl == null) {
                otherHolder[0] = holderOf(ch);
                return null;
            }
            ch.truncate(0);
            ByteBuffer info = ByteBuffer.wrap((ThisProcess.describe() + "\n").getBytes(StandardCharsets.US_ASCII));
            while (info.hasRemaining()) {
                ch.write(info, ch.size());
            }
            ch.force(false);
            keep = true;
            return new DirectoryLock(key, me, ch, fl);
        } finally {
            if (!keep) {
                ch.close();
            }
        }
    }

    /** Who the lock file says holds it. */
    private static String holderOf(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(200);
            ch.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
            // Only what this class writes ("pid N on host H"); anything else is not repeated.
            return text.matches("pid [0-9]+ on host [A-Za-z0-9._-]+") ? text : "holder unknown";
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /** This JVM's description of the holder (pid, host, thread). */
    public String holder() {
        return holder;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lock.release();
            channel.close();
        } finally {
            HELD_IN_THIS_JVM.remove(key, holder);
        }
    }

    @Override
    public String toString() {
        return "DirectoryLock[" + key + "]";
    }
}
