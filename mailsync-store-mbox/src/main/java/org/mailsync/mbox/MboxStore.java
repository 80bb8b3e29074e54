package org.mailsync.mbox;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.mailsync.Capability;
import org.mailsync.ErrorContext;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSpool;
import org.mailsync.SkippedItem;
import org.mailsync.StoreCapabilities;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.support.DotLock;

/**
 * A store over mbox files: a directory of them (hierarchy as plain directories or Thunderbird's
 * {@code Name.sbd}, see {@link MboxLayout}), or a single file that is the INBOX. Symbolic links
 * under the root are never followed nor written through; files it creates are 0600, directories
 * 0700; everything under the root it does not read is named in {@link #skipped()}.
 *
 * <p>Reading detects the variant per message (a {@code Content-Length} that frames the body means
 * mboxcl2, otherwise mboxrd unescaping) unless {@link Builder#readFormat} forces one; writing uses
 * {@link Builder#format} (by default what the layout's readers expect). Message bytes are never decoded: the flag headers
 * ({@code Status}, {@code X-Status}, {@code X-Keywords}, {@code X-UID}, {@code X-IMAPbase}, {@code
 * X-Mozilla-*}) are taken out on reading and written anew, LF files are converted to and from
 * CRLF, and every other byte is kept. Ids come from {@code X-UID}/{@code X-IMAPbase} where present
 * (Dovecot, c-client, and every file this store wrote or rewrote), else from the message's
 * position; see {@link MboxScanReport} for what reading a file recovered from.
 *
 * <p>Appends go to the end of the file under a dot-lock and an fcntl lock, with one fsync per
 * batch, journaled so that an interrupted append is cut off again by the next writer; flag changes
 * and deletions rewrite the file into a temp file and rename it.
 *
 * <p>Thread-safe. Each {@link MailFolder} it opens is confined to one thread.
 */
public final class MboxStore implements MailStore {
    private static final StoreCapabilities CAPABILITIES =
            StoreCapabilities.of(Capability.KEYWORDS, Capability.APPEND_UID, Capability.BATCH_APPEND);

    private final Path root;
    private final boolean singleFile;
    private final String account;
    private final MboxConfig config;
    private final Map<FolderPath, MboxScanReport> reports = new ConcurrentHashMap<>();
    private final Map<FolderPath, List<String>> notes = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private MboxStore(Path root, boolean singleFile, String account, MboxConfig config) {
        this.root = root;
        this.singleFile = singleFile;
        this.account = account;
        this.config = config;
    }

    /** A builder; {@link Builder#root} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String account() {
        return account;
    }

    /** Keywords and append ids; batches append under one lock and fsync. No modseqs. */
    @Override
    public StoreCapabilities capabilities() {
        return CAPABILITIES;
    }

    MboxConfig config() {
        return config;
    }

    /** Refuses to write to {@code file} through a link, or to one that is not a regular file. */
    void checkWritable(Path file) throws IOException {
        if (!singleFile) {
            PrivateFiles.checkRegularFileBelow(root, file);
        }
    }

    /** Creates the directories above a folder's file (0700), refusing links among them. */
    void createParents(Path file) throws IOException {
        if (!singleFile) {
            PrivateFiles.createDirectories(root, file.getParent());
        }
    }

    /** Remembers something a writer repaired in a folder's file, for its warnings. */
    void note(FolderPath path, String note) {
        notes.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(note);
    }

    List<String> notes(FolderPath path) {
        return List.copyOf(notes.getOrDefault(path, List.of()));
    }

    void checkOpen() {
        checkState(!closed, "store %s is closed", account);
    }

    void report(FolderPath path, MboxIndex index) {
        reports.put(
                path,
                new MboxScanReport(
                        path, config.includeThunderbirdDeleted() ? 0 : index.thunderbirdExpunged, index.problems));
    }

