package org.mailsync.maildir;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.DurableFiles;

/**
 * The ids of a folder that the store must not, or cannot, write into, kept in a file of the state
 * directory (one per folder) instead of the tree's {@code dovecot-uidlist}.
 *
 * <p>The file holds the folder's whole id list (a uidlist, version 3, after a short header). While
 * the tree has a {@code dovecot-uidlist} of its own, the list <em>follows</em> it: same UIDVALIDITY,
 * the tree's uids for the files it names, and the next uids above both for the files it does not.
 * If the tree's list is later removed, the ids stay as they were; if it gets a new UIDVALIDITY, the
 * list follows that; if it gives a file another uid than this list gave (a Dovecot that indexed the
 * tree meanwhile), the folder starts a new generation (a new UIDVALIDITY), so that no id ever names
 * two messages. Without a tree list the file keeps a UIDVALIDITY of its own.
 *
 * <p>Changed under an OS file lock (and a lock within this JVM), written aside and renamed, so that
 * several runs sharing the directory never hand out one id twice. Not thread-safe itself; confine
 * each instance to one thread.
 */
final class StateIds {
    private static final String MAGIC = "mailsync maildir ids 1";
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();
    private static final AtomicLong TEMPS = new AtomicLong();

    private final Path directory;
    private final Path file;
    private final Path lockFile;
    private final String folder;
    private final boolean fsync;

    /** What the file holds: the UIDVALIDITY of the tree's list it follows (0: none), and the list. */
    private record Saved(long follows, Uidlist list, byte[] bytes) {}

    StateIds(Path directory, Path root, Path folderDir, boolean fsync) {
        this.directory = directory;
        String relative = root.relativize(folderDir).toString();
        String key = Hashing.sha256()
                .hashString(root + "\0" + relative, StandardCharsets.UTF_8)
                .toString()
                .substring(0, 32);
        this.file = directory.resolve("maildir-ids-" + key);
        this.lockFile = directory.resolve("maildir-ids-" + key + ".lock");
        this.folder = FolderDirectories.printable(folderDir);
        this.fsync = fsync;
    }

    /** Gives the list's new records their uids; supplies the records of files without one. */
    interface NewRecords {
        List<Uidlist.Record> records(Uidlist current) throws IOException;
    }

    /** Where the ids are kept. */
    Path file() {
        return file;
    }

    /**
     * The folder's ids: those already kept, merged with the tree's list ({@code null} if the tree
     * has none, or none that can be read), plus new ids for what {@code newRecords} returns, written
     * to the state file before they are returned.
     */
    Uidlist update(@Nullable Uidlist tree, NewRecords newRecords, long nowSeconds, Set<String> basesOnDisk)
            throws IOException {
        PrivateFiles.createDirectories(directory);
        Object monitor = MONITORS.computeIfAbsent(lockFile, p -> new Object());
        synchronized (monitor) {
            try (FileChannel lockChannel = PrivateFiles.openOrCreate(lockFile);
                    FileLock lock = lockChannel.lock()) {
                if (!lock.isValid()) {
                    throw new IOException("lost the lock on " + lockFile);
                }
                Saved saved = read();
                Uidlist view;
                long follows;
                if (saved == null) {
                    view = tree != null ? tree : fresh(0, null, nowSeconds);
                    follows = tree != null ? tree.uidValidity() : 0;
                } else if (saved.follows() == 0) {
                    view = saved.list();
                    follows = 0;
                } else if (tree == null) {
                    view = saved.list(); // the tree's list is gone: keep our ids, same generation
                    follows = 0;
                } else if (tree.uidValidity() != saved.follows()) {
                    view = tree; // the tree was renumbered: follow it
                    follows = tree.uidValidity();
                } else if (agrees(tree, saved.list())) {
                    view = saved.list().withLinesOf(tree);
                    follows = tree.uidValidity();
                } else {
                    view = fresh(saved.list().uidValidity(), tree, nowSeconds);
                    follows = 0;
                }
                Uidlist after = view.plus(newRecords.records(view));
                long gone = after.records().values().stream()
                        .filter(r -> !basesOnDisk.contains(r.base()))
                        .count();
                if (gone > Math.max(64, basesOnDisk.size())) {
                    after = after.retaining(r -> basesOnDisk.contains(r.base()));
                }
                byte[] bytes = format(follows, after);
                if (saved == null || !Arrays.equals(bytes, saved.bytes())) {
                    write(bytes);
                }
                return after;
            }
        }
    }

    /** Whether no uid names two files, and no file has two uids, between the two lists. */
    private static boolean agrees(Uidlist tree, Uidlist ours) {
        for (Map.Entry<Long, Uidlist.Record> e : tree.records().entrySet()) {
            Uidlist.Record mine = ours.records().get(e.getKey());
            if (mine != null && !mine.base().equals(e.getValue().base())) {
                return false;
            }
            Long uid = ours.uidOf(e.getValue().base()).orElse(null);
            if (uid != null && uid.longValue() != e.getKey()) {
                return false;
            }
        }
        return true;
    }

    /** An empty list with a UIDVALIDITY above {@code last} and different from the tree's. */
    private static Uidlist fresh(long last, @Nullable Uidlist tree, long nowSeconds) {
        long floor = Math.max(last, tree != null ? tree.uidValidity() : 0);
        long value = Math.max(nowSeconds, floor + 1);
        if (value > 0xFFFF_FFFFL) {
            value = 1;
        }
        return Uidlist.create(value, MaildirStore.newMailboxGuid());
    }

    private byte[] format(long follows, Uidlist list) {
        byte[] head = (MAGIC + "\nfollows " + follows + "\nfolder " + folder + "\n\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = list.format();
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private @Nullable Saved read() throws IOException {
        byte[] bytes;
        try {
            bytes = MaildirStore.readNoFollow(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.indexOf("\n\n");
        try {
            if (!text.startsWith(MAGIC + "\n") || end < 0) {
                throw new IllegalArgumentException("no header");
            }
            long follows = -1;
            for (String line : text.substring(0, end).split("\n")) {
                if (line.startsWith("follows ")) {
                    follows = Long.parseLong(line.substring("follows ".length()));
                }
            }
            if (follows < 0) {
                throw new IllegalArgumentException("no follows line");
            }
            Uidlist list = Uidlist.parse(text.substring(end + 2).getBytes(StandardCharsets.UTF_8));
            return new Saved(follows, list, bytes);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    file + " (the ids of " + folder + ") is damaged (" + e.getMessage()
                            + "); remove it to have the folder numbered anew, as a new generation",
                    e);
        }
    }

    private void write(byte[] bytes) throws IOException {
        Path temp = directory.resolve(
                file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + TEMPS.incrementAndGet());
        DurableFiles.replace(temp, file, bytes, fsync);
    }
}
