package org.mailsync.maildir;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
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
import org.mailsync.spi.support.DurableFiles;

/**
 * A Maildir tree as a mail store, readable and writable side by side with Dovecot: Maildir++ or
 * the fs layout ({@link MaildirLayout}), folder names in modified UTF-7, ids and UIDVALIDITY in
 * Dovecot's {@code dovecot-uidlist} (version 3), keywords as flag letters {@code a}-{@code z}
 * named in {@code dovecot-keywords}, subscriptions in Dovecot's {@code subscriptions} file. What
 * Dovecot keeps beside them ({@code dovecot.index*}) is left alone; Dovecot catches up from the
 * uidlist and the files.
 *
 * <p><b>Line ends.</b> Files are written exactly as the bytes are given (normally CRLF), so any
 * byte sequence survives a round trip through mailsync. A file mailsync did not write is served as
 * Dovecot's IMAP serves it: every bare LF (one without a CR before it) becomes CRLF, so a tree that
 * Dovecot wrote with its default {@code mail_save_crlf=no} reads exactly as Dovecot would hand it
 * out over IMAP. So that its own files are not converted, mailsync marks a file whose bytes hold a
 * bare LF with {@code ,X=raw} in its name (Dovecot ignores the field); files of CRLF lines need no
 * mark, as the conversion leaves them alone. {@link org.mailsync.MessageInfo#size()} is the size
 * that {@code read} returns: Dovecot's {@code ,W=} (the CRLF size) where the name has it, the file
 * size for a marked file, and otherwise counted once and kept as a {@code W} field in the uidlist.
 * File names carry {@code ,S=} (bytes on disk) and {@code ,W=} (bytes as Dovecot serves them), so
 * Dovecot need not open the files to know their sizes.
 *
 * <p><b>Internal date</b> is the file's modification time, as in Dovecot; append sets it.
 *
 * <p><b>Flags.</b> {@code D F R S T} are {@code \Draft \Flagged \Answered \Seen \Deleted}; other
 * letters (such as mutt's {@code P}) are kept in the name untouched. A folder holds at most 26
 * keywords (the letters); one beyond that is dropped with a warning in the log, as Dovecot keeps
 * such keywords only in its index.
 *
 * <p><b>Ids.</b> Files that another program delivered (a new {@code new/} file, a copied tree) get
 * the next uids in name order the next time the folder is listed or its status read, as Dovecot
 * gives them. The uidlist is changed only under Dovecot's lock ({@code dovecot-uidlist.lock},
 * created with {@code O_EXCL}, broken when older than {@link Builder#lockStaleAfter}), by
 * appending lines or by writing the lock file and renaming it over the list.
 *
 * <p><b>Durability.</b> With {@link Builder#fsync(boolean) fsync} on (the default) a message is
 * forced to disk before it is moved out of {@code tmp/}, and the directories and the uidlist after
 * it, so that an id that {@code append} returned survives a crash. {@link MailFolder#appendAll}
 * does this once per batch and is all or nothing: it declares {@link Capability#BATCH_APPEND}.
 *
 * <p><b>What is read.</b> A folder is a directory with {@code cur/} or {@code new/} (Dovecot's rule);
 * reading never creates directories. Every entry under the root is a folder, a Maildir directory, a
 * control file of Maildir, Dovecot or Courier, or a {@link SkippedItem} with the reason ({@link
 * #skipped()}, {@link MailFolder#skipped()}). Symbolic links are never followed, in a source or a
 * target: they are skipped when reading, and a target refuses to write through one.
 *
 * <p><b>Read-only.</b> With {@link Builder#readOnly(boolean) readOnly} (or for a tree this process
 * cannot write) the store writes nothing into the tree and keeps its ids in the {@link
 * Builder#stateDirectory(Path) state directory}; see the module's README.
 *
 * <p><b>Modes.</b> Files are created {@code 0600} and directories {@code 0700}, whatever the umask.
 *
 * <p>Thread-safe. Each {@link MailFolder} it returns is confined to one thread; several, in this
 * or other processes (Dovecot), may use one folder at once.
 */
