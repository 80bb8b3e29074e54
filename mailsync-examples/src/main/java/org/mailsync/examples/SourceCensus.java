package org.mailsync.examples;

import com.google.common.collect.ImmutableList;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderPath;

/**
 * What a local source holds, counted without the store code: a walk of the tree that never
 * follows a link, counting the messages of each folder by the format's own rules (for Maildir the
 * regular files in each folder's {@code cur/} and {@code new/}; for mbox the {@code From }
 * separator lines of each file). {@link MailboxVerifier} compares it with what the store read, so
 * that a folder or file the store skipped cannot verify OK: the census does not share the
 * store's blind spots.
 *
 * <p>Immutable.
 */
public final class SourceCensus {
    /** Dovecot's, Courier's and this project's bookkeeping beside a Maildir folder's mail. */
    private static final Set<String> MAILDIR_METADATA = Set.of(
            "dovecot-uidlist",
            "dovecot-uidvalidity",
            "dovecot-keywords",
            "dovecot-acl",
            "dovecot-shared",
            "maildirfolder",
            "subscriptions",
            "courierimapuiddb",
            "courierimapkeywords",
            "courierimapacl",
            "courierimapsubscribed");

    /**
     * One folder as found on disk.
     *
     * @param path the folder name its location stands for (the root is the inbox)
     * @param location the directory (Maildir) or file (mbox) that holds it
     * @param messages the messages counted there: at least this many must have been read
     */
    public record Folder(FolderPath path, Path location, long messages) {}

    /** A file or directory under the root that no folder accounts for, and why. */
    public record Unread(Path location, String reason) {
        @Override
        public String toString() {
            return location + ": " + reason;
        }
    }

    private final ImmutableList<Folder> folders;
    private final ImmutableList<Unread> unread;

    private SourceCensus(List<Folder> folders, List<Unread> unread) {
        this.folders = ImmutableList.copyOf(folders);
        this.unread = ImmutableList.copyOf(unread);
    }

    /** The folders found, each with its count of messages. */
    public ImmutableList<Folder> folders() {
        return folders;
    }

    /** What is not part of any folder: links (never followed), files that are not mail. */
    public ImmutableList<Unread> unread() {
        return unread;
    }

    // ---------------------------------------------------------------------------------- Maildir

    /**
     * Counts a Maildir tree: the root is the inbox; a folder is a directory with {@code cur/} or
     * {@code new/} (Dovecot's rule), either {@code .A.B} directly under the root (Maildir++) or
     * nested {@code A/B} (the fs layout); names are decoded from modified UTF-7. Files in {@code
     * tmp/} are unfinished deliveries and known bookkeeping files are not mail; anything else
     * outside {@code cur/} and {@code new/} is named as unread.
     */
    public static SourceCensus maildir(Path root) throws IOException {
        List<Folder> folders = new ArrayList<>();
        List<Unread> unread = new ArrayList<>();
        Map<FolderPath, Path> seen = new LinkedHashMap<>();
        // The root itself is the user's choice and may be a link (a mounted backup); below it,
        // nothing is followed.
        maildirFolder(root, root, FolderPath.INBOX, List.of(), folders, unread, seen);
        return new SourceCensus(folders, unread);
    }

