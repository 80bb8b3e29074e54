package org.mailsync;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * Turns a stream of message bytes into a {@link RawMessage}: in memory up to a threshold, in a
 * temp file above it, so that a 50 MB attachment never sits on the heap.
 *
 * <p>Immutable and thread-safe.
 */
public final class MessageSpool {
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
        return directory == null
                ? Files.createTempFile("mailsync-", ".eml")
                : Files.createTempFile(directory, "mailsync-", ".eml");
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
                fileOut.write(b, off, len);
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
            fileOut.close();
            return RawMessage.ownFile(file, size);
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
