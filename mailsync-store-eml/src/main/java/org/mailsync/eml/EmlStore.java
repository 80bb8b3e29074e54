package org.mailsync.eml;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
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
import org.mailsync.spi.support.CrlfInputStream;
import org.mailsync.spi.support.DurableFiles;
import org.mailsync.spi.support.Headers;
import org.mailsync.spi.support.MailDates;

/**
 * A tree of folders holding one message per {@code .eml} file, as backup tools, desktop clients
 * (messages dragged out of Outlook or Thunderbird) and exporters write them; source and target.
 *
 * <pre>{@code
 * MailStore source = EmlStore.builder().root(Path.of("/mnt/backup/alice")).readOnly(true).build();
 * MailStore target = EmlStore.builder().root(Path.of("/srv/export/alice")).build();
 * }</pre>
 *
 * <p><b>Folders</b> are directories; the inbox is a top-level directory named {@code INBOX} (any
 * case), or, where there is none, the {@code .eml} files lying in the root itself. <b>Messages</b>
 * are the {@code *.eml} files (any case) of a directory; each is a message, its bytes unchanged,
 * except that a file mailsync did not write is served with each bare LF made CRLF (the Maildir
 * store's rule, what IMAP servers do). Everything else under the root is named in {@link
 * #skipped()} or {@link MailFolder#skipped()} with its reason, except the store's own sidecar
 * files and the desktop's ({@code .DS_Store}, {@code Thumbs.db}, {@code desktop.ini}). Symbolic
 * links are never followed, read or written through.
 *
 * <p><b>Ids</b>: a file the store wrote has the id recorded in its folder's sidecar ({@code
 * .mailsync-eml}, see EML.md). Any other file's id is derived from its bytes (SHA-256), so it is
 * the same on every pass without anything written into a source, a renamed file keeps it, and a
 * changed file is a new message. Reading such a tree reads each file once per store instance.
 *
 * <p><b>Writing</b>: names from the date and subject, safe on Windows and macOS; temp file, fsync,
 * rename; files 0600, directories 0700; the internal date as the file's modification time; flags
 * and keywords in the sidecar, which is written (durably) before the message's file is renamed
 * into place, so a crash between the two loses nothing and copies nothing twice.
 *
 * <p>Thread-safe; writes to one folder are serialised within this process. One process writes a
 * tree at a time (the engine's checkpoint lock sees to that for a sync).
 */
public final class EmlStore implements MailStore {
    /** Names the desktop puts into folders by itself: not mail, not reported. */
    static final Set<String> DESKTOP_FILES = Set.of(".DS_Store", "Thumbs.db", "desktop.ini", ".localized");

    /** Files a folder holds for the store: the sidecar, its temp files and message temp files. */
    static final String CONTROL_PREFIX = ".mailsync-eml";

    private static final int MAX_DEPTH = 64;

    private final Path root;
    private final boolean readOnly;
    private final boolean fsync;
    private final MessageSpool spool;
    private final Clock clock;
    private final String account;
    private final AtomicLong lastGeneration = new AtomicLong();
    private final Map<Path, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** What reading each foreign file told, bounded: a tree of millions of files is read again, not held. */
    private final com.google.common.cache.Cache<Path, FileFacts> facts =
            com.google.common.cache.CacheBuilder.newBuilder()
                    .maximumSize(500_000)
                    .build();

    private final java.util.function.Consumer<String> crashPoint;
    private volatile List<SkippedItem> skipped = List.of();
    private volatile boolean closed;

    private EmlStore(Builder b) {
        this.root = checkNotNull(b.root, "root is not set").toAbsolutePath().normalize();
        this.readOnly = b.readOnly;
        this.fsync = b.fsync;
        this.spool = b.spool;
        this.clock = b.clock;
        this.crashPoint = b.crashPoint;
        this.account = "eml:" + root;
    }

