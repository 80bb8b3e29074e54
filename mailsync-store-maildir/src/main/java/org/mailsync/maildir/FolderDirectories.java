package org.mailsync.maildir;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.mailsync.FolderPath;
import org.mailsync.maildir.internal.ModifiedUtf7;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps folder paths to directories and back, for one layout. Names are encoded per segment in
 * modified UTF-7; a directory whose name is not valid modified UTF-7 (written by a tool that
 * stores UTF-8) is listed under its name as it is and found again under that name.
 *
 * <p>Immutable and thread-safe.
 */
final class FolderDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(FolderDirectories.class);
    private static final Set<String> RESERVED = Set.of("cur", "new", "tmp");
    private static final int MAX_NAME_BYTES = 255;

    private final Path root;
    private final MaildirLayout layout;

    /** A folder found on disk: its path, its directory's segments as stored, and whether it holds mail. */
    record Found(FolderPath path, List<String> stored, boolean selectable) {}

    FolderDirectories(Path root, MaildirLayout layout) {
        this.root = root;
        this.layout = layout;
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
            stored.add(ModifiedUtf7.encode(segment));
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

    /**
     * Whether a directory holds a Maildir: {@code cur/} or {@code new/} (Dovecot's rule; git, which
     * keeps no empty directories, often leaves only one of them), never through a symbolic link.
     */
    static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur"), LinkOption.NOFOLLOW_LINKS)
                || Files.isDirectory(dir.resolve("new"), LinkOption.NOFOLLOW_LINKS);
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

    /** Every folder below the root (not the inbox), parents before children, with missing parents. */
    List<Found> scan() throws IOException {
        Map<FolderPath, Found> found = new TreeMap<>();
        if (layout == MaildirLayout.MAILDIR_PLUS_PLUS) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, ".*")) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.equals(".") || name.equals("..") || !Files.isDirectory(entry)) {
                        continue;
                    }
                    String[] stored = name.substring(1).split("\\.", -1);
                    add(found, ImmutableList.copyOf(stored), isMaildir(entry), entry);
                }
            }
        } else {
            walk(root, new ArrayList<>(), found, 0);
        }
        return addMissingParents(found);
    }

    private void walk(Path dir, List<String> prefix, Map<FolderPath, Found> found, int depth) throws IOException {
        if (depth > 64) {
            LOG.warn("{}: folders nested deeper than 64 levels are not listed", dir);
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (RESERVED.contains(name)) {
                    continue;
                }
                List<String> stored = new ArrayList<>(prefix);
                stored.add(name);
                if (add(found, stored, isMaildir(entry), entry)) {
                    walk(entry, stored, found, depth + 1);
                }
            }
        }
    }

    private boolean add(Map<FolderPath, Found> found, List<String> stored, boolean selectable, Path dir) {
        List<String> segments = new ArrayList<>(stored.size());
        for (String s : stored) {
            if (s.isEmpty()) {
                LOG.warn("{}: an empty name segment cannot be a folder; not listed", dir);
                return false;
            }
            segments.add(ModifiedUtf7.decode(s).orElse(s));
        }
        FolderPath path;
        try {
            path = FolderPath.of(segments);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: not a usable folder name ({}); not listed", dir, e.getMessage());
            return false;
        }
        if (path.isInbox()) {
            LOG.warn("{}: a folder named INBOX beside the root's inbox is not listed", dir);
            return false;
        }
        found.put(path, new Found(path, ImmutableList.copyOf(stored), selectable));
        return true;
    }

    private static List<Found> addMissingParents(Map<FolderPath, Found> found) {
        for (FolderPath path : List.copyOf(found.keySet())) {
            List<String> stored = found.get(path).stored();
            for (int depth = 1; depth < path.depth(); depth++) {
                FolderPath parent = FolderPath.of(path.segments().subList(0, depth));
                found.putIfAbsent(parent, new Found(parent, stored.subList(0, depth), false));
            }
        }
        return List.copyOf(found.values());
    }

    /** The folder as listed, if it is on disk; finds names stored as they are, too. */
    Optional<Found> find(FolderPath path) throws IOException {
        return scan().stream().filter(f -> f.path().equals(path)).findFirst();
    }
}