    private static void maildirFolder(
            Path root,
            Path dir,
            @Nullable FolderPath path,
            List<String> fsSegments,
            List<Folder> folders,
            List<Unread> unread,
            Map<FolderPath, Path> seen)
            throws IOException {
        boolean isFolder = isRealDirectory(dir.resolve("cur")) || isRealDirectory(dir.resolve("new"));
        long messages = 0;
        for (Path entry : list(dir)) {
            String name = entry.getFileName().toString();
            BasicFileAttributes a = attributes(entry);
            if (a.isSymbolicLink()) {
                unread.add(new Unread(entry, "symbolic link, not followed"));
            } else if (a.isDirectory() && isFolder && (name.equals("cur") || name.equals("new"))) {
                messages += countMessageFiles(entry, unread);
            } else if (a.isDirectory() && name.equals("tmp")) {
                // Unfinished deliveries: not mail yet, by the Maildir rules.
                continue;
            } else if (a.isDirectory() && dir.equals(root) && name.startsWith(".") && name.length() > 1) {
                // Maildir++: .A.B directly under the root.
                List<String> segments = new ArrayList<>();
                for (String s : name.substring(1).split("\\.", -1)) {
                    segments.add(decodeModifiedUtf7(s));
                }
                maildirFolder(root, entry, folderPath(segments), List.of(), folders, unread, seen);
            } else if (a.isDirectory() && !name.equals("cur") && !name.equals("new")) {
                // The fs layout: A/B nested (or a directory that is no folder: its files are named).
                List<String> segments = new ArrayList<>(fsSegments);
                segments.add(decodeModifiedUtf7(name));
                maildirFolder(root, entry, folderPath(segments), segments, folders, unread, seen);
            } else if (a.isRegularFile()) {
                if (!isMaildirMetadata(name)) {
                    unread.add(new Unread(entry, "not a message file (outside cur/ and new/)"));
                }
            } else if (!a.isDirectory()) {
                unread.add(new Unread(entry, "not a regular file"));
            }
        }
        if (isFolder) {
            addFolder(path, dir, messages, folders, unread, seen);
        }
    }

    private static long countMessageFiles(Path dir, List<Unread> unread) throws IOException {
        long count = 0;
        for (Path entry : list(dir)) {
            BasicFileAttributes a = attributes(entry);
            if (a.isSymbolicLink()) {
                unread.add(new Unread(entry, "symbolic link, not followed"));
            } else if (a.isRegularFile()) {
                count++;
            } else {
                unread.add(
                        new Unread(entry, a.isDirectory() ? "a directory inside cur/ or new/" : "not a regular file"));
            }
        }
        return count;
    }

    private static boolean isMaildirMetadata(String name) {
        return MAILDIR_METADATA.contains(name)
                || name.startsWith("dovecot.")
                || name.startsWith("dovecot-uidvalidity")
                || name.startsWith("mailsync")
                || name.endsWith(".lock");
    }

