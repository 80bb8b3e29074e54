package org.mailsync.mbox;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.jspecify.annotations.Nullable;
import org.mailsync.Capability;
import org.mailsync.ErrorContext;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSpool;
import org.mailsync.StoreCapabilities;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * A store over mbox files: a directory of them (hierarchy as plain directories or Thunderbird's
 * {@code Name.sbd}), or a single file that is the INBOX.
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
 * batch; flag changes and deletions rewrite the file into a temp file and rename it.
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

    private boolean thunderbird() {
        return config.layout() == MboxLayout.THUNDERBIRD;
    }

    private String inboxName() {
        return thunderbird() ? "Inbox" : "inbox";
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
            if (!thunderbird() && segments.size() > 1) {
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
            p = p.resolve(thunderbird() && !last ? segments.get(i) + ".sbd" : segments.get(i));
        }
        checkState(p.normalize().startsWith(root.normalize()), "path %s escapes %s", p, root);
        return p;
    }

    private String existingInboxName() {
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.equalsIgnoreCase("inbox") && Files.isRegularFile(p)) {
                    return name;
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
        } else if (thunderbird()
                && (segment.toLowerCase(Locale.ROOT).endsWith(".sbd")
                        || segment.toLowerCase(Locale.ROOT).endsWith(".msf"))) {
            why = "Thunderbird keeps its own .sbd directories and .msf indexes";
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
        List<FolderInfo> out = new ArrayList<>();
        out.add(FolderInfo.of(FolderPath.INBOX));
        if (singleFile || !Files.isDirectory(root)) {
            return out;
        }
        try {
            walk(root, null, out);
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(account), "cannot list " + root + ": " + e, e);
        }
        return out;
    }

    private void walk(Path dir, @Nullable FolderPath parent, List<FolderInfo> out) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        Map<String, Path> dirs = new TreeMap<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.toLowerCase(Locale.ROOT).endsWith(".lock")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    if (!thunderbird()) {
                        dirs.put(name, p);
                    } else if (name.endsWith(".sbd") && name.length() > 4) {
                        dirs.put(name.substring(0, name.length() - 4), p);
                    }
                } else if (Files.isRegularFile(p) && looksLikeMbox(p)) {
                    files.put(name, p);
                }
            }
        }
        TreeSet<String> names = new TreeSet<>(files.keySet());
        names.addAll(dirs.keySet());
        if (parent == null) {
            // INBOX first (already listed), then its Thunderbird sub-folders.
            for (String name : List.copyOf(names)) {
                if (name.equalsIgnoreCase("inbox")) {
                    names.remove(name);
                    if (dirs.containsKey(name)) {
                        walk(dirs.get(name), FolderPath.INBOX, out);
                    }
                }
            }
        }
        for (String name : names) {
            FolderPath path;
            try {
                path = parent == null ? FolderPath.of(name) : parent.child(name);
            } catch (IllegalArgumentException unnamable) {
                continue; // a file name with control characters is no folder we can name
            }
            boolean selectable = files.containsKey(name);
            out.add(new FolderInfo(path, selectable, null, true));
            if (dirs.containsKey(name)) {
                walk(dirs.get(name), path, out);
            }
        }
    }

    /** An empty file, or one starting with a From line (so Thunderbird's .msf and .dat files are not folders). */
    private static boolean looksLikeMbox(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(5);
            return head.length == 0 || Arrays.equals(head, FromLine.PREFIX);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        Path file = fileFor(path);
        if (singleFile) {
            return;
        }
        try {
            if (thunderbird()) {
                // Every ancestor is a folder file beside its .sbd directory.
                for (int depth = 1; depth < path.depth(); depth++) {
                    Path parentFile = fileFor(FolderPath.of(path.segments().subList(0, depth)));
                    Files.createDirectories(parentFile.getParent());
                    if (!Files.exists(parentFile)) {
                        Files.createFile(parentFile);
                    }
                }
            } else {
                for (Path dir = file.getParent(); !dir.equals(root) && dir.startsWith(root); dir = dir.getParent()) {
                    if (Files.isRegularFile(dir)) {
                        throw new FolderUnusableException(
                                ErrorContext.of(account, path),
                                dir.getFileName() + " is an mbox file: in the plain-directory layout a folder holds"
                                        + " either messages or sub-folders",
                                null);
                    }
                }
            }
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
        } catch (MailStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new FolderUnusableException(ErrorContext.of(account, path), "cannot create " + file + ": " + e, e);
        }
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        Path file = fileFor(path);
        if (Files.isDirectory(file)) {
            throw new FolderUnusableException(
                    ErrorContext.of(account, path), "holds sub-folders only (" + file + " is a directory)", null);
        }
        if (!path.isInbox() && !Files.isRegularFile(file)) {
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

        /** How folders map to files; {@link MboxLayout#PLAIN_DIRECTORIES} by default. */
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

        private static MboxFormat defaultFormat(MboxLayout layout) {
            return layout == MboxLayout.THUNDERBIRD ? MboxFormat.MBOXRD : MboxFormat.MBOXCL2;
        }

        /** The store. */
        public MboxStore build() {
            checkState(root != null, "root must be set");
            MboxLayout l = layout != null ? layout : MboxLayout.PLAIN_DIRECTORIES;
            boolean single = Files.isRegularFile(root);
            checkArgument(
                    !(single && l == MboxLayout.THUNDERBIRD),
                    "root %s is a single file; the Thunderbird layout needs a directory",
                    root);
            checkArgument(
                    single || !Files.exists(root) || Files.isDirectory(root),
                    "root %s is neither file nor directory",
                    root);
            Path absolute = root.toAbsolutePath().normalize();
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
