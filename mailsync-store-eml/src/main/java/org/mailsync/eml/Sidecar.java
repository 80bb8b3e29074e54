package org.mailsync.eml;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.Flags;

/**
 * The small per-folder file {@value #FILE_NAME} in which the store keeps what a folder of {@code
 * .eml} files cannot say by itself: the folder's own name (where the directory had to be named
 * otherwise), its generation, the next id, and per message file its id, flags and size. Text,
 * UTF-8, one record per line, fields separated by TAB; other programs ignore it (it is no {@code
 * .eml} file, and hidden on Unix):
 *
 * <pre>
 * mailsync-eml 1
 * folder  Entwürfe            (only where the directory name differs)
 * generation  1733011200
 * next  4
 * 1  1234  \Seen $Forwarded  2024-05-01 1032 Hello.eml
 * </pre>
 *
 * A message line is {@code id size flags file-name}: the size of the file on disk (a file of
 * another size was changed by someone else, and is read as a file the store did not write), with
 * a {@code ~} before it for a file another program wrote (served with bare LFs made CRLF), flags as
 * IMAP writes them. In names {@code %}, TAB, CR and LF are written {@code %25 %09 %0D %0A}.
 *
 * <p>Immutable.
 */
record Sidecar(@Nullable String folderName, long generation, long next, Map<String, Entry> entries) {
    static final String FILE_NAME = ".mailsync-eml";
    private static final String MAGIC = "mailsync-eml 1";

    /**
     * One message file the store wrote or gave flags to: {@code size} is the file's size on disk;
     * {@code asStored} says it is served byte for byte (the store wrote it) rather than with bare
     * LFs made CRLF (another program did).
     */
    record Entry(long uid, long size, Flags flags, String fileName, boolean asStored) {}

    Sidecar {
        checkArgument(generation > 0, "generation must be positive, not %s", generation);
        checkArgument(next > 0, "next id must be positive, not %s", next);
        entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The entry of a file, by its exact name. */
    Optional<Entry> entry(String fileName) {
        return Optional.ofNullable(entries.get(fileName));
    }

    Sidecar withEntries(Map<String, Entry> newEntries, long newNext) {
        return new Sidecar(folderName, generation, newNext, newEntries);
    }

    byte[] format() {
        StringBuilder out = new StringBuilder(MAGIC).append('\n');
        if (folderName != null) {
            out.append("folder\t").append(escape(folderName)).append('\n');
        }
        out.append("generation\t").append(generation).append('\n');
        out.append("next\t").append(next).append('\n');
        entries.values().stream()
                .sorted(java.util.Comparator.comparingLong(Entry::uid))
                .forEach(e -> out.append(e.uid())
                        .append('\t')
                        .append(e.asStored() ? "" : "~")
                        .append(e.size())
                        .append('\t')
                        .append(e.flags())
                        .append('\t')
                        .append(escape(e.fileName()))
                        .append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a sidecar; a damaged one is an {@link IllegalArgumentException} naming the line.
     */
    static Sidecar parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        checkArgument(lines.length > 0 && lines[0].equals(MAGIC), "does not start with \"%s\"", MAGIC);
        String folder = null;
        long generation = 0;
        long next = 0;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                switch (f[0]) {
                    case "folder" -> folder = unescape(field(f, 1));
                    case "generation" -> generation = Long.parseLong(field(f, 1));
                    case "next" -> next = Long.parseLong(field(f, 1));
                    default -> {
                        checkArgument(f.length == 4, "a message line has 4 fields");
                        long uid = Long.parseLong(f[0]);
                        checkArgument(uid > 0, "ids are positive");
                        boolean asStored = !f[1].startsWith("~");
                        long size = Long.parseLong(asStored ? f[1] : f[1].substring(1));
                        checkArgument(size >= 0, "sizes are not negative");
                        String name = unescape(f[3]);
                        checkArgument(!name.isEmpty() && name.indexOf('/') < 0, "not a file name");
                        entries.put(name, new Entry(uid, size, Flags.parse(f[2]), name, asStored));
                        next = Math.max(next, uid + 1);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        checkArgument(generation > 0, "no generation line");
        long maxUid = entries.values().stream().mapToLong(Entry::uid).max().orElse(0);
        return new Sidecar(folder, generation, Math.max(Math.max(next, maxUid + 1), 1), entries);
    }

    private static String field(String[] f, int i) {
        checkArgument(f.length > i, "missing value");
        return f[i];
    }

    static String escape(String s) {
        return s.replace("%", "%25").replace("\t", "%09").replace("\r", "%0D").replace("\n", "%0A");
    }

    static String unescape(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                String hex = s.substring(i + 1, i + 3);
                out.append((char) Integer.parseInt(hex, 16));
                i += 2;
            } else {
                checkArgument(c != '%', "a %% at the end of a name");
                out.append(c);
            }
        }
        return out.toString();
    }
}