    /**
     * What the latest reading of a folder's file found: how many Thunderbird-deleted messages it
     * left out, and the damaged spots it recovered from. Reads the file if no folder of this store
     * has yet.
     *
     * @throws FolderUnusableException if the folder does not exist or is not an mbox file
     */
    public MboxScanReport scanReport(FolderPath path) throws MailStoreException {
        MboxScanReport report = reports.get(path);
        if (report != null) {
            return report;
        }
        try (MboxFolder folder = (MboxFolder) openFolder(path)) {
            folder.index();
        }
        return reports.getOrDefault(path, new MboxScanReport(path, 0, List.of()));
    }

    /**
     * How many messages of a folder Thunderbird had deleted (expunged, not yet compacted) and this
     * store therefore left out; 0 when {@link Builder#includeThunderbirdDeleted} is on.
     */
    public long thunderbirdDeletedLeftOut(FolderPath path) throws MailStoreException {
        return scanReport(path).thunderbirdDeletedLeftOut();
    }

    // ---- folders and files

    /** The layout this store uses: given to the builder, else detected when it was built. */
    public MboxLayout layout() {
        return config.layout();
    }

    private boolean sbd() {
        return config.layout().sbd();
    }

    private String inboxName() {
        return config.layout() == MboxLayout.THUNDERBIRD ? "Inbox" : "inbox";
    }

    /** The file of a folder; refuses names that cannot be held safely on disk. */
    Path fileFor(FolderPath path) throws FolderUnusableException {
        if (singleFile) {
            if (!path.isInbox()) {
                throw new FolderUnusableException(
                        ErrorContext.of(account, path), "a single-file mbox store holds only INBOX", null);
            }
            return root;
        }
        List<String> segments = new ArrayList<>(path.segments());
        for (String segment : segments) {
            checkSegment(path, segment);
        }
        if (segments.get(0).equalsIgnoreCase("INBOX")) {
            if (!sbd() && segments.size() > 1) {
                throw new FolderUnusableException(
                        ErrorContext.of(account, path),
                        "in the plain-directory layout INBOX is a file and cannot have sub-folders",
                        null);
            }
            segments.set(0, existingInboxName());
        }
        Path p = root;
        for (int i = 0; i < segments.size(); i++) {
            boolean last = i == segments.size() - 1;
            p = p.resolve(sbd() && !last ? segments.get(i) + ".sbd" : segments.get(i));
        }
        checkState(p.normalize().startsWith(root.normalize()), "path %s escapes %s", p, root);
        return p;
    }

