package org.mailsync.maildir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * IMAP's modified UTF-7 (RFC 3501 5.1.3), in which Dovecot stores Maildir folder names on disk
 * unless told otherwise: printable ASCII stands for itself, {@code &} is {@code &-}, and anything
 * else is UTF-16 in base64 (with {@code ,} for {@code /}) between {@code &} and {@code -}.
 *
 * <p>Thread-safe (stateless).
 */
final class ModifiedUtf7 {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".toCharArray();
    private static final int[] VALUES = new int[128];

    static {
        java.util.Arrays.fill(VALUES, -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = i;
        }
    }

    private ModifiedUtf7() {}

    /** Encodes any text. */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c >= 0x20 && c <= 0x7e) {
                out.append(c == '&' ? "&-" : String.valueOf(c));
                i++;
                continue;
            }
            int end = i;
            while (end < text.length() && (text.charAt(end) < 0x20 || text.charAt(end) > 0x7e)) {
                end++;
            }
            byte[] utf16 = text.substring(i, end).getBytes(StandardCharsets.UTF_16BE);
            out.append('&');
            int bits = 0;
            int buffer = 0;
            for (byte b : utf16) {
                buffer = (buffer << 8) | (b & 0xff);
                bits += 8;
                while (bits >= 6) {
                    bits -= 6;
                    out.append(ALPHABET[(buffer >> bits) & 0x3f]);
                }
            }
            if (bits > 0) {
                out.append(ALPHABET[(buffer << (6 - bits)) & 0x3f]);
            }
            out.append('-');
            i = end;
        }
        return out.toString();
    }

    /**
     * Decodes modified UTF-7; empty if {@code encoded} is not valid modified UTF-7 (raw 8-bit
     * characters, an unterminated or malformed shift, bad UTF-16).
     */
    public static Optional<String> decode(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.empty();
            }
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = encoded.indexOf('-', i + 1);
            if (end < 0) {
                return Optional.empty();
            }
            if (end == i + 1) {
                out.append('&');
                i = end + 1;
                continue;
            }
            ByteBuffer bytes = ByteBuffer.allocate((end - i) * 6 / 8 + 1);
            int bits = 0;
            int buffer = 0;
            for (int j = i + 1; j < end; j++) {
                char d = encoded.charAt(j);
                int v = d < 128 ? VALUES[d] : -1;
                if (v < 0) {
                    return Optional.empty();
                }
                buffer = (buffer << 6) | v;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    bytes.put((byte) (buffer >> bits));
                }
            }
            // Leftover bits must be zero padding, and the UTF-16 must be whole, non-empty code units.
            if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || bytes.position() == 0 || bytes.position() % 2 != 0) {
                return Optional.empty();
            }
            String decoded = strictUtf16(bytes.array(), bytes.position());
            if (decoded == null) {
                return Optional.empty();
            }
            for (int k = 0; k < decoded.length(); k++) {
                char d = decoded.charAt(k);
                if (d >= 0x20 && d <= 0x7e) {
                    return Optional.empty(); // printable ASCII must not be shifted
                }
            }
            out.append(decoded);
            i = end + 1;
        }
        return Optional.of(out.toString());
    }

    private static @org.jspecify.annotations.Nullable String strictUtf16(byte[] bytes, int length) {
        try {
            return StandardCharsets.UTF_16BE
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
