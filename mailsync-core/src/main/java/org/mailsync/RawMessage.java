package org.mailsync;

import static com.google.common.base.Preconditions.checkPositionIndexes;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The raw bytes of one message, exactly as a store holds them (CRLF line ends, 8-bit headers and
 * all): never parsed into a MIME tree and never re-encoded. Small messages stay in memory; large
 * ones live in a temp file made by a {@link MessageSpool} and deleted on {@link #close()}.
 *
 * <p>Thread-safe for reading; {@link #close()} once, when no stream is open any more.
 */
public final class RawMessage implements AutoCloseable {
    private final byte @Nullable [] bytes;
    /** Where the message starts in {@link #bytes}. */
    private final int offset;

    private final @Nullable Path file;
    private final long size;
    private volatile boolean closed;

    private RawMessage(byte @Nullable [] bytes, int offset, @Nullable Path file, long size) {
        this.bytes = bytes;
        this.offset = offset;
        this.file = file;
        this.size = size;
    }

    /** A message held in memory; the array is copied. */
    public static RawMessage of(byte[] bytes) {
        return new RawMessage(bytes.clone(), 0, null, bytes.length);
    }

    /**
     * A message held in memory that is {@code length} bytes of {@code array} from {@code offset},
     * taken without a copy: the caller hands the array over and must not change it afterwards. For
     * stores that read a message into an array of their own (a protocol library's response buffer),
     * where a copy would cost as much CPU as the read.
     */
    public static RawMessage wrap(byte[] array, int offset, int length) {
        checkPositionIndexes(offset, offset + length, array.length);
        return new RawMessage(array, offset, null, length);
    }

    /** A message held in memory, taking the array without a copy: the caller must not change it. */
    static RawMessage adopt(byte[] bytes) {
        return new RawMessage(bytes, 0, null, bytes.length);
    }

    /** A message in a temp file that this message owns and deletes when closed. */
    static RawMessage ownFile(Path file, long size) {
        return new RawMessage(null, 0, file, size);
    }

    /** The size in bytes. */
    public long size() {
        return size;
    }

    /** Whether the bytes are held in memory (as opposed to a temp file). */
    public boolean inMemory() {
        return bytes != null;
    }

    /** A new stream over the bytes; each call starts at the beginning. */
    public InputStream openStream() throws IOException {
        checkState(!closed, "raw message already closed");
        if (bytes != null) {
            return new Bytes(bytes, offset, (int) size);
        }
        return Files.newInputStream(file);
    }

    /** Writes all bytes to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        if (bytes != null) {
            checkState(!closed, "raw message already closed");
            out.write(bytes, offset, (int) size);
            return;
        }
        try (InputStream in = openStream()) {
            in.transferTo(out);
        }
    }

    /**
     * All bytes as an array, for small messages and tests; a message over 2 GiB cannot be held.
     */
    public byte[] toByteArray() {
        checkState(size <= Integer.MAX_VALUE - 8, "message of %s bytes does not fit an array", size);
        if (bytes != null) {
            return java.util.Arrays.copyOfRange(bytes, offset, offset + (int) size);
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Frees the temp file, if there is one. */
    @Override
    public void close() {
        closed = true;
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temp file left behind is not worth failing a sync for; the OS cleans tmp.
            }
        }
    }

    @Override
    public String toString() {
        return "RawMessage[" + size + " bytes" + (bytes == null ? ", spooled" : "") + "]";
    }

    /**
     * A stream over part of an array. Unlike {@link java.io.ByteArrayInputStream}, whose every
     * {@code read()} takes a lock, it is not synchronized: each stream has one reader, and header
     * scans read byte by byte, where the lock cost more than the rest of the scan.
     */
    private static final class Bytes extends InputStream {
        private final byte[] array;
        private final int end;
        private int at;
        private int mark;

        Bytes(byte[] array, int offset, int length) {
            this.array = array;
            this.at = offset;
            this.mark = offset;
            this.end = offset + length;
        }

        @Override
        public int read() {
            return at < end ? array[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (at >= end) {
                return -1;
            }
            int n = Math.min(len, end - at);
            System.arraycopy(array, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, end - at));
            at += (int) k;
            return k;
        }

        @Override
        public int available() {
            return end - at;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            int n = end - at;
            out.write(array, at, n);
            at = end;
            return n;
        }

        @Override
        public boolean markSupported() {
            return true;
        }

        @Override
        public void mark(int readlimit) {
            mark = at;
        }

        @Override
        public void reset() {
            at = mark;
        }
    }
}