    /** A builder; {@link Builder#root} is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String account() {
        return account;
    }

    @Override
    public StoreCapabilities capabilities() {
        return readOnly
                ? StoreCapabilities.of(Capability.KEYWORDS)
                : StoreCapabilities.of(Capability.KEYWORDS, Capability.APPEND_UID);
    }

    // ---- folders

    /** A folder found under the root: its path and directory. */
    record Found(FolderPath path, Path dir) {}

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        checkOpen();
        List<SkippedItem> notFolders = new ArrayList<>();
        List<FolderInfo> out = new ArrayList<>();
        try {
            for (Found f : walk(notFolders)) {
                out.add(FolderInfo.of(f.path()));
            }
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(account), "cannot read " + root + ": " + e, e);
        }
        skipped = List.copyOf(notFolders);
        return out;
    }

    @Override
    public List<SkippedItem> skipped() {
        return skipped;
    }

    /** Every folder, parents before children, INBOX first; what is not a folder goes to {@code notFolders}. */
    private List<Found> walk(List<SkippedItem> notFolders) throws IOException {
        List<Found> found = new ArrayList<>();
        if (lstat(root) == null) {
            found.add(new Found(FolderPath.INBOX, root));
            return found;
        }
        Map<String, Path> children = folderDirectories(root, notFolders, null);
        Path inbox = null;
        for (Map.Entry<String, Path> e : children.entrySet()) {
            if (e.getKey().equalsIgnoreCase("INBOX")) {
                if (inbox == null) {
                    inbox = e.getValue();
                } else {
                    notFolders.add(skippedItem(e.getValue(), "a second folder named INBOX; rename it to read it"));
                }
            }
        }
        if (inbox != null) {
            // The root's own files are no folder's: each is named.
            for (Path p : entries(root)) {
                String name = p.getFileName().toString();
                BasicFileAttributes a = lstat(p);
                if (a == null || a.isDirectory() || isControl(name)) {
                    continue;
                }
                notFolders.add(skippedItem(
                        p,
                        a.isSymbolicLink()
                                ? "a symbolic link; links are never followed"
                                : "a file in the root beside the INBOX directory; move it into a folder to read it"));
            }
        }
        found.add(new Found(FolderPath.INBOX, inbox == null ? root : inbox));
        for (Map.Entry<String, Path> e : children.entrySet()) {
            if (e.getKey().equalsIgnoreCase("INBOX")) {
                if (e.getValue().equals(inbox)) {
                    walkBelow(FolderPath.INBOX, e.getValue(), 1, found, notFolders);
                }
                continue;
            }
            FolderPath path = FolderPath.of(e.getKey());
            found.add(new Found(path, e.getValue()));
            walkBelow(path, e.getValue(), 1, found, notFolders);
        }
        return found;
    }

    private void walkBelow(FolderPath parent, Path dir, int depth, List<Found> found, List<SkippedItem> notFolders)
            throws IOException {
        Map<String, Path> children = folderDirectories(dir, notFolders, null);
        for (Map.Entry<String, Path> e : children.entrySet()) {
            if (depth >= MAX_DEPTH) {
                notFolders.add(skippedItem(e.getValue(), "folders nested deeper than " + MAX_DEPTH + " are not read"));
                continue;
            }
            FolderPath path = parent.child(e.getKey());
            found.add(new Found(path, e.getValue()));
            walkBelow(path, e.getValue(), depth + 1, found, notFolders);
        }
    }

    /**
     * The folder directories directly in {@code dir}, by folder name (in name order of the
     * directories); hidden directories, undecodable names and second directories of one name go to
     * {@code notFolders}. Links and files are left to the folder's own scan, which names them.
     */
    private TreeMap<String, Path> folderDirectories(Path dir, List<SkippedItem> notFolders, @Nullable String only)
            throws IOException {
        TreeMap<String, Path> byName = new TreeMap<>();
        for (Path p : entries(dir)) {
            String dirName = p.getFileName().toString();
            BasicFileAttributes a;
            try {
                a = lstat(p);
            } catch (java.nio.file.InvalidPathException | IOException e) {
                notFolders.add(skippedItem(p, "its name cannot be read in this system's encoding"));
                continue;
            }
            if (a == null || !a.isDirectory() || a.isSymbolicLink()) {
                continue;
            }
            if (dirName.startsWith(".")) {
                notFolders.add(skippedItem(p, "a hidden directory; not read as a folder"));
                continue;
            }
            String name = folderName(p);
            if (name == null) {
                notFolders.add(skippedItem(p, "a directory name with control characters; rename it to read it"));
                continue;
            }
            if (only != null && !name.equals(only)) {
                continue;
            }
            if (byName.containsKey(name)) {
                notFolders.add(
                        skippedItem(p, "a second directory for the folder " + name + "; its mail is not merged"));
                continue;
            }
            byName.put(name, p);
        }
        return byName;
    }

    /** The folder name a directory stands for: its sidecar's, else its own; null if unusable. */
    static @Nullable String folderName(Path dir) {
        String name = dir.getFileName().toString();
        try {
            Sidecar s = readSidecar(dir);
            if (s != null && s.folderName() != null) {
                name = s.folderName();
            }
        } catch (IOException | IllegalArgumentException e) {
            // A damaged sidecar names no folder: the directory's own name is used; the folder's
            // scan says that the sidecar is damaged.
        }
        try {
            FolderPath.of(name);
            return name;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The sidecar of a directory, or null if it has none; never through a link. */
    static @Nullable Sidecar readSidecar(Path dir) throws IOException {
        Path file = dir.resolve(Sidecar.FILE_NAME);
        BasicFileAttributes a = lstat(file);
        if (a == null || !a.isRegularFile()) {
            return null;
        }
        return Sidecar.parse(DurableFiles.read(file));
    }

    /** The directory of an existing folder; empty if there is none. */
    Optional<Path> resolve(FolderPath path) throws IOException {
        Path dir = inboxDirectory();
        List<String> segments = path.segments();
        int start = 1;
        if (!segments.get(0).equalsIgnoreCase("INBOX")) {
            dir = root;
            start = 0;
        } else if (path.isInbox()) {
            return Optional.of(dir);
        } else if (dir.equals(root)) {
            return Optional.empty();
        }
        for (int i = start; i < segments.size(); i++) {
            Path child = child(dir, segments.get(i));
            if (child == null) {
                return Optional.empty();
            }
            dir = child;
        }
        return Optional.of(dir);
    }

    /** The sub-directory of {@code dir} that holds the folder {@code name}, or null. */
    private @Nullable Path child(Path dir, String name) throws IOException {
        // The name this store would give it first: found without listing a large directory.
        Path guess = dir.resolve(SafeNames.directoryName(name));
        BasicFileAttributes a = lstat(guess);
        if (a != null && a.isDirectory() && name.equals(folderName(guess))) {
            return guess;
        }
        Map<String, Path> found = folderDirectories(dir, new ArrayList<>(), name);
        return found.get(name);
    }

    /** The inbox's directory: a top-level {@code INBOX} directory (any case), else the root. */
    Path inboxDirectory() throws IOException {
        if (lstat(root) == null) {
            return root;
        }
        Path inbox = folderDirectories(root, new ArrayList<>(), null).entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("INBOX"))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
        return inbox == null ? root : inbox;
    }

    /**
     * The inbox's directory for a store that writes: an existing {@code INBOX} directory; the root,
     * where the root already holds messages or a sidecar (a tree another program wrote); else a new
     * {@code INBOX} directory, so that the inbox can have sub-folders.
     */
    private Path inboxForWriting() throws IOException {
        Path inbox = inboxDirectory();
        if (!inbox.equals(root)) {
            return inbox;
        }
        ReentrantLock lock = lockFor(root);
        lock.lock();
        try {
            for (Path p : entries(root)) {
                String name = p.getFileName().toString();
                if (name.equals(Sidecar.FILE_NAME) || (isMessageName(name) && !name.startsWith("."))) {
                    return root;
                }
            }
            Path dir = root.resolve("INBOX");
            BasicFileAttributes a = lstat(dir);
            if (a != null) {
                throw new IOException(dir + " exists but is not a folder directory");
            }
            Files.createDirectory(dir);
            DurableFiles.ownerOnly(dir);
            writeSidecar(dir, new Sidecar(null, newGeneration(), 1, Map.of()));
            if (fsync) {
                DurableFiles.forceDirectory(root);
            }
            return dir;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        refuseWriting(path);
        try {
            ensureRoot();
            if (path.isInbox()) {
                inboxForWriting();
                return;
            }
            Path dir = root;
            int start = 0;
            if (path.segments().get(0).equalsIgnoreCase("INBOX")) {
                dir = inboxForWriting();
                if (dir.equals(root)) {
                    throw new FolderUnusableException(
                            ErrorContext.of(account, path),
                            "the inbox of this tree is the root itself, so it cannot have sub-folders of its"
                                    + " own; map " + path + " to a top-level folder",
                            null);
                }
                start = 1;
            }
            for (int i = start; i < path.depth(); i++) {
                String segment = path.segments().get(i);
                Path existing = child(dir, segment);
                dir = existing != null ? existing : makeFolderDirectory(dir, segment);
            }
        } catch (MailStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(account, path), "cannot create the folder under " + root + ": " + e, e);
        }
    }

    private void ensureRoot() throws IOException {
        BasicFileAttributes a = lstat(root);
        if (a == null) {
            DurableFiles.createPrivateDirectories(root);
        }
    }

    /** Creates a directory for folder {@code name} in {@code parent}: 0700, with a sidecar naming it. */
    private Path makeFolderDirectory(Path parent, String name) throws IOException {
        ReentrantLock lock = lockFor(parent);
        lock.lock();
        try {
            Set<String> taken = new HashSet<>();
            for (Path p : entries(parent)) {
                taken.add(SafeNames.key(p.getFileName().toString()));
            }
            String base = SafeNames.directoryName(name);
            String dirName = base;
            for (int n = 2; taken.contains(SafeNames.key(dirName)) || dirName.equalsIgnoreCase("INBOX"); n++) {
                dirName = base + " (" + n + ")";
            }
            Path dir = parent.resolve(dirName);
            Files.createDirectory(dir);
            DurableFiles.ownerOnly(dir);
            writeSidecar(dir, new Sidecar(dirName.equals(name) ? null : name, newGeneration(), 1, Map.of()));
            if (fsync) {
                DurableFiles.forceDirectory(parent);
            }
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new IOException(e.getFile() + " appeared meanwhile", e);
        } finally {
            lock.unlock();
        }
    }

    /** A generation no folder of this store got before: the time in seconds, or one more. */
    long newGeneration() {
        long now = Math.max(2, clock.instant().getEpochSecond());
        return lastGeneration.updateAndGet(last -> Math.max(now, last + 1));
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        try {
            if (!readOnly && path.isInbox()) {
                ensureRoot();
                return new EmlFolder(this, path, inboxForWriting());
            }
            Optional<Path> dir = resolve(path);
            if (dir.isEmpty()) {
                throw new FolderUnusableException(ErrorContext.of(account, path), "no such folder under " + root, null);
            }
            return new EmlFolder(this, path, dir.get());
        } catch (MailStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(account, path), "cannot read " + root + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---- for the folders

    void checkOpen() {
        checkState(!closed, "store %s is closed", account);
    }

    Instant now() {
        return clock.instant();
    }

    void reached(String step) {
        crashPoint.accept(step);
    }

    boolean readOnly() {
        return readOnly;
    }

    boolean fsync() {
        return fsync;
    }

    MessageSpool spool() {
        return spool;
    }

    Path root() {
        return root;
    }

    ReentrantLock lockFor(Path dir) {
        return locks.computeIfAbsent(dir, d -> new ReentrantLock());
    }

    void refuseWriting(FolderPath path) throws FolderUnusableException {
        if (readOnly) {
            throw new FolderUnusableException(
                    ErrorContext.of(account, path), "the store is read-only (opened as a source)", null);
        }
    }

    /** Writes a sidecar durably: a temp file beside it, forced, renamed over it. */
    void writeSidecar(Path dir, Sidecar sidecar) throws IOException {
        BasicFileAttributes a = lstat(dir.resolve(Sidecar.FILE_NAME));
        if (a != null && !a.isRegularFile()) {
            throw new IOException(
                    dir.resolve(Sidecar.FILE_NAME) + " is not a regular file (a link?); not written through");
        }
        DurableFiles.replace(
                dir.resolve(Sidecar.FILE_NAME + ".tmp-" + UUID.randomUUID()),
                dir.resolve(Sidecar.FILE_NAME),
                sidecar.format(),
                fsync);
    }

    /**
     * What reading a file the store did not write tells: its size as served (bare LFs made CRLF),
     * the id derived from its bytes, and its {@code Date:}; kept while the file's key, size and
     * modification time stay the same.
     */
    record FileFacts(
            @Nullable Object key,
            long fileSize,
            long modifiedNanos,
            long servedSize,
            long contentId,
            @Nullable Instant dateHeader) {}

    FileFacts facts(Path file, BasicFileAttributes a) throws IOException {
        long modified = a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        FileFacts known = facts.getIfPresent(file);
        if (known != null
                && known.fileSize() == a.size()
                && known.modifiedNanos() == modified
                && java.util.Objects.equals(known.key(), a.fileKey())) {
            return known;
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        long served = 0;
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            int previous = -1;
            int n;
            while ((n = in.read(buffer)) > 0) {
                served += CrlfInputStream.convertedSize(buffer, n, previous);
                previous = buffer[n - 1];
                sha.update(buffer, 0, n);
                if (head.size() < 64 * 1024) {
                    head.write(buffer, 0, Math.min(n, 64 * 1024 - head.size()));
                }
            }
        }
        long id = ByteBuffer.wrap(sha.digest()).getLong();
        FileFacts f = new FileFacts(a.fileKey(), a.size(), modified, served, derivedId(id), dateOf(head.toByteArray()));
        facts.put(file, f);
        return f;
    }

    /** The first id derived ids start at: far above the ids the store hands out itself. */
    static final long DERIVED_BASE = 1L << 40;

    /** An id from 64 bits of a hash: in [2^40, 2^62). */
    static long derivedId(long hash) {
        return DERIVED_BASE + Math.floorMod(hash, (1L << 62) - DERIVED_BASE);
    }

    private static @Nullable Instant dateOf(byte[] head) throws IOException {
        byte[] block = Headers.readHeaderBlock(new java.io.ByteArrayInputStream(head));
        List<String> dates = Headers.parse(block).get("date");
        return dates.isEmpty() ? null : MailDates.parse(dates.get(0)).orElse(null);
    }

    // ---- file-system helpers (never following links)

    static @Nullable BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** A directory's entries in name order; lists the directory itself, never a link's target. */
    static List<Path> entries(Path dir) throws IOException {
        BasicFileAttributes a = lstat(dir);
        if (a == null || !a.isDirectory()) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(out::add);
        }
        out.sort(java.util.Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    static boolean isControl(String name) {
        return name.startsWith(CONTROL_PREFIX) || DESKTOP_FILES.contains(name);
    }

    static boolean isMessageName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".eml");
    }

    SkippedItem skippedItem(Path p, String reason) {
        String rel = root.relativize(p).toString();
        StringBuilder printable = new StringBuilder();
        for (char c : (rel.isEmpty() ? p.toString() : rel).toCharArray()) {
            printable.append(
                    c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "\\x%02x", (int) c) : String.valueOf(c));
        }
        return new SkippedItem(printable.toString(), reason);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Builds an {@link EmlStore}; each setting once. Not thread-safe.
     */
    public static final class Builder {
        private @Nullable Path root;
        private boolean readOnly;
        private boolean fsync = true;
        private MessageSpool spool = MessageSpool.defaults();
        private Clock clock = Clock.systemUTC();
        private java.util.function.Consumer<String> crashPoint = step -> {};
        private final Set<String> set = new HashSet<>();

        private Builder() {}

        private void once(String name) {
            checkState(set.add(name), "%s was already set", name);
        }

        /** The tree's root directory (created when first written, 0700). Required. */
        public Builder root(Path directory) {
            once("root");
            this.root = checkNotNull(directory, "root");
            return this;
        }

        /** Writes nothing into the tree: for a source. Default false. */
        public Builder readOnly(boolean value) {
            once("readOnly");
            this.readOnly = value;
            return this;
        }

        /** Forces each message, sidecar and directory to disk. Default true. */
        public Builder fsync(boolean value) {
            once("fsync");
            this.fsync = value;
            return this;
        }

        /** Where messages read are held (large ones in temp files). Default {@link MessageSpool#defaults()}. */
        public Builder spool(MessageSpool value) {
            once("spool");
            this.spool = checkNotNull(value, "spool");
            return this;
        }

        /** The clock new folders' generations come from. Default the system clock. */
        public Builder clock(Clock value) {
            once("clock");
            this.clock = checkNotNull(value, "clock");
            return this;
        }

        /**
         * Tests only: called at each step of an append ({@code "sidecar-written"}, {@code
         * "files-placed"}); throwing there stands for a process killed at that point.
         */
        Builder crashPoint(java.util.function.Consumer<String> hook) {
            once("crashPoint");
            this.crashPoint = checkNotNull(hook, "hook");
            return this;
        }

        /** The store; nothing is read or created until it is used. */
        public EmlStore build() {
            return new EmlStore(this);
        }
    }

    /** The file time, where it can be when the mail arrived. */
    Optional<Instant> plausible(Instant fileTime) {
        // 1980-01-02: FAT's epoch, what zip tools give files without times; a day ahead: a clock
        // that was wrong. Such a file time says nothing of when the mail arrived.
        if (fileTime.isBefore(Instant.parse("1980-01-02T00:00:00Z"))
                || fileTime.isAfter(clock.instant().plusSeconds(86_400))) {
            return Optional.empty();
        }
        return Optional.of(fileTime);
    }
}
