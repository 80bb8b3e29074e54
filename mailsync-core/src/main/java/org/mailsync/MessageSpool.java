package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.mailsync.internal.ThisProcess;
import org.mailsync.spi.support.DurableFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stream of message bytes into a {@link RawMessage}: in memory up to a threshold, in a
 * temp file above it, so that a 50 MB attachment never sits on the heap.
 *
 * <p>Temp files (0600) are named {@code mailsync-spool-HOST-PID-START-RANDOM.eml}: a process
 * killed before it could delete its files leaves them behind, and the first spool file another
 * process on the same host makes in that directory sweeps them, once that pid is gone (or
 * belongs to a process started at another time).
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageSpool {
    private static final Logger log = LoggerFactory.getLogger(MessageSpool.class);

    static final String FILE_PREFIX = "mailsync-spool-";
    static final String FILE_SUFFIX = ".eml";

    /** The spool directories this process has swept: once each is enough. */
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();
    /** Default threshold: messages up to 1 MiB stay in memory. */
    public static final int DEFAULT_THRESHOLD = 1 << 20;

    private static final MessageSpool DEFAULTS = new MessageSpool(DEFAULT_THRESHOLD, null);

    private final int threshold;
    private final @Nullable Path directory;

    private MessageSpool(int threshold, @Nullable Path directory) {
        this.threshold = threshold;
        this.directory = directory;
    }

    /** The default spool: 1 MiB threshold, files in the JVM's temp directory. */
    public static MessageSpool defaults() {
        return DEFAULTS;
    }

    /** A spool with this in-memory threshold (bytes) and temp directory (null: the JVM's). */
    public static MessageSpool of(int threshold, @Nullable Path directory) {
        checkArgument(threshold >= 0, "spool threshold must not be negative, not %s", threshold);
        return new MessageSpool(threshold, directory);
    }

    /** The largest message kept in memory. */
    public int threshold() {
        return threshold;
    }

    /** Reads {@code in} to its end; does not close it. */
    public RawMessage spool(InputStream in) throws IOException {
        return spool(in, -1);
    }

    /**
     * Reads {@code in} to its end; does not close it. {@code expectedSize} (or -1 if unknown) lets
     * a large message go to a file at once.
     */
    public RawMessage spool(InputStream in, long expectedSize) throws IOException {
        if (expectedSize > threshold) {
            return toFile(new byte[0], 0, in);
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(expectedSize >= 0 ? (int) expectedSize : 8192);
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            buffer.write(chunk, 0, n);
            if (buffer.size() > threshold) {
                return toFile(buffer.toByteArray(), buffer.size(), in);
            }
        }
        return RawMessage.adopt(buffer.toByteArray());
    }

    /** A writer for callers that produce bytes rather than read a stream. */
    public Writer newWriter() {
        return new Writer();
    }

    private RawMessage toFile(byte[] head, int headLength, InputStream rest) throws IOException {
        Path file = createTempFile();
        long size;
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
            out.write(head, 0, headLength);
            size = headLength + rest.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return RawMessage.ownFile(file, size);
    }

    private Path createTempFile() throws IOException {
        Path base = directory == null ? Path.of(System.getProperty("java.io.tmpdir")) : directory;
        if (SWEPT.add(base.toAbsolutePath().normalize())) {
            sweepDeadProcesses(base);
        }
        // The owner in the name (host, pid, start time), so that a later process can tell when
        // the file's owner is gone. createTempFile makes it 0600 (umask can only take bits away);
        // set explicitly all the same.
        Path file = Files.createTempFile(
                base,
                FILE_PREFIX + ThisProcess.host() + "-" + ThisProcess.pid() + "-" + ThisProcess.startMillis() + "-",
                FILE_SUFFIX);
        DurableFiles.ownerOnly(file);
        return file;
    }

    /**
     * Removes the spool files in {@code base} of processes on this host that are gone. Files of
     * another host (a shared temp directory), of a process that may live, or of another naming are
     * kept.
     */
    static void sweepDeadProcesses(Path base) {
        String ours = FILE_PREFIX + ThisProcess.host() + "-";
        long files = 0;
        long bytes = 0;
        // Lists the spool's own directory (mailsync's choice, not a mail source); each entry is
        // checked below without following links before anything is deleted.
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base, FILE_PREFIX + "*" + FILE_SUFFIX)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(ours) || !Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                // HOST-PID-START-RANDOM.eml, read from the end: a host name may hold '-'.
                String[] parts = name.substring(ours.length(), name.length() - FILE_SUFFIX.length())
                        .split("-", -1);
                if (parts.length != 3) {
                    continue;
                }
                long pid;
                long start;
                try {
                    pid = Long.parseLong(parts[0]);
                    start = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ThisProcess.isGone(pid, start)) {
                    long size = Files.size(entry);
                    if (Files.deleteIfExists(entry)) {
                        files++;
                        bytes += size;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Sweeping is housekeeping: a spool that cannot sweep still spools.
            log.warn("cannot sweep old spool files in {}: {}", base, e.toString());
        }
        if (files > 0) {
            log.info("removed {} spool files ({} bytes) left in {} by processes that are gone", files, bytes, base);
        }
    }

    /**
     * An output stream that ends in a {@link RawMessage}. Not thread-safe; confine to one thread.
     */
    public final class Writer extends OutputStream {
        private @Nullable ByteArrayOutputStream memory = new ByteArrayOutputStream();
        private @Nullable Path file;
        private @Nullable OutputStream fileOut;
        private long size;
        private boolean finished;

        private Writer() {}

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkState(!finished, "writer already finished");
            if (memory != null && memory.size() + len > threshold) {
                file = createTempFile();
                fileOut = Files.newOutputStream(file, StandardOpenOption.WRITE);
                memory.writeTo(fileOut);
                memory = null;
            }
            if (memory != null) {
                memory.write(b, off, len);
            } else {
                requireNonNull(fileOut).write(b, off, len);
            }
            size += len;
        }

        /** The message written so far; the writer cannot be used after this. */
        public RawMessage finish() throws IOException {
            checkState(!finished, "writer already finished");
            finished = true;
            if (memory != null) {
                return RawMessage.adopt(memory.toByteArray());
            }
            requireNonNull(fileOut).close();
            return RawMessage.ownFile(requireNonNull(file), size);
        }

        /** Discards what was written (deletes the temp file, if any). */
        @Override
        public void close() throws IOException {
            if (!finished) {
                finished = true;
                if (fileOut != null) {
                    fileOut.close();
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