public final class MaildirStore implements MailStore {
    private static final AtomicLong DELIVERIES = new AtomicLong();
    private static final String UIDVALIDITY_FILE = "dovecot-uidvalidity";
    private static final String SUBSCRIPTIONS_FILE = "subscriptions";
    private static final int FORCE_THREADS = 16;

    private final Path root;
    private final MaildirLayout layout;
    private final String account;
    private final boolean fsync;
    private final boolean createRoot;
    private final Clock clock;
    private final MessageSpool spool;
    private final Duration lockStaleAfter;
    private final Duration lockTimeout;
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private final FolderDirectories directories;
    private final StoreCapabilities capabilities = StoreCapabilities.of(
            Capability.KEYWORDS, Capability.APPEND_UID, Capability.SUBSCRIPTIONS, Capability.BATCH_APPEND);
    private final ExecutorService forcing = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "maildir-fsync");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;
    private final boolean readOnlyRequested;
    private final @Nullable Path stateDirectory;
    private final Predicate<Path> writable;
    /** Decided when the tree is first used: read-only as asked, or because it cannot be written. */
    private volatile boolean readOnly;

    private volatile List<SkippedItem> skipped = List.of();

    private MaildirStore(Builder b, Path root) {
        this.root = root;
        this.layout = b.layout != null ? b.layout : MaildirLayout.MAILDIR_PLUS_PLUS;
        this.account = b.account != null ? b.account : "maildir:" + root;
        this.fsync = b.fsync != null ? b.fsync : true;
        this.createRoot = b.createRoot != null ? b.createRoot : true;
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.spool = b.spool != null ? b.spool : MessageSpool.defaults();
        this.lockStaleAfter = b.lockStaleAfter != null ? b.lockStaleAfter : Duration.ofMinutes(2);
        this.lockTimeout = b.lockTimeout != null ? b.lockTimeout : this.lockStaleAfter.plusSeconds(30);
        this.host = sanitizeHost(b.host != null ? b.host : localHostName());
        this.directories = new FolderDirectories(root, layout);
        this.readOnlyRequested = b.readOnly != null && b.readOnly;
        this.readOnly = readOnlyRequested;
        this.stateDirectory = b.stateDirectory;
        this.writable = b.writable != null ? b.writable : Files::isWritable;
    }

    /** A builder; {@link Builder#root} is required. */
    public static Builder builder() {
        return new Builder();
    }

    private static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name.isEmpty() ? "localhost" : name;
        } catch (IOException e) {
            return "localhost";
        }
    }

    // Maildir's own rule: '/' and ':' in the host name are written as octal escapes.
    private static String sanitizeHost(String host) {
        return host.replace("/", "\\057").replace(":", "\\072").replace(",", "\\054");
    }

    /** The root directory (the inbox). */
    public Path root() {
        return root;
    }

    /** The layout of the folders below the root. */
    public MaildirLayout layout() {
        return layout;
    }

    @Override
    public String account() {
        return account;
    }

    @Override
    public StoreCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        checkOpen();
        ensureRoot();
        SubscriptionsFile subscriptions = readSubscriptions();
        List<FolderInfo> out = new ArrayList<>();
        out.add(new FolderInfo(FolderPath.INBOX, true, null, subscriptions.contains(List.of("INBOX"))));
        try {
            FolderDirectories.Scan scan = directories.scan();
            for (FolderDirectories.Found found : scan.folders()) {
                out.add(new FolderInfo(found.path(), found.selectable(), null, subscriptions.contains(found.stored())));
            }
            skipped = scan.skipped();
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(account), "cannot list the folders under " + root + ": " + e, e);
        }
        return out;
    }

    /**
     * What the last {@link #listFolders()} found under the root and did not take: symbolic links,
     * directories whose names cannot be folder names here, and files that are neither folders nor
     * files of Maildir, Dovecot or Courier. Files inside {@code cur/} and {@code new/} are named by
     * each folder's {@link MailFolder#skipped()}.
     */
    @Override
    public List<SkippedItem> skipped() {
        return skipped;
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        ensureRoot();
        refuseWriting(path);
        if (path.isInbox()) {
            return;
        }
        List<String> stored = stored(path);
        refuseLinks(path, directories.directory(stored));
        try {
            for (int depth = 1; depth <= path.depth(); depth++) {
                Path dir = directories.directory(stored.subList(0, depth));
                if (!FolderDirectories.isMaildir(dir)) {
                    createMaildir(dir, layout == MaildirLayout.MAILDIR_PLUS_PLUS);
                }
            }
        } catch (IOException e) {
            throw new FolderUnusableException(ErrorContext.of(account, path), "cannot create the folder: " + e, e);
        }
    }

    private void createMaildir(Path dir, boolean marker) throws IOException {
        PrivateFiles.createDirectories(dir);
        for (String sub : List.of("tmp", "new", "cur")) {
            PrivateFiles.createDirectories(dir.resolve(sub));
        }
        if (marker && !Files.exists(dir.resolve("maildirfolder"), LinkOption.NOFOLLOW_LINKS)) {
            // Courier's and Dovecot's mark of a Maildir++ subfolder.
            PrivateFiles.createEmptyFile(dir.resolve("maildirfolder"));
        }
        if (fsync) {
            DurableFiles.forceDirectory(dir);
            DurableFiles.forceDirectory(requireNonNull(dir.getParent()));
        }
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        ensureRoot();
        Path dir = path.isInbox() ? root : directoryOf(path);
        boolean folderReadOnly = readOnly;
        if (!folderReadOnly && !writable.test(dir)) {
            if (stateDirectory == null) {
                throw new FolderUnusableException(
                        ErrorContext.of(account, path),
                        FolderDirectories.printable(dir) + " is not writable, so its ids cannot be kept in it;"
                                + " give the store a state directory (MaildirStore.Builder.stateDirectory) to read it"
                                + " without writing",
                        null);
            }
            folderReadOnly = true;
        }
        return new MaildirFolder(
                this,
                path,
                dir,
                folderReadOnly ? new StateIds(requireNonNull(stateDirectory), root, dir, fsync) : null);
    }

    /** Whether the store writes nothing into the tree (asked for, or found not writable). */
    boolean readOnly() {
        return readOnly;
    }

    private void refuseWriting(FolderPath path) throws FolderUnusableException {
        if (readOnly) {
            throw new FolderUnusableException(ErrorContext.of(account, path), readOnlyReason(), null);
        }
    }

    /** Why a write was refused, for the error. */
    String readOnlyReason() {
        return readOnlyRequested
                ? "the store is read-only (MaildirStore.Builder.readOnly): it writes nothing into " + root
                : root + " is not writable, so the store reads it without writing";
    }

    /** The directory of an existing folder, found as it is stored. */
    private Path directoryOf(FolderPath path) throws MailStoreException {
        List<String> stored = stored(path);
        Path dir = directories.directory(stored);
        refuseLinks(path, dir);
        if (FolderDirectories.isMaildir(dir)) {
            return dir;
        }
        try {
            FolderDirectories.Found found = directories.find(path).orElse(null);
            if (found != null && found.selectable()) {
                Path foundDir = directories.directory(found.stored());
                refuseLinks(path, foundDir);
                return foundDir;
            }
            throw new FolderUnusableException(
                    ErrorContext.of(account, path),
                    found == null
                            ? "no such folder (no " + dir + ")"
                            : "folder cannot hold messages (neither cur nor new in " + dir + ")",
                    null);
        } catch (IOException e) {
            throw new FolderUnusableException(ErrorContext.of(account, path), "cannot look for the folder: " + e, e);
        }
    }

    /** A folder directory reached through a symbolic link is neither read nor written. */
    private void refuseLinks(FolderPath path, Path dir) throws FolderUnusableException {
        Optional<Path> link = directories.linkOnTheWay(dir);
        if (link.isPresent()) {
            throw new FolderUnusableException(
                    ErrorContext.of(account, path),
                    FolderDirectories.printable(link.get())
                            + " is a symbolic link; the store never follows links, in a source or a target",
                    null);
        }
    }

    /** The segments as stored on disk: a directory already there under its own name, or encoded. */
    private List<String> stored(FolderPath path) throws FolderUnusableException {
        if (path.isInbox()) {
            return List.of("INBOX");
        }
        try {
            return directories.encode(path);
        } catch (IllegalArgumentException e) {
            throw new FolderUnusableException(
                    ErrorContext.of(account, path), "this Maildir cannot hold the name: " + e.getMessage(), null);
        }
    }

    @Override
    public void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {
        checkOpen();
        ensureRoot();
        refuseWriting(path);
        List<String> stored = stored(path);
        Path file = root.resolve(SUBSCRIPTIONS_FILE);
        try (DotLock lock = lock(file)) {
            SubscriptionsFile before = readSubscriptions();
            SubscriptionsFile after = before.with(stored, subscribed);
            if (!after.equals(before)) {
                lock.commit(after.format(), fsync);
            }
        } catch (DotLock.TimeoutException e) {
            throw new StoreFailureException(ErrorContext.of(account, path), e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(account, path), "cannot write " + file + ": " + e, e);
        }
    }

    private SubscriptionsFile readSubscriptions() throws MailStoreException {
        Path file = root.resolve(SUBSCRIPTIONS_FILE);
        try {
            if (Files.isSymbolicLink(file)) {
                return SubscriptionsFile.empty(); // not followed; listFolders names it as skipped
            }
            return SubscriptionsFile.parse(readNoFollow(file), layout.separator());
        } catch (NoSuchFileException e) {
            return SubscriptionsFile.empty();
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(account), "cannot read " + file + ": " + e, e);
        }
    }

    /** The whole file, never through a link (a link is an error). */
    static byte[] readNoFollow(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        closed = true;
        forcing.shutdown();
    }

    void checkOpen() {
        checkState(!closed, "store %s is closed", account);
    }

    private void ensureRoot() throws MailStoreException {
        if (readOnly || (Files.exists(root) && !writable.test(root))) {
            if (!FolderDirectories.isMaildir(root)) {
                throw new StoreFailureException(
                        ErrorContext.of(account),
                        "no Maildir at " + root + " (neither cur nor new); check the path",
                        null);
            }
            if (stateDirectory == null) {
                throw new StoreFailureException(
                        ErrorContext.of(account),
                        root + " is not writable, so the store cannot keep its ids in it; give it a state"
                                + " directory (MaildirStore.Builder.stateDirectory) to read it without writing",
                        null);
            }
            readOnly = true;
            return;
        }
        if (FolderDirectories.isMaildir(root)) {
            return;
        }
        if (!createRoot) {
            throw new StoreFailureException(
                    ErrorContext.of(account),
                    "no Maildir at " + root + " (neither cur nor new); check the path, or let the store create it",
                    null);
        }
        try {
            createMaildir(root, false);
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(account), "cannot create a Maildir at " + root + ": " + e, e);
        }
    }

    /** Takes Dovecot's dot-lock on {@code file} with this store's timings. */
    DotLock lock(Path file) throws IOException {
        return DotLock.acquire(file, lockStaleAfter, lockTimeout, clock);
    }

    /**
     * The next UIDVALIDITY for a new uidlist, from the root's {@code dovecot-uidvalidity} counter
     * (hex) as Dovecot keeps it: the current time, or one more than the last value if that is later,
     * so that a folder created again never gets its old UIDVALIDITY back.
     */
    synchronized long nextUidValidity() throws IOException {
        Path file = root.resolve(UIDVALIDITY_FILE);
        long last = 0;
        List<Path> markers = new ArrayList<>();
        try {
            last = Long.parseLong(new String(readNoFollow(file), StandardCharsets.US_ASCII).trim(), 16);
        } catch (NoSuchFileException | NumberFormatException e) {
            // no counter yet, or a damaged one: the markers below and the clock decide
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, UIDVALIDITY_FILE + ".*")) {
            for (Path marker : entries) {
                markers.add(marker);
                try {
                    String hex = marker.getFileName().toString().substring(UIDVALIDITY_FILE.length() + 1);
                    last = Math.max(last, Long.parseLong(hex, 16));
                } catch (NumberFormatException e) {
                    // not Dovecot's marker; leave it
                }
            }
        }
        long now = clock.instant().getEpochSecond();
        long next = Math.max(now, last + 1);
        if (next > 0xFFFF_FFFFL) {
            next = 1; // wrapped, as in Dovecot: still differs from the last value
        }
        String hex = String.format("%08x", next);
        Path temp = root.resolve(UIDVALIDITY_FILE + ".tmp-" + pid + "-" + DELIVERIES.incrementAndGet());
        // A rename replaces a link named dovecot-uidvalidity; it never writes through it.
        DurableFiles.replace(temp, file, hex.getBytes(StandardCharsets.US_ASCII), fsync);
        Path marker = root.resolve(UIDVALIDITY_FILE + "." + hex);
        if (!Files.exists(marker, LinkOption.NOFOLLOW_LINKS)) {
            PrivateFiles.createEmptyFile(marker);
        }
        for (Path old : markers) {
            if (!old.equals(marker) && old.getFileName().toString().matches(UIDVALIDITY_FILE + "\\.[0-9a-f]{8}")) {
                Files.deleteIfExists(old);
            }
        }
        return next;
    }

    /** A new mailbox GUID for a uidlist header: 128 random bits in hex. */
    static String newMailboxGuid() {
        UUID uuid = UUID.randomUUID();
        return String.format("%016x%016x", uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    /**
     * A unique base for a new file, as Dovecot makes them: {@code <seconds>.M<micros>P<pid>Q<n>.<host>}.
     */
    String newUniqueName() {
        Instant now = clock.instant();
        return now.getEpochSecond() + ".M" + (now.getNano() / 1000) + "P" + pid + "Q" + DELIVERIES.incrementAndGet()
                + "." + host;
    }

    boolean fsync() {
        return fsync;
    }

    long clockSeconds() {
        return clock.instant().getEpochSecond();
    }

    /**
     * Forces files to disk, several at once: concurrent fsyncs share the file system's journal
     * commits (ext4, xfs), so a batch costs a few commits rather than one per message.
     */
    void force(List<Path> files) throws IOException {
        if (files.size() == 1) {
            forceOne(files.get(0));
            return;
        }
        int slices = Math.min(FORCE_THREADS, files.size());
        List<Future<?>> running = new ArrayList<>(slices);
        for (int slice = 0; slice < slices; slice++) {
            int first = slice;
            running.add(forcing.submit(() -> {
                for (int i = first; i < files.size(); i += slices) {
                    forceOne(files.get(i));
                }
                return null;
            }));
        }
        IOException failure = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while forcing messages to disk");
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void forceOne(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    MessageSpool spool() {
        return spool;
    }

    @Override
    public String toString() {
        return "MaildirStore[" + account + ", " + layout + "]";
    }

    /**
     * Builds a {@link MaildirStore}. Each setting may be given once. Not thread-safe; confine to one
     * thread.
     */
    public static final class Builder {
        private @Nullable Path root;
        private @Nullable MaildirLayout layout;
        private @Nullable String account;
        private @Nullable Boolean fsync;
        private @Nullable Boolean createRoot;
        private @Nullable Clock clock;
        private @Nullable MessageSpool spool;
        private @Nullable Duration lockStaleAfter;
        private @Nullable Duration lockTimeout;
        private @Nullable String host;
        private @Nullable Boolean readOnly;
        private @Nullable Path stateDirectory;
        private @Nullable Predicate<Path> writable;

        private Builder() {}

        /** The Maildir's root directory, which is also the inbox. Required. */
        public Builder root(Path directory) {
            checkState(root == null, "root was already set to %s", root);
            this.root = checkNotNull(directory, "root");
            return this;
        }

        /** The folder layout; {@link MaildirLayout#MAILDIR_PLUS_PLUS} by default. */
        public Builder layout(MaildirLayout value) {
            checkState(layout == null, "layout was already set to %s", layout);
            this.layout = checkNotNull(value, "layout");
            return this;
        }

        /** How the store names itself in errors and reports; {@code maildir:<root>} by default. */
        public Builder account(String name) {
            checkState(account == null, "account was already set to %s", account);
            checkArgument(!name.isBlank(), "account name must not be blank");
            this.account = name;
            return this;
        }

        /**
         * Whether to force messages, directories and the uidlist to disk before an append returns;
         * true by default. Off is faster and can lose what the last seconds wrote in a crash.
         */
        public Builder fsync(boolean value) {
            checkState(fsync == null, "fsync was already set to %s", fsync);
            this.fsync = value;
            return this;
        }

        /** Whether a missing root is created (true by default) or is an error (for a source). */
        public Builder createRoot(boolean value) {
            checkState(createRoot == null, "createRoot was already set to %s", createRoot);
            this.createRoot = value;
            return this;
        }

        /** The clock for file names, UIDVALIDITY and lock ages; the system clock by default. */
        public Builder clock(Clock value) {
            checkState(clock == null, "clock was already set to %s", clock);
            this.clock = checkNotNull(value, "clock");
            return this;
        }

        /** Where messages that are read are held; {@link MessageSpool#defaults()} by default. */
        public Builder spool(MessageSpool value) {
            checkState(spool == null, "spool was already set to %s", spool);
            this.spool = checkNotNull(value, "spool");
            return this;
        }

        /**
         * How old a lock file must be before it counts as left behind by a dead process and is
         * removed; two minutes by default, as in Dovecot.
         */
        public Builder lockStaleAfter(Duration age) {
            checkState(lockStaleAfter == null, "lockStaleAfter was already set to %s", lockStaleAfter);
            checkArgument(!age.isNegative() && !age.isZero(), "lock stale age must be positive, not %s", age);
            this.lockStaleAfter = age;
            return this;
        }

        /**
         * How long to wait for a lock that another process holds before giving up on the folder;
         * the stale age plus 30 seconds by default, so that a stale lock is broken first.
         */
        public Builder lockTimeout(Duration wait) {
            checkState(lockTimeout == null, "lockTimeout was already set to %s", lockTimeout);
            checkArgument(!wait.isNegative(), "lock timeout must not be negative, not %s", wait);
            this.lockTimeout = wait;
            return this;
        }

        /** The host name in new file names; the local host's name by default. */
        public Builder host(String name) {
            checkState(host == null, "host was already set to %s", host);
            checkArgument(!name.isBlank(), "host name must not be blank");
            this.host = name;
            return this;
        }

        /**
         * Whether the store never writes into the tree: no {@code dovecot-uidlist}, keyword file,
         * lock file or directory; appends, flag changes, deletions and new folders fail. Ids are
         * kept in the {@link #stateDirectory} instead, which this needs. False by default: the store
         * keeps its ids in Dovecot's files in the tree, as Dovecot does. A tree that is not writable
         * is read this way in any case, if a state directory is given.
         */
        public Builder readOnly(boolean value) {
            checkState(readOnly == null, "readOnly was already set to %s", readOnly);
            this.readOnly = value;
            return this;
        }

        /**
         * Where the store keeps the ids of folders it must not, or cannot, write into: one file per
         * folder, so that ids stay the same from run to run. Created ({@code 0700}) when first
         * needed. Beside the checkpoints is a good place.
         */
        public Builder stateDirectory(Path directory) {
            checkState(stateDirectory == null, "stateDirectory was already set to %s", stateDirectory);
            this.stateDirectory =
                    checkNotNull(directory, "stateDirectory").toAbsolutePath().normalize();
            return this;
        }

        /** Whether this process may write into a directory; a seam for tests (root may write anywhere). */
        Builder writable(Predicate<Path> check) {
            this.writable = checkNotNull(check, "writable");
            return this;
        }

        /** The store; nothing is read or created on disk until it is used. */
        public MaildirStore build() {
            checkState(root != null, "root must be set");
            checkState(
                    readOnly == null || !readOnly || stateDirectory != null,
                    "a read-only store needs a stateDirectory, where it keeps its ids so that they stay stable");
            return new MaildirStore(this, root.toAbsolutePath().normalize());
        }
    }
}
