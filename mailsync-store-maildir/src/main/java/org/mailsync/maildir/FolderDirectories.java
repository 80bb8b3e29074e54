package org.mailsync.maildir;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.mailsync.FolderPath;
import org.mailsync.SkippedItem;

/**
 * Maps folder paths to directories and back, for one layout, and accounts for every entry under the
 * root: each is a folder, a Maildir directory ({@code cur new tmp}), a control file of Maildir,
 * Dovecot or Courier ({@link #isControlFile}), or a {@link SkippedItem} with the reason. Symbolic
 * links are never followed: each one is skipped. Names are decoded per segment from modified UTF-7;
 * a directory whose name is not valid modified UTF-7 but reads as text (written by a tool that stores
 * UTF-8) is listed under its name as it is and found again under that name.
 *
 * <p>Immutable and thread-safe.
 */
final class FolderDirectories {
    private static final Set<String> RESERVED = Set.of("cur", "new", "tmp");
    private static final int MAX_NAME_BYTES = 255;
    private static final int MAX_DEPTH = 64;

    /** Files of Maildir, Dovecot and Courier that sit beside the mail; neither folders nor skipped. */
    static final Set<String> CONTROL_FILES = Set.of(
            "dovecot-uidlist",
            "dovecot-uidlist.lock",
            "dovecot-keywords",
            "dovecot-keywords.lock",
            "dovecot-uidvalidity",
            "dovecot-acl",
            "dovecot-acl-list",
            "dovecot-shared",
            "subscriptions",
            "subscriptions.lock",
            "maildirfolder",
            "maildirsize",
            ".dovecot.lda-dupes",
            ".dovecot.lda-dupes.lock");

    /** Prefixes of such files: Dovecot's indexes, logs and markers, Courier's files, our own temp files. */
    static final List<String> CONTROL_PREFIXES = List.of(
            "dovecot-uidvalidity.",
            "dovecot-uidlist.tmp-",
            "dovecot.index",
            "dovecot.list.index",
            "dovecot.mailbox.log",
            "courierimap");

    private final Path root;
    private final MaildirLayout layout;

    /** A folder found on disk: its path, its directory's segments as stored, and whether it holds mail. */
    record Found(FolderPath path, List<String> stored, boolean selectable) {}

    /** What a scan found: the folders, parents before children, and what it did not take. */
    record Scan(List<Found> folders, List<SkippedItem> skipped) {}

    FolderDirectories(Path root, MaildirLayout layout) {
        this.root = root;
        this.layout = layout;
    }

    /** Whether a name is one of the control files (not mail, not a folder). */
    static boolean isControlFile(String name) {
        return CONTROL_FILES.contains(name) || CONTROL_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /**
     * Whether a directory holds a Maildir: {@code cur/} or {@code new/} (Dovecot's rule; git, which
     * keeps no empty directories, often leaves only one of them), never through a symbolic link.
     */
    static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur"), LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(dir.resolve("new"), LinkOption.NOFOLLOW_LINKS);
    }

