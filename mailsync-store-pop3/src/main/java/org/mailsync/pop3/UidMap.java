package org.mailsync.pop3;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.mailsync.spi.support.DurableFiles;

/**
 * The ids this store gave the messages of one POP3 account, kept in the store's state directory:
 * a POP3 server names its messages by UIDL strings (or, without UIDL, by nothing that lasts), but
 * the engine needs positive ids that grow with each new message and never change. Each key (a
 * UIDL, or an identity key where the server has no UIDL) gets the next id the first time it is
 * seen, in the server's order, and keeps it for good: keys are never dropped, so a message the
 * server stops listing for a while and lists again keeps its id rather than being copied twice.
 * The generation is drawn at random when the file is made; a lost file means a new generation,
 * and the engine then re-matches by identity. The date each message was first seen is kept too,
 * as the internal date of last resort, and the date its headers give, so that a message's headers
 * are read once, not at every pass.
 *
 * <p>The file is text, one message a line, written whole (temp file, fsync, rename), 0600, under
 * an OS file lock and a lock per file within this process. Thread-safe.
 */
final class UidMap {
    private static final String MAGIC = "mailsync pop3 ids 1";
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One message: its id, the date its headers give (0: not read yet), when it was first seen,
     * and its size as read where that differs from what the server's LIST says (0: as listed).
     */
    record Entry(long id, long dateSeconds, long firstSeenSeconds, long readSize) {
        Entry withDate(long seconds) {
            return new Entry(id, seconds, firstSeenSeconds, readSize);
        }

        Entry withReadSize(long bytes) {
            return new Entry(id, dateSeconds, firstSeenSeconds, bytes);
        }
    }

    /** What the file holds. */
    record Snapshot(long generation, long next, Map<String, Entry> entries) {}

    private final Path directory;
    private final Path file;
    private final Path lockFile;
    private final String account;

    UidMap(Path directory, String account) {
        this.directory = directory;
        this.account = account;
        String key = Hashing.sha256()
                .hashString(account, StandardCharsets.UTF_8)
                .toString()
                .substring(0, 32);
        this.file = directory.resolve("pop3-ids-" + key);
        this.lockFile = directory.resolve("pop3-ids-" + key + ".lock");
    }

    Path file() {
        return file;
    }

    /** Changes the entries under the map's locks; returns the next id to give. */
    interface Change {
        long apply(Snapshot current, Map<String, Entry> entries);
    }

    /**
     * Gives every key of {@code keys} not yet known the next id, in the order given, and writes the
     * map before returning it: an id handed out is on disk first.
     */
    Snapshot assign(List<String> keys, long nowSeconds) throws IOException {
        return update((current, entries) -> {
            long next = current.next();
            for (String k : keys) {
                if (!entries.containsKey(k)) {
                    entries.put(k, new Entry(next++, 0, nowSeconds, 0));
                }
            }
            return next;
        });
    }

    /** Records the dates headers gave (by key). */
    Snapshot recordDates(Map<String, Long> dates) throws IOException {
        return update((current, entries) -> {
            for (Map.Entry<String, Long> d : dates.entrySet()) {
                Entry e = entries.get(d.getKey());
                if (e != null) {
                    entries.put(d.getKey(), e.withDate(d.getValue()));
                }
            }
            return current.next();
        });
    }

    /** Records the size a message has as read, where the server lists another. */
    Snapshot recordReadSize(String key, long bytes) throws IOException {
        return update((current, entries) -> {
            Entry e = entries.get(key);
            if (e != null) {
                entries.put(key, e.withReadSize(bytes));
            }
            return current.next();
        });
    }

    private Snapshot update(Change change) throws IOException {
        DurableFiles.createPrivateDirectories(directory);
        Object monitor = MONITORS.computeIfAbsent(lockFile, p -> new Object());
        synchronized (monitor) {
            try (FileChannel lockChannel = DurableFiles.openPrivate(lockFile);
                    FileLock lock = lockChannel.lock()) {
                if (!lock.isValid()) {
                    throw new IOException("lost the lock on " + lockFile);
                }
                Snapshot loaded = load();
                boolean fresh = loaded == null;
                Snapshot current =
                        loaded != null ? loaded : new Snapshot(1 + RANDOM.nextInt(Integer.MAX_VALUE - 1), 1, Map.of());
                Map<String, Entry> entries = new LinkedHashMap<>(current.entries());
                long nextId = change.apply(current, entries);
                Snapshot next = new Snapshot(current.generation(), nextId, entries);
                if (fresh || nextId != current.next() || !entries.equals(current.entries())) {
                    DurableFiles.replace(file, encode(next));
                }
                return next;
            }
        }
    }

    private @Nullable Snapshot load() throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        String text = new String(DurableFiles.read(file), StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        try {
            if (lines.length < 4
                    || !lines[0].equals(MAGIC)
                    || !lines[2].startsWith("generation ")
                    || !lines[3].startsWith("next ")) {
                throw new IOException("not a mailsync POP3 id file");
            }
            long generation = Long.parseLong(lines[2].substring("generation ".length()));
            long next = Long.parseLong(lines[3].substring("next ".length()));
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (int i = 4; i < lines.length; i++) {
                if (lines[i].isEmpty()) {
                    continue;
                }
                String[] f = lines[i].split(" ", 5);
                if (f.length != 5) {
                    throw new IOException("line " + (i + 1) + " is not 'id date first-seen size key'");
                }
                long id = Long.parseLong(f[0]);
                if (id <= 0 || id >= next) {
                    throw new IOException("line " + (i + 1) + " has id " + id + " outside 1.." + (next - 1));
                }
                entries.put(
                        decode(f[4]), new Entry(id, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            }
            if (generation <= 0) {
                throw new IOException("generation " + generation + " is not positive");
            }
            return new Snapshot(generation, next, entries);
        } catch (NumberFormatException e) {
            throw new IOException(
                    "damaged POP3 id file " + file + ": " + e.getMessage()
                            + " (remove it: the next pass matches the messages again by identity)",
                    e);
        } catch (IOException e) {
            throw new IOException(
                    "damaged POP3 id file " + file + ": " + e.getMessage()
                            + " (remove it: the next pass matches the messages again by identity)",
                    e);
        }
    }

    private byte[] encode(Snapshot s) {
        StringBuilder out = new StringBuilder();
        out.append(MAGIC).append('\n');
        out.append("account ").append(account.replaceAll("[\\r\\n]", "?")).append('\n');
        out.append("generation ").append(s.generation()).append('\n');
        out.append("next ").append(s.next()).append('\n');
        for (Map.Entry<String, Entry> e : s.entries().entrySet()) {
            Entry v = e.getValue();
            out.append(v.id())
                    .append(' ')
                    .append(v.dateSeconds())
                    .append(' ')
                    .append(v.firstSeenSeconds())
                    .append(' ')
                    .append(v.readSize())
                    .append(' ')
                    .append(encodeKey(e.getKey()))
                    .append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A key as one word of printable ASCII: other bytes, and '%', as %XX. */
    static String encodeKey(String key) {
        StringBuilder out = new StringBuilder();
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    static String decode(String word) throws IOException {
        byte[] out = new byte[word.length()];
        int n = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c == '%') {
                if (i + 2 >= word.length()) {
                    throw new IOException("bad escape in key " + word);
                }
                out[n++] = (byte) Integer.parseInt(word.substring(i + 1, i + 3), 16);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