    /** The inbox's name as on disk (any case), else the layout's usual name. */
    private String existingInboxName() {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                String base = sbd() && name.toLowerCase(Locale.ROOT).endsWith(".sbd")
                        ? name.substring(0, name.length() - 4)
                        : name;
                if (base.equalsIgnoreCase("inbox")) {
                    return base;
                }
            }
        } catch (IOException missing) {
            // no root yet: the inbox gets the layout's usual name
        }
        return inboxName();
    }

    private void checkSegment(FolderPath path, String segment) throws FolderUnusableException {
        String why = null;
        if (segment.equals(".") || segment.equals("..")) {
            why = "\"" + segment + "\" would leave the folder tree";
        } else if (segment.contains("/") || segment.contains("\\")) {
            why = "a folder name cannot contain a path separator on disk";
        } else if (segment.startsWith(".")) {
            why = "a name starting with a dot would be a hidden file (locks, indexes)";
        } else if (segment.toLowerCase(Locale.ROOT).endsWith(".lock")) {
            why = "a name ending in .lock would be taken for a dot-lock";
        } else if (sbd()
                && (segment.toLowerCase(Locale.ROOT).endsWith(".sbd")
                        || segment.toLowerCase(Locale.ROOT).endsWith(".msf"))) {
            why = "this layout keeps sub-folders in .sbd directories, and .msf files are Thunderbird's indexes";
        } else if (segment.getBytes(StandardCharsets.UTF_8).length > 250) {
            why = "the name is too long for a file name";
        }
        if (why != null) {
            throw new FolderUnusableException(ErrorContext.of(account, path), "cannot hold this name: " + why, null);
        }
    }

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        checkOpen();
        return scanTree().folders;
    }

    /**
     * Everything under the root that is not read as a folder, with the reason: files that are not
     * mbox, Thunderbird's indexes, symbolic links (never followed), FIFOs and other special files,
     * hidden files and directories (other programs' indexes), names that cannot be folder names.
     * Lock files and this store's own append journals are not listed: they are not content.
     */
    @Override
    public List<SkippedItem> skipped() throws MailStoreException {
        checkOpen();
        return scanTree().skipped;
    }

    private record Tree(List<FolderInfo> folders, List<SkippedItem> skipped) {}

    private Tree scanTree() throws MailStoreException {
        List<FolderInfo> out = new ArrayList<>();
        List<SkippedItem> skipped = new ArrayList<>();
        out.add(FolderInfo.of(FolderPath.INBOX));
        if (singleFile || !Files.isDirectory(root)) {
            return new Tree(out, skipped);
        }
        try {
            walk(root, null, out, skipped);
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(account), "cannot list " + root + ": " + e, e);
        }
        return new Tree(List.copyOf(out), List.copyOf(skipped));
    }

    private void skip(List<SkippedItem> skipped, Path p, String reason) {
        skipped.add(new SkippedItem(root.relativize(p).toString(), reason));
    }

    private void walk(Path dir, @Nullable FolderPath parent, List<FolderInfo> out, List<SkippedItem> skipped)
            throws IOException {
        Map<String, Path> files = new TreeMap<>();
        Map<String, Path> dirs = new TreeMap<>();
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        entries.sort(null);
        for (Path p : entries) {
            String name = p.getFileName().toString();
            if (DotLock.isLockFileName(name) || AppendJournal.isJournalName(name)) {
                continue; // transient files of mail programs and of this store: not content
            }
            if (isIndexOfAMailProgram(name)) {
                // Thunderbird's .msf summaries, Dovecot's .imap index directory and .subscriptions:
                // rebuilt from the mbox files by their programs, holding no mail of their own.
                continue;
            }
            BasicFileAttributes a = PrivateFiles.attributes(p);
            if (a == null) {
                continue; // gone since the directory was read
            }
            if (a.isSymbolicLink()) {
                skip(skipped, p, "a symbolic link; mailsync never follows links");
            } else if (name.startsWith(".")) {
                skip(
                        skipped,
                        p,
                        "a hidden " + (a.isDirectory() ? "directory" : "file")
                                + " (another program's index or state), not a folder");
            } else if (a.isDirectory()) {
                if (!sbd()) {
                    dirs.put(name, p);
                } else if (name.toLowerCase(Locale.ROOT).endsWith(".sbd") && name.length() > 4) {
                    dirs.put(name.substring(0, name.length() - 4), p);
                } else {
                    skip(
                            skipped,
                            p,
                            "a directory that is not a Name.sbd sub-folder directory (layout " + config.layout() + ")");
                }
            } else if (!a.isRegularFile()) {
                skip(skipped, p, "not a regular file (a FIFO, socket or device)");
            } else {
                String why = notMboxReason(p);
                if (why == null) {
                    files.put(name, p);
                } else {
                    skip(skipped, p, why);
                }
            }
        }
        TreeSet<String> names = new TreeSet<>(files.keySet());
        names.addAll(dirs.keySet());
        if (parent == null) {
            // INBOX first (already listed), then its sub-folders.
            for (String name : List.copyOf(names)) {
                if (name.equalsIgnoreCase("inbox")) {
                    names.remove(name);
                    if (dirs.containsKey(name)) {
                        walk(dirs.get(name), FolderPath.INBOX, out, skipped);
                    }
                }
            }
        }
        for (String name : names) {
            FolderPath path;
            try {
                path = parent == null ? FolderPath.of(name) : parent.child(name);
            } catch (IllegalArgumentException unnamable) {
                Path p = requireNonNull(files.containsKey(name) ? files.get(name) : dirs.get(name));
                skip(skipped, p, "a name that cannot be a folder name (control characters)");
                continue;
            }
            boolean selectable = files.containsKey(name);
            out.add(new FolderInfo(path, selectable, null, true));
            if (dirs.containsKey(name)) {
                walk(dirs.get(name), path, out, skipped);
            }
        }
    }

    /** How far into a file its first {@code From } line may be looked for (blank lines, a BOM). */
    private static final int HEAD_LIMIT = 64 * 1024;

    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /**
     * Null if the file is an mbox: empty, or its first line that is not blank (after an optional
     * UTF-8 byte order mark) is a {@code From } line; else why it is not one. So Thunderbird's
     * {@code .dat} files and other non-mail files are not folders.
     */
    /** Index and state files that mail programs keep beside mbox files; they hold no mail. */
    static boolean isIndexOfAMailProgram(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".msf") || name.equals(".imap") || name.equals(".subscriptions");
    }

    static @Nullable String notMboxReason(Path file) throws IOException {
        byte[] head;
        try (FileChannel ch = PrivateFiles.openForReading(file);
                InputStream in = Channels.newInputStream(ch)) {
            head = in.readNBytes(HEAD_LIMIT);
        }
        if (MboxScanner.looksLikeMbox(head)) {
            return null; // the scanner reads it, skipping and noting a BOM and blank lines
        }
        int at = head.length >= 3 && Arrays.equals(head, 0, 3, UTF8_BOM, 0, 3) ? 3 : 0;
        while (at < head.length) {
            int lineEnd = at;
            while (lineEnd < head.length && head[lineEnd] != '\n') {
                lineEnd++;
            }
            if (!new String(head, at, lineEnd - at, StandardCharsets.ISO_8859_1).isBlank()) {
                return "not an mbox file (its first line is not a \"From \" line: \""
                        + printable(head, at, Math.min(lineEnd, at + 40)) + "\")";
            }
            at = lineEnd + 1;
        }
        return head.length < HEAD_LIMIT
                ? "not an mbox file (only blank lines)"
                : "not an mbox file (no \"From \" line in its first " + HEAD_LIMIT + " bytes)";
    }

    private static String printable(byte[] bytes, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            int b = bytes[i] & 0xff;
            out.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format(Locale.ROOT, "\\x%02x", b));
        }
        return out.toString();
    }

    /**
     * Creates the folder's file; its parents are created as parents only (a {@code .sbd} directory
     * in the Thunderbird-style layouts, a directory in the plain one), never as empty folders. Safe
     * to call for a folder and its sub-folders at once, in any order, from several threads.
     */
    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        Path file = fileFor(path);
        if (singleFile) {
            return;
        }
        try {
            if (!sbd()) {
                for (Path dir = file.getParent();
                        dir != null && !dir.equals(root) && dir.startsWith(root);
                        dir = dir.getParent()) {
                    BasicFileAttributes a = PrivateFiles.attributes(dir);
                    if (a != null && a.isRegularFile()) {
                        throw new FolderUnusableException(
                                ErrorContext.of(account, path),
                                dir.getFileName() + " is an mbox file: in the plain-directory layout a folder holds"
                                        + " either messages or sub-folders (this tree was found in that layout)",
                                null);
                    }
                }
                BasicFileAttributes a = PrivateFiles.attributes(file);
                if (a != null && a.isDirectory()) {
                    throw new FolderUnusableException(
                            ErrorContext.of(account, path),
                            file.getFileName() + " is a directory of sub-folders: in the plain-directory layout a"
                                    + " folder holds either messages or sub-folders (this tree was found in that"
                                    + " layout)",
                            null);
                }
            }
            PrivateFiles.createDirectories(root, file.getParent());
            PrivateFiles.createFile(file);
        } catch (MailStoreException e) {
            throw e;
        } catch (PrivateFiles.RefusedPathException e) {
            throw new FolderUnusableException(ErrorContext.of(account, path), e.getMessage(), e);
        } catch (IOException e) {
            throw new FolderUnusableException(ErrorContext.of(account, path), "cannot create " + file + ": " + e, e);
        }
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        Path file = fileFor(path);
        BasicFileAttributes a;
        try {
            if (!singleFile) {
                PrivateFiles.checkNoLinksBelow(root, file.getParent());
            }
            a = PrivateFiles.attributes(file);
        } catch (IOException e) {
            throw new FolderUnusableException(ErrorContext.of(account, path), e.getMessage(), e);
        }
        if (a != null && a.isDirectory()) {
            throw new FolderUnusableException(
                    ErrorContext.of(account, path), "holds sub-folders only (" + file + " is a directory)", null);
        }
        if (a != null && !a.isRegularFile() && !(singleFile && Files.isRegularFile(root))) {
            throw new FolderUnusableException(
                    ErrorContext.of(account, path),
                    file + " is " + PrivateFiles.kind(a) + ", not an mbox file; mailsync never follows links",
                    null);
        }
        if (!path.isInbox() && a == null) {
            throw new FolderUnusableException(ErrorContext.of(account, path), "no such folder (" + file + ")", null);
        }
        return new MboxFolder(this, path, file);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "MboxStore[" + account + "]";
    }

    /** Builds an {@link MboxStore}; each setting may be given once. Not thread-safe. */
    public static final class Builder {
        private @Nullable Path root;
        private @Nullable String account;
        private @Nullable MboxLayout layout;
        private @Nullable MboxFormat format;
        private @Nullable MboxFormat readFormat;
        private @Nullable LineEnding lineEnding;
        private @Nullable Boolean includeThunderbirdDeleted;
        private @Nullable Clock clock;
        private @Nullable Duration lockTimeout;
        private @Nullable MessageSpool spool;

        private Builder() {}

        /**
         * A directory of mbox files (created when a folder is first created or written), or an
         * existing mbox file, which then is the store's only folder, INBOX. Required.
         */
        public Builder root(Path path) {
            checkState(root == null, "root was already set to %s", root);
            this.root = checkNotNull(path, "root");
            return this;
        }

        /** How the store names itself in errors and reports; {@code mbox:ROOT} by default. */
        public Builder account(String name) {
            checkState(account == null, "account was already set to %s", account);
            checkArgument(!name.isBlank(), "account name must not be blank");
            this.account = name;
            return this;
        }

        /**
         * How folders map to files. By default an existing tree's layout is detected and kept, and
         * a new one is written as {@link MboxLayout#SBD_DIRECTORIES} (see {@link MboxLayout}).
         */
        public Builder layout(MboxLayout value) {
            checkState(layout == null, "layout was already set to %s", layout);
            this.layout = checkNotNull(value, "layout");
            return this;
        }

        /**
         * The variant written. By default what the readers of the layout expect: {@link
         * MboxFormat#MBOXCL2} beside the Dovecot/c-client status headers of {@link
         * MboxLayout#PLAIN_DIRECTORIES} (Dovecot and mutt frame by Content-Length and never unquote
         * {@code >From}), {@link MboxFormat#MBOXRD} in the {@link MboxLayout#THUNDERBIRD} layout
         * (Thunderbird splits at every {@code From } line and ignores Content-Length).
         */
        public Builder format(MboxFormat value) {
            checkState(format == null, "format was already set to %s", format);
            this.format = checkNotNull(value, "format");
            return this;
        }

        /** Forces the variant read, instead of detecting it per message. */
        public Builder readFormat(MboxFormat value) {
            checkState(readFormat == null, "read format was already set to %s", readFormat);
            this.readFormat = checkNotNull(value, "read format");
            return this;
        }

        /** The line end written; {@link LineEnding#LF} by default. Reading follows each file. */
        public Builder lineEnding(LineEnding value) {
            checkState(lineEnding == null, "line ending was already set to %s", lineEnding);
            this.lineEnding = checkNotNull(value, "line ending");
            return this;
        }

        /**
         * Whether messages Thunderbird marked deleted (X-Mozilla-Status 0x0008, not yet compacted)
         * are read; false by default, and {@link MboxStore#thunderbirdDeletedLeftOut} counts them.
         */
        public Builder includeThunderbirdDeleted(boolean value) {
            checkState(
                    includeThunderbirdDeleted == null,
                    "includeThunderbirdDeleted was already set to %s",
                    includeThunderbirdDeleted);
            this.includeThunderbirdDeleted = value;
            return this;
        }

        /** The clock for lock timeouts; the system clock by default. */
        public Builder clock(Clock value) {
            checkState(clock == null, "clock was already set");
            this.clock = checkNotNull(value, "clock");
            return this;
        }

        /** How long a writer waits for another's lock; 30 seconds by default. */
        public Builder lockTimeout(Duration value) {
            checkState(lockTimeout == null, "lock timeout was already set to %s", lockTimeout);
            checkArgument(!value.isNegative(), "lock timeout must not be negative, not %s", value);
            this.lockTimeout = value;
            return this;
        }

        /** Where read messages are held (memory up to a threshold, then a temp file). */
        public Builder spool(MessageSpool value) {
            checkState(spool == null, "spool was already set");
            this.spool = checkNotNull(value, "spool");
            return this;
        }

        /**
         * Content-Length framing (mboxcl2) wherever readers honour it (Dovecot, mutt, c-client),
         * so {@code From } lines in bodies stay unquoted and unchanged; mboxrd for Thunderbird,
         * which splits at every {@code From } line and ignores Content-Length.
         */
        private static MboxFormat defaultFormat(MboxLayout layout) {
            return layout == MboxLayout.THUNDERBIRD ? MboxFormat.MBOXRD : MboxFormat.MBOXCL2;
        }

        /**
         * The layout of an existing tree: Thunderbird's if a {@code .msf} index is anywhere in it,
         * else {@code .sbd} directories if there is one, else plain directories if there is any
         * other (not hidden) sub-directory; a tree without sub-directories gets {@link
         * MboxLayout#SBD_DIRECTORIES}, which holds any tree. Links are not followed.
         */
        static MboxLayout detectLayout(Path root) {
            boolean[] seen = new boolean[3]; // msf, sbd, plain directory
            try {
                detect(root, seen, 0);
            } catch (IOException unreadable) {
                // listing will say what cannot be read; the layout is decided by what was seen
            }
            if (seen[0]) {
                return MboxLayout.THUNDERBIRD;
            }
            if (seen[1]) {
                return MboxLayout.SBD_DIRECTORIES;
            }
            return seen[2] ? MboxLayout.PLAIN_DIRECTORIES : MboxLayout.SBD_DIRECTORIES;
        }

        private static void detect(Path dir, boolean[] seen, int depth) throws IOException {
            if (!Files.isDirectory(dir) || depth > 64) {
                return;
            }
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path p : stream) {
                    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    BasicFileAttributes a = PrivateFiles.attributes(p);
                    if (a == null || a.isSymbolicLink() || name.startsWith(".")) {
                        continue;
                    }
                    if (a.isRegularFile() && name.endsWith(".msf")) {
                        seen[0] = true;
                    } else if (a.isDirectory()) {
                        seen[name.endsWith(".sbd") ? 1 : 2] = true;
                        detect(p, seen, depth + 1);
                    }
                }
            }
        }

        /** The store. */
        public MboxStore build() {
            checkState(root != null, "root must be set");
            boolean single = Files.isRegularFile(root);
            MboxLayout l = layout != null ? layout : single ? MboxLayout.PLAIN_DIRECTORIES : detectLayout(root);
            checkArgument(
                    !(single && l == MboxLayout.THUNDERBIRD),
                    "root %s is a single file; the Thunderbird layout needs a directory",
                    root);
            checkArgument(
                    single || !Files.exists(root) || Files.isDirectory(root),
                    "root %s is neither file nor directory",
                    root);
            Path absolute = root.toAbsolutePath().normalize();
            if (single) {
                // A root that is a link is the user's choice: follow it once, here, since the file
                // itself is then opened without following links.
                try {
                    absolute = absolute.toRealPath();
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot resolve root " + root + ": " + e, e);
                }
            }
            return new MboxStore(
                    absolute,
                    single,
                    account != null ? account : "mbox:" + absolute,
                    new MboxConfig(
                            l,
                            format != null ? format : defaultFormat(l),
                            readFormat,
                            lineEnding != null ? lineEnding : LineEnding.LF,
                            includeThunderbirdDeleted != null && includeThunderbirdDeleted,
                            clock != null ? clock : Clock.systemUTC(),
                            lockTimeout != null ? lockTimeout : Duration.ofSeconds(30),
                            spool != null ? spool : MessageSpool.defaults()));
        }
    }
}