    /** A path as a report shows it: control characters escaped, so that it stays on one line. */
    static String printable(Path path) {
        String text = path.toString();
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static SkippedItem skippedItem(Path path, String reason) {
        return new SkippedItem(printable(path), reason);
    }

    static @Nullable BasicFileAttributes lstat(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * The segments as stored on disk for {@code path}.
     *
     * @throws IllegalArgumentException with the reason, if this layout cannot hold the name
     */
    List<String> encode(FolderPath path) {
        List<String> stored = new ArrayList<>(path.depth());
        for (String segment : path.segments()) {
            if (segment.indexOf('/') >= 0) {
                throw new IllegalArgumentException("a Maildir folder name cannot contain '/'");
            }
            if (layout == MaildirLayout.MAILDIR_PLUS_PLUS && segment.indexOf('.') >= 0) {
                throw new IllegalArgumentException(
                        "a Maildir++ folder name cannot contain '.', the layout's hierarchy separator (segment \""
                                + segment + "\")");
            }
            if (layout == MaildirLayout.FS && (segment.equals(".") || segment.equals(".."))) {
                throw new IllegalArgumentException("a folder name cannot be \"" + segment + "\" on disk");
            }
            if (layout == MaildirLayout.FS && RESERVED.contains(segment)) {
                throw new IllegalArgumentException(
                        "\"" + segment + "\" is reserved for Maildir's own directories in the fs layout");
            }
            String encoded = ModifiedUtf7.encode(segment);
            if (layout == MaildirLayout.FS && isControlFile(encoded)) {
                throw new IllegalArgumentException("\"" + segment + "\" is the name of a Maildir or Dovecot file");
            }
            stored.add(encoded);
        }
        int longest = layout == MaildirLayout.FS
                ? stored.stream().mapToInt(s -> s.length()).max().orElse(0)
                : 1 + String.join(".", stored).length();
        if (longest > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("the name is too long for a directory (" + longest
                    + " bytes encoded, at most " + MAX_NAME_BYTES + ")");
        }
        return stored;
    }

    /** The directory for a folder stored under these segments; the root for the inbox. */
    Path directory(List<String> stored) {
        if (stored.size() == 1 && stored.get(0).equals("INBOX")) {
            return root;
        }
        if (layout == MaildirLayout.MAILDIR_PLUS_PLUS) {
            return root.resolve("." + String.join(".", stored));
        }
        Path dir = root;
        for (String segment : stored) {
            dir = dir.resolve(segment);
        }
        return dir;
    }

    /**
     * The first symbolic link on the way from the root (exclusive: the root is the path the user
     * gave) down to {@code dir}, if any.
     */
    Optional<Path> linkOnTheWay(Path dir) {
        Path relative = root.relativize(dir);
        Path p = root;
        for (Path segment : relative) {
            p = p.resolve(segment);
            if (Files.isSymbolicLink(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Every folder below the root (not the inbox), parents before children, with missing parents;
     * and every entry under the root that is neither a folder, a Maildir directory nor a control
     * file, with the reason.
     */
    Scan scan() throws IOException {
        Map<FolderPath, Found> found = new TreeMap<>();
        Map<FolderPath, Path> directories = new TreeMap<>();
        List<SkippedItem> skipped = new ArrayList<>();
        account(root, List.of(), found, directories, skipped, 0);
        return new Scan(addMissingParents(found), List.copyOf(skipped));
    }

    /** Looks at each entry of a folder's directory ({@code stored} is empty for the root). */
    private void account(
            Path dir,
            List<String> stored,
            Map<FolderPath, Found> found,
            Map<FolderPath, Path> directories,
            List<SkippedItem> skipped,
            int depth)
            throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(null);
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            BasicFileAttributes a = lstat(entry);
            if (a == null) {
                continue; // removed since the directory was read
            }
            if (a.isSymbolicLink()) {
                skipped.add(skippedItem(entry, "a symbolic link; links are never followed"));
                continue;
            }
            if (name.equals("cur") || name.equals("new") || name.equals("tmp")) {
                if (!a.isDirectory()) {
                    skipped.add(skippedItem(entry, "not a directory, so no Maildir messages are read from it"));
                }
                continue;
            }
            if (isControlFile(name)) {
                continue;
            }
            boolean folderDirectory = a.isDirectory()
                    && (layout == MaildirLayout.FS
                            || (stored.isEmpty() && name.startsWith(".") && !name.equals(".") && !name.equals("..")));
            if (folderDirectory) {
                if (depth >= MAX_DEPTH) {
                    skipped.add(skippedItem(entry, "folders nested deeper than " + MAX_DEPTH + " levels are not read"));
                    continue;
                }
                List<String> segments = new ArrayList<>(stored);
                if (layout == MaildirLayout.FS) {
                    segments.add(name);
                } else {
                    segments.addAll(List.of(name.substring(1).split("\\.", -1)));
                }
                if (add(found, directories, skipped, segments, entry)) {
                    account(entry, segments, found, directories, skipped, depth + 1);
                }
                continue;
            }
            if (a.isDirectory()) {
                skipped.add(skippedItem(
                        entry,
                        (stored.isEmpty()
                                        ? "a directory that is not a Maildir++ folder (their names start with '.')"
                                        : "a directory inside a Maildir++ folder, which holds only cur, new and tmp")
                                + (isMaildir(entry)
                                        ? ", not read with everything below it; it holds a Maildir: is the tree in"
                                                + " the fs layout (MaildirLayout.FS)?"
                                        : ", not read with everything below it")));
            } else if (a.isRegularFile()) {
                skipped.add(skippedItem(
                        entry, "a file that is neither mail in cur/ or new/ nor a file of Maildir or Dovecot"));
            } else {
                skipped.add(skippedItem(entry, "a special file (FIFO, socket or device); not read"));
            }
        }
    }

    /** Takes a folder directory, or names it as skipped; true if it was taken. */
    private boolean add(
            Map<FolderPath, Found> found,
            Map<FolderPath, Path> directories,
            List<SkippedItem> skipped,
            List<String> stored,
            Path dir) {
        String below = layout == MaildirLayout.FS ? " (and everything below it)" : "";
        List<String> segments = new ArrayList<>(stored.size());
        for (String s : stored) {
            if (s.isEmpty()) {
                skipped.add(skippedItem(
                        dir, "an empty name segment (two dots in a row, or a dot at the end) cannot be a folder"));
                return false;
            }
            Optional<String> decoded = ModifiedUtf7.decode(s);
            if (decoded.isEmpty()
                    && !Files.exists(dir.resolveSibling(dir.getFileName().toString()), LinkOption.NOFOLLOW_LINKS)) {
                // The JVM could not decode the name's bytes (sun.jnu.encoding), so it cannot be found again.
                skipped.add(skippedItem(
                        dir,
                        "the name is neither modified UTF-7 nor text in this JVM's file name encoding ("
                                + System.getProperty("sun.jnu.encoding") + ")" + below));
                return false;
            }
            segments.add(decoded.orElse(s));
        }
        FolderPath path;
        try {
            path = FolderPath.of(segments);
        } catch (IllegalArgumentException e) {
            skipped.add(skippedItem(dir, "not a usable folder name: " + e.getMessage() + below));
            return false;
        }
        if (path.isInbox()) {
            skipped.add(skippedItem(
                    dir,
                    "a folder named INBOX beside the root, which is the inbox: not read (rename the directory"
                            + " to read it)"));
            return false;
        }
        Path other = directories.get(path);
        if (other != null) {
            skipped.add(skippedItem(
                    dir, "names the same folder (" + path + ") as " + printable(other) + ", which is read"));
            return false;
        }
        directories.put(path, dir);
        found.put(path, new Found(path, ImmutableList.copyOf(stored), isMaildir(dir)));
        return true;
    }

    private static List<Found> addMissingParents(Map<FolderPath, Found> found) {
        for (FolderPath path : List.copyOf(found.keySet())) {
            List<String> stored = requireNonNull(found.get(path)).stored();
            for (int depth = 1; depth < path.depth(); depth++) {
                FolderPath parent = FolderPath.of(path.segments().subList(0, depth));
                if (!parent.isInbox()) {
                    found.putIfAbsent(parent, new Found(parent, stored.subList(0, depth), false));
                }
            }
        }
        return List.copyOf(found.values());
    }

    /** The folder as listed, if it is on disk; finds names stored as they are, too. */
    Optional<Found> find(FolderPath path) throws IOException {
        return scan().folders().stream().filter(f -> f.path().equals(path)).findFirst();
    }
}
