package org.mailsync;

import static com.google.common.base.Preconditions.checkState;

import java.io.ByteArrayInputStream;
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
    private final @Nullable Path file;
    private final long size;
    private volatile boolean closed;

    private RawMessage(byte @Nullable [] bytes, @Nullable Path file, long size) {
        this.bytes = bytes;
        this.file = file;
        this.size = size;
    }

    /** A message held in memory; the array is copied. */
    public static RawMessage of(byte[] bytes) {
        return new RawMessage(bytes.clone(), null, bytes.length);
    }

    /** A message held in memory, taking the array without a copy: the caller must not change it. */
    static RawMessage adopt(byte[] bytes) {
        return new RawMessage(bytes, null, bytes.length);
    }

    /** A message in a temp file that this message owns and deletes when closed. */
    static RawMessage ownFile(Path file, long size) {
        return new RawMessage(null, file, size);
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
            return new ByteArrayInputStream(bytes);
        }
        return Files.newInputStream(file);
    }

    /** Writes all bytes to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        if (bytes != null) {
            checkState(!closed, "raw message already closed");
            out.write(bytes);
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
            return bytes.clone();
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
}