    /**
     * Modified UTF-7 (RFC 3501): {@code &...-} is base64 of UTF-16BE with {@code ,} for {@code /},
     * {@code &-} is {@code &}. A name that is not valid modified UTF-7 is taken as it is, as the
     * Maildir store does.
     */
    static String decodeModifiedUtf7(String name) {
        if (name.indexOf('&') < 0) {
            return name;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < name.length()) {
            char c = name.charAt(i);
            if (c != '&') {
                out.append(c);
                i++;
                continue;
            }
            int end = name.indexOf('-', i);
            if (end < 0) {
                return name;
            }
            if (end == i + 1) {
                out.append('&');
            } else {
                String b64 = name.substring(i + 1, end).replace(',', '/');
                try {
                    byte[] bytes = Base64.getDecoder().decode(b64 + "=".repeat((4 - b64.length() % 4) % 4));
                    if (bytes.length % 2 != 0) {
                        return name;
                    }
                    out.append(new String(bytes, StandardCharsets.UTF_16BE));
                } catch (IllegalArgumentException e) {
                    return name;
                }
            }
            i = end + 1;
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------- mbox

    /**
     * Counts an mbox tree: a single file is the inbox; in a directory each file is a folder named
     * by its path ({@code inbox} in any case is the inbox, a {@code Name.sbd} directory holds the
     * sub-folders of {@code Name} as Thunderbird keeps them). Thunderbird's {@code .msf}
     * summaries and {@code .lock} files are not mail; every other file that does not start with a
     * {@code From } line (after an optional BOM and blank lines) is named as unread.
     */
    public static SourceCensus mbox(Path root) throws IOException {
        List<Folder> folders = new ArrayList<>();
        List<Unread> unread = new ArrayList<>();
        Map<FolderPath, Path> seen = new LinkedHashMap<>();
        // The root is the user's choice and may be a link; below it, nothing is followed.
        if (Files.isRegularFile(root)) {
            mboxFile(root, List.of("INBOX"), folders, unread, seen);
        } else {
            mboxDirectory(root, List.of(), folders, unread, seen);
        }
        return new SourceCensus(folders, unread);
    }

    private static void mboxDirectory(
            Path dir, List<String> parent, List<Folder> folders, List<Unread> unread, Map<FolderPath, Path> seen)
            throws IOException {
        for (Path entry : list(dir)) {
            String name = entry.getFileName().toString();
            BasicFileAttributes a = attributes(entry);
            String lower = name.toLowerCase(Locale.ROOT);
            List<String> segments = new ArrayList<>(parent);
            if (a.isSymbolicLink()) {
                unread.add(new Unread(entry, "symbolic link, not followed"));
            } else if (a.isDirectory()) {
                segments.add(lower.endsWith(".sbd") && name.length() > 4 ? name.substring(0, name.length() - 4) : name);
                mboxDirectory(entry, segments, folders, unread, seen);
            } else if (a.isRegularFile()) {
                if (lower.endsWith(".msf") || lower.endsWith(".lock")) {
                    continue; // Thunderbird's summaries, lock files: not mail
                }
                segments.add(name);
                mboxFile(entry, segments, folders, unread, seen);
            } else {
                unread.add(new Unread(entry, "not a regular file"));
            }
        }
    }

    private static void mboxFile(
            Path file, List<String> segments, List<Folder> folders, List<Unread> unread, Map<FolderPath, Path> seen)
            throws IOException {
        long size = Files.size(file);
        long messages = countMboxMessages(file);
        if (messages < 0) {
            if (size > 0) {
                unread.add(new Unread(file, "not an mbox file (no From line at its start), " + size + " bytes"));
            }
            return; // an empty file holds no mail, whether or not it is listed as a folder
        }
        addFolder(folderPath(segments), file, messages, folders, unread, seen);
    }

    /**
     * The fewest messages the file can hold by mbox rules, or -1 if it does not start with a
     * {@code From } line (after an optional UTF-8 BOM and blank lines). A separator is a line
     * starting {@code From } at the start or after an empty line (quoted {@code >From } lines
     * are not); a {@code Content-Length} that frames its body exactly (ending at the end of the
     * file or before the next separator) hides any {@code From } lines inside the body, as a
     * reader that honours it does. Messages Thunderbird marked expunged (X-Mozilla-Status bit 8)
     * are not counted: readers leave them out.
     */
    static long countMboxMessages(Path file) throws IOException {
        long fileSize = Files.size(file);
        try (InputStream raw = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            LineReader in = new LineReader(new BufferedInputStream(raw, 1 << 16));
            byte[] line = in.next();
            if (line != null
                    && line.length >= 3
                    && (line[0] & 0xff) == 0xEF
                    && (line[1] & 0xff) == 0xBB
                    && (line[2] & 0xff) == 0xBF) {
                line = java.util.Arrays.copyOfRange(line, 3, line.length);
            }
            while (line != null && isBlank(line)) {
                line = in.next();
            }
            if (line == null || !startsWithFrom(line)) {
                return -1;
            }
            long count = 0;
            boolean previousBlank = true;
            long skipUntil = -1; // inside a body framed by Content-Length
            boolean inHeaders = false;
            long contentLength = -1;
            boolean expunged = false;
            while (line != null) {
                long lineStart = in.offset() - in.length();
                if (lineStart < skipUntil) {
                    line = in.next();
                    continue;
                }
                if (lineStart == skipUntil) {
                    previousBlank = true; // a framed body ends the message: a From line may follow at once
                }
                if (startsWithFrom(line) && (previousBlank || count == 0 && !inHeaders)) {
                    if (count > 0 && expunged) {
                        count--;
                    }
                    count++;
                    inHeaders = true;
                    contentLength = -1;
                    expunged = false;
                } else if (inHeaders) {
                    if (isBlank(line)) {
                        inHeaders = false;
                        long bodyStart = in.offset();
                        if (contentLength >= 0 && frames(channel, fileSize, bodyStart + contentLength)) {
                            skipUntil = bodyStart + contentLength;
                        }
                    } else {
                        String header = new String(line, 0, Math.min(line.length, 200), StandardCharsets.ISO_8859_1);
                        String lower = header.toLowerCase(Locale.ROOT);
                        if (lower.startsWith("content-length:")) {
                            contentLength = parseLong(header.substring(15).trim());
                        } else if (lower.startsWith("x-mozilla-status:")) {
                            long status = parseHex(header.substring(17).trim());
                            expunged = status >= 0 && (status & 0x0008) != 0;
                        }
                    }
                }
                previousBlank = isBlank(line);
                line = in.next();
            }
            if (count > 0 && expunged) {
                count--;
            }
            return count;
        }
    }

    /** Whether a body ending at {@code end} ends the message: the file ends, or a From line follows. */
    private static boolean frames(FileChannel channel, long size, long end) throws IOException {
        if (end == size) {
            return true;
        }
        if (end > size) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.allocate(7);
        channel.read(buf, end);
        byte[] b = java.util.Arrays.copyOf(buf.array(), buf.position());
        int i = 0;
        if (i < b.length && b[i] == '\r') {
            i++;
        }
        if (i < b.length && b[i] == '\n') {
            i++;
        }
        if (end + i == size) {
            return true;
        }
        return b.length - i >= 5 && new String(b, i, 5, StandardCharsets.ISO_8859_1).equals("From ");
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long parseHex(String s) {
        try {
            return Long.parseLong(s, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean startsWithFrom(byte[] line) {
        return line.length >= 5
                && line[0] == 'F'
                && line[1] == 'r'
                && line[2] == 'o'
                && line[3] == 'm'
                && line[4] == ' ';
    }

    private static boolean isBlank(byte[] line) {
        return line.length == 0 || (line.length == 1 && line[0] == '\r');
    }

    /** Lines by LF, without the LF; keeps at most the first 1,000 bytes of each (enough to classify it). */
    private static final class LineReader {
        private final InputStream in;
        private long offset;
        private long length; // of the last line, with its LF

        LineReader(InputStream in) {
            this.in = in;
        }

        byte @Nullable [] next() throws IOException {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(80);
            long n = 0;
            int c;
            while ((c = in.read()) >= 0) {
                n++;
                if (c == '\n') {
                    break;
                }
                if (line.size() < 1000) {
                    line.write(c);
                }
            }
            if (n == 0) {
                return null;
            }
            offset += n;
            length = n;
            return line.toByteArray();
        }

        /** Bytes read so far: the offset just after the last line. */
        long offset() {
            return offset;
        }

        long length() {
            return length;
        }
    }

    // ----------------------------------------------------------------------------------- shared

    private static @Nullable FolderPath folderPath(List<String> segments) {
        try {
            if (!segments.isEmpty() && segments.get(0).equalsIgnoreCase("INBOX")) {
                List<String> normal = new ArrayList<>(segments);
                normal.set(0, "INBOX"); // Thunderbird's Inbox.sbd holds the inbox's sub-folders
                return FolderPath.of(normal);
            }
            return FolderPath.of(segments);
        } catch (IllegalArgumentException e) {
            return null; // a name no folder can have (control characters, empty segments)
        }
    }

    // ---------------------------------------------------------------------------------- .eml trees

    /** Files a folder of {@code .eml} files holds that are not mail: the store's and the desktop's. */
    private static final Set<String> EML_DESKTOP_FILES = Set.of(".DS_Store", "Thumbs.db", "desktop.ini", ".localized");

    /**
     * Counts a tree of {@code .eml} files: every directory is a folder (named by its own name, or
     * by the {@code folder} line of its {@code .mailsync-eml} file), every {@code *.eml} file in it
     * (any case) a message; the inbox is a top-level directory named INBOX in any case, else the
     * root itself. Hidden directories, links, AppleDouble {@code ._} files and any other file are
     * named as unread; the store's own files and the desktop's are not mail.
     */
    public static SourceCensus eml(Path root) throws IOException {
        List<Folder> folders = new ArrayList<>();
        List<Unread> unread = new ArrayList<>();
        Map<FolderPath, Path> seen = new LinkedHashMap<>();
        Path inbox = null;
        // The root the user named is followed on purpose: the census counts what is really there, so
        // if the store (which follows no link) read nothing under a linked root, verify says so.
        if (Files.isDirectory(root)) {
            for (Path entry : list(root)) {
                BasicFileAttributes a = attributes(entry);
                if (a.isDirectory() && !a.isSymbolicLink() && "INBOX".equalsIgnoreCase(emlFolderName(entry))) {
                    inbox = entry;
                    break;
                }
            }
            emlFolder(root, root, inbox == null ? FolderPath.INBOX : null, inbox, folders, unread, seen);
        }
        return new SourceCensus(folders, unread);
    }

    private static void emlFolder(
            Path root,
            Path dir,
            @Nullable FolderPath path,
            @Nullable Path inbox,
            List<Folder> folders,
            List<Unread> unread,
            Map<FolderPath, Path> seen)
            throws IOException {
        long messages = 0;
        for (Path entry : list(dir)) {
            String name = entry.getFileName().toString();
            BasicFileAttributes a = attributes(entry);
            if (a.isSymbolicLink()) {
                unread.add(new Unread(entry, "symbolic link, not followed"));
            } else if (a.isDirectory()) {
                if (name.startsWith(".")) {
                    unread.add(new Unread(entry, "a hidden directory"));
                    continue;
                }
                FolderPath child;
                if (entry.equals(inbox)) {
                    child = FolderPath.INBOX;
                } else {
                    List<String> segments = new ArrayList<>(path == null ? List.of() : path.segments());
                    if (path != null && path.isInbox() && dir.equals(root)) {
                        segments = new ArrayList<>(); // the root as the inbox: its directories are top-level
                    }
                    segments.add(emlFolderName(entry));
                    child = folderPath(segments);
                }
                emlFolder(root, entry, child, inbox, folders, unread, seen);
            } else if (!a.isRegularFile()) {
                unread.add(new Unread(entry, "not a regular file"));
            } else if (name.startsWith(".mailsync-eml") || EML_DESKTOP_FILES.contains(name)) {
                continue;
            } else if (!name.toLowerCase(Locale.ROOT).endsWith(".eml") || name.startsWith("._")) {
                unread.add(new Unread(entry, "not a message file (.eml)"));
            } else if (path == null) {
                unread.add(new Unread(entry, "a message file in the root beside the INBOX directory"));
            } else {
                messages++;
            }
        }
        if (path != null) {
            addFolder(path, dir, messages, folders, unread, seen);
        }
    }

    /** A directory's folder name: the {@code folder} line of its sidecar, else its own name. */
    private static String emlFolderName(Path dir) {
        Path sidecar = dir.resolve(".mailsync-eml");
        try {
            if (Files.isRegularFile(sidecar, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes;
                // Opened with O_NOFOLLOW too: a link put in its place after the check is not read.
                try (InputStream in = Files.newInputStream(sidecar, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = in.readAllBytes();
                }
                for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                    if (line.startsWith("folder\t")) {
                        return unescapeEml(line.substring("folder\t".length()));
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // Unreadable or damaged: the directory's own name, as the store reads it then.
        }
        return dir.getFileName().toString();
    }

    private static String unescapeEml(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void addFolder(
            @Nullable FolderPath path,
            Path location,
            long messages,
            List<Folder> folders,
            List<Unread> unread,
            Map<FolderPath, Path> seen) {
        if (path == null) {
            if (messages > 0) {
                unread.add(new Unread(location, messages + " messages in a folder whose name cannot be represented"));
            }
            return;
        }
        Path other = seen.putIfAbsent(path, location);
        if (other != null) {
            if (messages > 0) {
                unread.add(new Unread(location, messages + " messages in a folder whose name is that of " + other));
            }
            return;
        }
        folders.add(new Folder(path, location, messages));
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean isRealDirectory(Path p) {
        return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The entries of a directory, sorted (so that reports are stable). */
    private static List<Path> list(Path dir) throws IOException {
        TreeMap<String, Path> sorted = new TreeMap<>();
        // A directory stream does not follow links in its entries; they are examined with
        // NOFOLLOW_LINKS by the callers.
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                sorted.put(p.getFileName().toString(), p);
            }
        }
        return new ArrayList<>(sorted.values());
    }
}
