package org.mailsync.eml;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File and directory names that every common file system can hold: Windows (NTFS, FAT, exFAT),
 * macOS (APFS, HFS+) and Linux. A name has no character Windows forbids ({@code < > : " / \ | ? *}
 * and controls), does not end with a dot or a space (Windows drops them), does not start with a
 * dot (hidden on Unix, and {@code .}/{@code ..}), is not a reserved device name ({@code CON},
 * {@code PRN}, {@code AUX}, {@code NUL}, {@code COM0-9}, {@code LPT0-9}, with or without an
 * extension), is in Unicode NFC (macOS stores NFD; comparing in NFC makes both one name), and is at
 * most {@value #MAX_CHARS} characters and {@value #MAX_BYTES} bytes in UTF-8. Uniqueness is
 * compared by {@link #key}: NFC and lower case, as Windows and macOS compare by default.
 *
 * <p>Thread-safe (stateless).
 */
final class SafeNames {
    static final int MAX_CHARS = 120;
    static final int MAX_BYTES = 200;
    private static final String FORBIDDEN = "<>:\"/\\|?*";
    private static final Set<String> RESERVED = Set.of("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$");
    private static final Pattern RESERVED_NUMBERED = Pattern.compile("(COM|LPT)[0-9\u00b9\u00b2\u00b3]");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HHmm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([bBqQ])\\?([^?\\s]*)\\?=");

    private SafeNames() {}

    /**
     * The name for a message file: {@code 2024-05-01 1032 Subject words.eml}, the date and time in
     * UTC, the subject decoded (RFC 2047) and made safe; {@link #numbered} makes it unique.
     */
    static String messageFileName(Instant date, String subject) {
        String stamp = STAMP.format(date);
        String words = clean(decodeEncodedWords(subject));
        String base = words.isEmpty() ? stamp + " no subject" : stamp + " " + words;
        return safe(base, ".eml");
    }

    /** A directory name for a folder name segment, safe everywhere; an empty result is never given. */
    static String directoryName(String folderName) {
        String base = clean(folderName);
        return safe(base.isEmpty() ? "folder" : base, "");
    }

    /**
     * Makes {@code base + extension} safe: forbidden characters replaced, no leading dot, no
     * trailing dot or space, not reserved, short enough.
     */
    static String safe(String base, String extension) {
        String b = clean(base);
        while (b.startsWith(".")) {
            b = b.substring(1);
        }
        // Room for a " (nnnnn)" that makes a name unique.
        b = shorten(b, MAX_CHARS - extension.length() - 8, MAX_BYTES - extension.length() - 8);
        b = stripTrailingDotsAndSpaces(b);
        if (b.isEmpty()) {
            b = "_";
        }
        if (reserved(b)) {
            int dot = b.indexOf('.');
            b = dot < 0 ? b + "_" : b.substring(0, dot) + "_" + b.substring(dot);
        }
        return b + extension;
    }

    /** With " (n)" before the extension: the n-th candidate when the name is taken. */
    static String numbered(String name, int n) {
        String ext = name.toLowerCase(Locale.ROOT).endsWith(".eml") ? name.substring(name.length() - 4) : "";
        String base = name.substring(0, name.length() - ext.length());
        return base + " (" + n + ")" + ext;
    }

    /** The key two names collide under on a case-insensitive, normalising file system. */
    static String key(String name) {
        return Normalizer.normalize(name, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    /** Whether a name (up to its first dot) is a Windows device name. */
    static boolean reserved(String name) {
        int dot = name.indexOf('.');
        String stem = (dot < 0 ? name : name.substring(0, dot)).strip().toUpperCase(Locale.ROOT);
        return RESERVED.contains(stem) || RESERVED_NUMBERED.matcher(stem).matches();
    }

    /** NFC, forbidden and control characters as '_', white space runs as one space, trimmed. */
    private static String clean(String s) {
        String n = Normalizer.normalize(s, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(n.length());
        boolean space = false;
        for (int i = 0; i < n.length(); ) {
            int cp = n.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                space = true;
                continue;
            }
            if (space && out.length() > 0) {
                out.append(' ');
            }
            space = false;
            if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || FORBIDDEN.indexOf(cp) >= 0) {
                out.append('_');
            } else if (Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.SURROGATE
                    || Character.getType(cp) == Character.UNASSIGNED
                    || Character.getType(cp) == Character.PRIVATE_USE) {
                // Invisible or unpaired: dropped, so two names never differ by what no one sees.
                continue;
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    private static String shorten(String s, int maxChars, int maxBytes) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (out.length() + Character.charCount(cp) > maxChars || bytes + len > maxBytes) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static String stripTrailingDotsAndSpaces(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        return s.substring(0, end);
    }

    /**
     * A header value as {@code Headers} gives it (each byte one ISO-8859-1 char) as the text it most
     * likely is: UTF-8 where its bytes are valid UTF-8 (RFC 6532 headers, and what most programs
     * write raw today), else ISO-8859-1.
     */
    static String rawHeaderText(String latin1) {
        byte[] bytes = latin1.getBytes(StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return latin1;
        }
    }

    /**
     * RFC 2047 encoded words decoded, for a readable file name (never for the message, whose bytes
     * are kept); a word in an unknown charset or badly encoded stays as it is.
     */
    static String decodeEncodedWords(String text) {
        // White space between two encoded words is not part of the text (RFC 2047 6.2).
        String joined = text.replaceAll("(\\?=)\\s+(=\\?)", "$1$2");
        Matcher m = ENCODED_WORD.matcher(joined);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String decoded;
            try {
                Charset charset = Charset.forName(m.group(1).replaceAll("\\*.*$", ""));
                byte[] bytes = m.group(2).equalsIgnoreCase("B")
                        ? Base64.getMimeDecoder().decode(m.group(3))
                        : quoted(m.group(3));
                decoded = new String(bytes, charset);
            } catch (IllegalArgumentException e) {
                decoded = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(decoded));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static byte[] quoted(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=' && i + 2 < text.length()) {
                out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
