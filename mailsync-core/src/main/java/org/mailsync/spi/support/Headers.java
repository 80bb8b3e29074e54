package org.mailsync.spi.support;

import com.google.common.collect.ImmutableListMultimap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.mailsync.RawMessage;

/**
 * Reads the header block of a raw message and its fields, without a MIME library: bytes are
 * decoded as ISO-8859-1 so that every byte survives as one char, whatever the charset.
 *
 * <p>Thread-safe (stateless).
 */
public final class Headers {
    /** Header blocks larger than this are cut: enough for any real message's identity fields. */
    public static final int MAX_HEADER_BYTES = 256 * 1024;

    private Headers() {}

    /** The header block, up to and including the empty line that ends it (or all, if none). */
    public static byte[] readHeaderBlock(RawMessage message) {
        try (InputStream in = message.openStream()) {
            return readHeaderBlock(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The header block of a stream positioned at a message's first byte. */
    public static byte[] readHeaderBlock(InputStream in) throws IOException {
        // A plain array, not a ByteArrayOutputStream: its write(int) takes a lock per byte, which
        // cost more than the scan itself on every message a copy reads.
        byte[] out = new byte[2048];
        int size = 0;
        int previous = -1;
        int beforePrevious = -1;
        int b;
        // The block ends at CRLF CRLF or LF LF; a lone CR is kept as content.
        while (size < MAX_HEADER_BYTES && (b = in.read()) >= 0) {
            if (size == out.length) {
                out = java.util.Arrays.copyOf(out, Math.min(MAX_HEADER_BYTES, 2 * out.length));
            }
            out[size++] = (byte) b;
            if (b == '\n' && (previous == '\n' || (previous == '\r' && beforePrevious == '\n'))) {
                break;
            }
            if (size == 1 && b == '\n') {
                break;
            }
            if (size == 2 && previous == '\r' && b == '\n') {
                break;
            }
            beforePrevious = previous;
            previous = b;
        }
        return java.util.Arrays.copyOf(out, size);
    }

    /**
     * The fields of a header block, names lower-cased, values unfolded (line breaks inside a value
     * removed) and trimmed, in order of appearance.
     */
    public static ImmutableListMultimap<String, String> parse(byte[] headerBlock) {
        String text = new String(headerBlock, StandardCharsets.ISO_8859_1);
        ImmutableListMultimap.Builder<String, String> fields = ImmutableListMultimap.builder();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(line);
                continue;
            }
            if (name != null) {
                fields.put(name, value.toString().trim());
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                name = null;
                value.setLength(0);
                continue;
            }
            name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            value.setLength(0);
            value.append(line, colon + 1, line.length());
        }
        if (name != null) {
            fields.put(name, value.toString().trim());
        }
        return fields.build();
    }
}
