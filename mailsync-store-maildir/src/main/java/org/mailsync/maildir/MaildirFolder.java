package org.mailsync.maildir;

import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
import org.mailsync.Flag;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.Generation;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.SkippedItem;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.spi.support.CrlfInputStream;
import org.mailsync.spi.support.DotLock;
import org.mailsync.spi.support.DurableFiles;
import org.mailsync.spi.support.Headers;
import org.mailsync.spi.support.MaildirFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open Maildir folder. It keeps what it last saw of the uidlist, the keyword file and the
 * files' names, and looks again when a listing or status asks, or when a file has moved (another
 * process changed its flags).
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class MaildirFolder implements MailFolder {
    /** Keywords that could not be kept, for the sync report (see {@link #warnings()}). */
    private final List<String> warnings = new ArrayList<>();

    private static final Logger LOG = LoggerFactory.getLogger(MaildirFolder.class);
    private static final String UIDLIST = "dovecot-uidlist";
    private static final String KEYWORDS = "dovecot-keywords";

    /** Where a message's file is now: its base, {@code new} or {@code cur}, and its full name. */
    private record Located(String base, String subdir, String fileName) {}

    /** What a file looked like when last read, to notice a change without reading it. */
    private record Stamp(@Nullable Object key, long size, long modifiedNanos) {}

    /** A message written to {@code tmp/}, waiting to be moved in. */
    private record Pending(Path tmp, String name, Flags flags) {}

    private final MaildirStore store;
    private final FolderPath path;
    private final Path dir;
    private final Path uidlistFile;
    private final Path keywordsFile;

    private @Nullable Uidlist uidlist;
    private @Nullable Stamp uidlistStamp;
    private KeywordFile keywords = KeywordFile.EMPTY;
    private @Nullable Stamp keywordsStamp;
    private final TreeMap<Long, Located> messages = new TreeMap<>();
    private final Map<String, Long> countedSizes = new HashMap<>();
    private boolean scanned;
    private boolean closed;
    /** What the last scan did not take from {@code cur/} and {@code new/}, with the reason. */
    private List<SkippedItem> skipped = List.of();
    /** Entries ({@code cur/name}) the last scan found to be regular files, so as not to look again. */
    private Set<String> regularFiles = new HashSet<>();

    /** Dot-files that tools leave in {@code cur/} and {@code new/}: no mail, not reported. */
    static final Set<String> IGNORED_DOT_FILES = Set.of(".gitkeep", ".keep");

    /** Where the ids are kept when this folder is read without writing into it; null otherwise. */
    private final @Nullable StateIds stateIds;

    private @Nullable Uidlist treeUidlist;
    private @Nullable Stamp treeUidlistStamp;

    MaildirFolder(MaildirStore store, FolderPath path, Path dir, @Nullable StateIds stateIds) {
        this.store = store;
        this.path = path;
        this.dir = dir;
        this.stateIds = stateIds;
        this.uidlistFile = dir.resolve(UIDLIST);
        this.keywordsFile = dir.resolve(KEYWORDS);
    }

    @Override
    public FolderPath path() {
        return path;
    }

    @Override
    public FolderStatus status() throws MailStoreException {
        refresh();
        Uidlist list = uidlist();
        return new FolderStatus(
                Generation.of(list.uidValidity()), MessageUid.of(list.nextUid()), messages.size(), null);
    }

    @Override
    public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
        if (query.changedSince() != null) {
            throw new IllegalArgumentException("store " + store.account() + " keeps no modseqs");
        }
        refresh();
        List<Long> uids =
                new ArrayList<>(messages.tailMap(query.from().value(), true).keySet());
        List<MessageInfo> batch = new ArrayList<>(Math.min(query.batchSize(), uids.size()));
        boolean rescanned = false;
        for (long uid : uids) {
            MessageInfo info = null;
            for (int attempt = 0; attempt < 2 && info == null; attempt++) {
                Located at = messages.get(uid);
                if (at == null) {
                    break;
                }
                try {
                    info = info(uid, at);
                } catch (NoSuchFileException moved) {
                    // Another process renamed (flags) or removed it since the scan: look once more.
                    if (rescanned) {
                        break;
                    }
                    refresh();
                    rescanned = true;
                } catch (IOException e) {
                    throw failure(MessageUid.of(uid), "cannot read the file of the message", e);
                }
            }
            if (info == null) {
                continue;
            }
            batch.add(info);
            if (batch.size() == query.batchSize()) {
                consumer.accept(List.copyOf(batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            consumer.accept(List.copyOf(batch));
        }
    }

    private MessageInfo info(long uid, Located at) throws IOException {
        BasicFileAttributes attributes = regularFile(at);
        Instant date = attributes.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS);
        return MessageInfo.of(MessageUid.of(uid), size(at, attributes.size()), flagsOf(at.fileName()), date);
    }

    /** The size that {@link #read} returns for this file. */
    private long size(Located at, long fileSize) throws IOException {
        MaildirFileName name = MaildirFileName.parse(at.fileName());
        if (name.raw()) {
            return fileSize;
        }
        OptionalLong virtual = name.virtualSize();
        if (virtual.isPresent()) {
            return virtual.getAsLong();
        }
        Long uid = uidlist().uidOf(at.base()).orElse(null);
        if (uid != null) {
            OptionalLong kept = requireNonNull(uidlist().records().get(uid)).virtualSize();
            if (kept.isPresent()) {
                return kept.getAsLong();
            }
        }
        Long counted = countedSizes.get(at.base());
        if (counted == null) {
            counted = countCrlfSize(file(at));
            countedSizes.put(at.base(), counted);
        }
        return counted;
    }

    /**
     * The attributes of a message's file, never through a link. One that became a link or a special
     * file since the scan counts as moved, so that the next scan names it as skipped.
     */
    private BasicFileAttributes regularFile(Located at) throws IOException {
        Path file = file(at);
        BasicFileAttributes attributes =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            regularFiles.remove(at.subdir() + "/" + at.fileName());
            throw new NoSuchFileException(file.toString(), null, "no longer a regular file");
        }
        return attributes;
    }

    /** Opens a file for reading without following a link (O_NOFOLLOW). */
    private static InputStream openNoFollow(Path file) throws IOException {
        return Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    private static long countCrlfSize(Path file) throws IOException {
        try (InputStream in = openNoFollow(file)) {
            byte[] buffer = new byte[64 * 1024];
            long size = 0;
            int previous = -1;
            int n;
            while ((n = in.read(buffer)) > 0) {
                size += CrlfInputStream.convertedSize(buffer, n, previous);
                previous = buffer[n - 1];
            }
            return size;
        }
    }

    /** Whether a file is served with its bare LFs made CRLF (see the store's Javadoc). */
    private static boolean converted(String fileName) {
        MaildirFileName name = MaildirFileName.parse(fileName);
        if (name.raw()) {
            return false;
        }
        OptionalLong physical = name.physicalSize();
        OptionalLong virtual = name.virtualSize();
        // Equal sizes mean no bare LF: the file can be served as it is, without looking at it.
        return !(physical.isPresent() && virtual.isPresent() && physical.getAsLong() == virtual.getAsLong());
    }

    private InputStream open(Located at) throws IOException {
        InputStream in = openNoFollow(file(at));
        return converted(at.fileName()) ? new CrlfInputStream(in) : in;
    }

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        return withFile(uid, at -> {
            long size = regularFile(at).size();
            try (InputStream in = open(at)) {
                return store.spool().spool(in, size);
            }
        });
    }

    @Override
    public void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
        for (MessageUid uid : uids) {
            Optional<byte[]> header = withFile(uid, at -> {
                try (InputStream in = open(at)) {
                    return Headers.readHeaderBlock(new java.io.BufferedInputStream(in, 8192));
                }
            });
            if (header.isPresent()) {
                consumer.accept(uid, header.get());
            }
        }
    }

    private interface FileReader<T> {
        T read(Located at) throws IOException;
    }

    /** Runs {@code reader} on a message's file, finding it again once if it has moved. */
    private <T> Optional<T> withFile(MessageUid uid, FileReader<T> reader) throws MailStoreException {
        checkUsable();
        if (!scanned
                || (!messages.containsKey(uid.value())
                        && uid.value() >= uidlist().nextUid())) {
            refresh(); // perhaps a message that another process added since we last looked
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Located at = messages.get(uid.value());
            if (at == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(reader.read(at));
            } catch (NoSuchFileException moved) {
                refresh();
            } catch (IOException e) {
                throw new MessageRejectedException(
                        ErrorContext.of(store.account(), path, uid), "cannot read " + file(at) + ": " + e, e);
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
        return appendAll(List.of(request)).get(0);
    }

    /**
     * Writes every message to {@code tmp/} and forces them to disk together, then under the uidlist
     * lock moves them all in and adds their lines to the uidlist at once; a failure removes what
     * this call moved in.
     */
    @Override
    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
        checkUsable();
        if (requests.isEmpty()) {
            return List.of();
        }
        refuseWriting();
        refuseLinks(List.of("tmp", "new", "cur", UIDLIST, KEYWORDS));
        List<Pending> pending = new ArrayList<>(requests.size());
        try {
            prepareForWriting();
            for (AppendRequest request : requests) {
                pending.add(writeTemp(request));
            }
            if (store.fsync()) {
                store.force(pending.stream().map(Pending::tmp).toList());
            }
            Set<String> wanted = new TreeSet<>();
            requests.forEach(r -> wanted.addAll(r.flags().keywords()));
            registerKeywords(wanted);
            return moveIn(pending);
        } catch (DotLock.TimeoutException e) {
            throw new FolderUnusableException(ErrorContext.of(store.account(), path), e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(store.account(), path), "cannot append to " + dir + ": " + e, e);
        } finally {
            for (Pending p : pending) {
                try {
                    Files.deleteIfExists(p.tmp());
                } catch (IOException e) {
                    LOG.warn("{}: cannot remove {}: {}", store.account(), p.tmp(), e.toString());
                }
            }
        }
    }

    private Pending writeTemp(AppendRequest request) throws IOException {
        String unique = store.newUniqueName();
        Path tmp = dir.resolve("tmp").resolve(unique);
        long size = 0;
        long crlfSize = 0;
        try (FileChannel out = PrivateFiles.createFile(tmp);
                InputStream in = request.message().openStream()) {
            byte[] buffer = new byte[64 * 1024];
            int previous = -1;
            int n;
            while ((n = in.read(buffer)) > 0) {
                crlfSize += CrlfInputStream.convertedSize(buffer, n, previous);
                previous = buffer[n - 1];
                size += n;
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            Files.setLastModifiedTime(tmp, FileTime.from(request.internalDate()));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        String name = unique + ",S=" + size + ",W=" + crlfSize + (crlfSize != size ? MaildirFileName.RAW_FIELD : "");
        return new Pending(tmp, name, request.flags());
    }

    private List<Optional<MessageUid>> moveIn(List<Pending> pending) throws IOException, MailStoreException {
        List<Path> linked = new ArrayList<>(pending.size());
        List<Located> located = new ArrayList<>(pending.size());
        long first;
        try (DotLock lock = store.lock(uidlistFile)) {
            Uidlist before = loadUidlist(lock);
            first = before.nextUid();
            boolean toNew = false;
            boolean toCur = false;
            try {
                for (Pending p : pending) {
                    // Like Dovecot: a message without flags is new mail, one with flags is in cur.
                    String subdir = p.flags().isEmpty() ? "new" : "cur";
                    String fileName = p.flags().isEmpty()
                            ? p.name()
                            : new MaildirFileName(p.name(), "")
                                    .withFlagLetters(letters(p.flags(), ""))
                                    .toString();
                    Path target = dir.resolve(subdir).resolve(fileName);
                    Files.createLink(target, p.tmp());
                    linked.add(target);
                    located.add(new Located(p.name(), subdir, fileName));
                    toNew |= subdir.equals("new");
                    toCur |= subdir.equals("cur");
                }
                if (store.fsync()) {
                    if (toNew) {
                        DurableFiles.forceDirectory(dir.resolve("new"));
                    }
                    if (toCur) {
                        DurableFiles.forceDirectory(dir.resolve("cur"));
                    }
                }
                List<Uidlist.Record> records = new ArrayList<>(pending.size());
                for (Pending p : pending) {
                    records.add(new Uidlist.Record(p.name(), ""));
                }
                Uidlist after = before.plus(records);
                writeUidlist(lock, before, after);
            } catch (IOException | RuntimeException e) {
                for (Path target : linked) {
                    Files.deleteIfExists(target);
                }
                throw e;
            }
        }
        List<Optional<MessageUid>> uids = new ArrayList<>(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            if (scanned) {
                messages.put(first + i, located.get(i));
            }
            uids.add(Optional.of(MessageUid.of(first + i)));
        }
        return uids;
    }

    @Override
    public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, Flags flags) throws MailStoreException {
        checkUsable();
        refuseWriting();
        refuseLinks(List.of("tmp", "new", "cur", UIDLIST, KEYWORDS));
        if (!scanned) {
            refresh();
        }
        try {
            prepareForWriting();
            if (mode == FlagsUpdateMode.REMOVE) {
                loadKeywords();
            } else {
                registerKeywords(flags.keywords());
            }
            boolean movedFromNew = false;
            boolean moved = false;
            for (MessageUid uid : uids) {
                for (int attempt = 0; attempt < 2; attempt++) {
                    Located at = messages.get(uid.value());
                    if (at == null) {
                        break;
                    }
                    Flags current = flagsOf(at.fileName());
                    Flags updated =
                            switch (mode) {
                                case ADD -> current.plus(flags);
                                case REMOVE -> current.minus(flags);
                                case REPLACE -> flags;
                            };
                    if (updated.equals(current)) {
                        break;
                    }
                    String fileName = MaildirFileName.parse(at.fileName())
                            .withFlagLetters(letters(updated, unknownLetters(at.fileName())))
                            .toString();
                    try {
                        Files.move(file(at), dir.resolve("cur").resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
                        messages.put(uid.value(), new Located(at.base(), "cur", fileName));
                        moved = true;
                        movedFromNew |= at.subdir().equals("new");
                        break;
                    } catch (NoSuchFileException gone) {
                        refresh(); // renamed by another process meanwhile, or removed
                    }
                }
            }
            if (store.fsync() && moved) {
                DurableFiles.forceDirectory(dir.resolve("cur"));
                if (movedFromNew) {
                    DurableFiles.forceDirectory(dir.resolve("new"));
                }
            }
        } catch (DotLock.TimeoutException e) {
            throw new FolderUnusableException(ErrorContext.of(store.account(), path), e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(store.account(), path), "cannot change flags in " + dir + ": " + e, e);
        }
    }

    @Override
    public void delete(Collection<MessageUid> uids) throws MailStoreException {
        checkUsable();
        refuseWriting();
        refuseLinks(List.of("new", "cur", UIDLIST));
        if (!scanned) {
            refresh();
        }
        try {
            Set<String> touched = new TreeSet<>();
            for (MessageUid uid : uids) {
                for (int attempt = 0; attempt < 2; attempt++) {
                    Located at = messages.get(uid.value());
                    if (at == null) {
                        break;
                    }
                    if (Files.deleteIfExists(file(at))) {
                        messages.remove(uid.value());
                        touched.add(at.subdir());
                        break;
                    }
                    refresh(); // renamed by another process meanwhile, or removed
                }
            }
            // The uidlist keeps the line until it is next rewritten, as with Dovecot's expunges.
            if (store.fsync()) {
                for (String subdir : touched) {
                    DurableFiles.forceDirectory(dir.resolve(subdir));
                }
            }
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(store.account(), path), "cannot delete messages in " + dir + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /**
     * Creates whichever of {@code tmp/}, {@code new/} and {@code cur/} is missing, only now that
     * something is written: reading never adds directories to a tree.
     */
    private void prepareForWriting() throws IOException {
        for (String subdir : List.of("tmp", "new", "cur")) {
            Path sub = dir.resolve(subdir);
            if (!Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.createDirectories(sub);
            }
        }
    }

    private void refuseWriting() throws FolderUnusableException {
        if (stateIds != null) {
            throw new FolderUnusableException(
                    ErrorContext.of(store.account(), path),
                    store.readOnly() ? store.readOnlyReason() : dir + " is not writable; it is only read",
                    null);
        }
    }

    /**
     * Refuses to use a folder whose Maildir directories or control files named here are symbolic
     * links: writing through one would write outside the tree.
     */
    private void refuseLinks(List<String> names) throws FolderUnusableException {
        for (String name : names) {
            Path p = dir.resolve(name);
            if (Files.isSymbolicLink(p)) {
                throw new FolderUnusableException(
                        ErrorContext.of(store.account(), path),
                        FolderDirectories.printable(p)
                                + " is a symbolic link; the store never reads or writes through links",
                        null);
            }
        }
    }

    /**
     * What the last listing found in {@code cur/} and {@code new/} and did not take as messages:
     * symbolic links, special files, hidden files, names a uidlist cannot hold.
     */
    @Override
    public List<SkippedItem> skipped() throws MailStoreException {
        if (!scanned) {
            refresh();
        }
        return skipped;
    }

    // ---- flags

    private Flags flagsOf(String fileName) {
        String letters = MaildirFileName.parse(fileName).flagLetters();
        EnumSet<Flag> system = EnumSet.noneOf(Flag.class);
        Set<String> names = new TreeSet<>();
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            Optional<Flag> flag = MaildirFlags.flag(c);
            if (flag.isPresent()) {
                system.add(flag.get());
            } else {
                keywords.keyword(c).filter(Flags::isValidKeyword).ifPresent(names::add);
            }
        }
        return Flags.of(system, names);
    }

    /** Letters of a name that no flag stands for (mutt's {@code P}, a letter with no keyword): kept. */
    private String unknownLetters(String fileName) {
        StringBuilder kept = new StringBuilder();
        for (char c : MaildirFileName.parse(fileName).flagLetters().toCharArray()) {
            boolean known = MaildirFlags.SYSTEM_LETTERS.indexOf(c) >= 0
                    || keywords.keyword(c).filter(Flags::isValidKeyword).isPresent();
            if (!known) {
                kept.append(c);
            }
        }
        return kept.toString();
    }

    private String letters(Flags flags, String kept) {
        StringBuilder out = new StringBuilder(kept).append(MaildirFlags.letters(flags.system()));
        for (String keyword : flags.keywords()) {
            Optional<Character> letter = keywords.letter(keyword);
            if (letter.isPresent()) {
                out.append(letter.get());
            }
        }
        return out.chars()
                .distinct()
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Makes sure the keyword file names every keyword in {@code wanted}, as far as 26 letters go. */
    private void registerKeywords(Set<String> wanted) throws IOException {
        loadKeywords();
        if (wanted.stream().allMatch(k -> keywords.letter(k).isPresent())) {
            return;
        }
        try (DotLock lock = store.lock(keywordsFile)) {
            keywordsStamp = null;
            loadKeywords();
            KeywordFile updated = keywords;
            for (String keyword : wanted) {
                Optional<KeywordFile> with = updated.plus(keyword);
                if (with.isPresent()) {
                    updated = with.get();
                } else {
                    LOG.warn(
                            "{}: keyword {} dropped: a Maildir folder holds at most {} keywords",
                            new ErrorContext(store.account(), path, null),
                            keyword,
                            KeywordFile.MAX_KEYWORDS);
                    String warning = "keyword " + keyword + " dropped: a Maildir folder holds at most "
                            + KeywordFile.MAX_KEYWORDS + " keywords";
                    if (!warnings.contains(warning)) {
                        warnings.add(warning);
                    }
                }
            }
            if (!updated.equals(keywords)) {
                lock.commit(updated.format(), store.fsync());
                keywords = updated;
                keywordsStamp = stamp(keywordsFile);
            }
        }
    }

    private void loadKeywords() throws IOException {
        Stamp now = stamp(keywordsFile);
        if (now == null) {
            keywords = KeywordFile.EMPTY;
            keywordsStamp = null;
            return;
        }
        if (!now.equals(keywordsStamp)) {
            try {
                keywords = KeywordFile.parse(MaildirStore.readNoFollow(keywordsFile));
                keywordsStamp = now;
            } catch (NoSuchFileException gone) {
                keywords = KeywordFile.EMPTY;
                keywordsStamp = null;
            }
        }
    }

    // ---- uidlist and directory scans

    private Uidlist uidlist() {
        checkState(uidlist != null, "uidlist not loaded");
        return uidlist;
    }

    /**
     * Reads the uidlist again if it changed, and the keyword file; scans {@code new/} and {@code
     * cur/}; gives files that have no uid yet the next ones (in name order, as Dovecot does), and
     * rewrites the uidlist without lines of long-gone files when those pile up.
     */
    private void refresh() throws MailStoreException {
        checkUsable();
        if (stateIds != null) {
            refreshWithoutWriting(stateIds);
            return;
        }
        refuseLinks(List.of(UIDLIST, KEYWORDS));
        try {
            loadUidlist(null);
            loadKeywords();
            Map<String, Located> onDisk = scanFiles();
            List<String> unknown = new ArrayList<>();
            for (String base : onDisk.keySet()) {
                if (!uidlist().contains(base)) {
                    unknown.add(base);
                }
            }
            long gone = uidlist().records().values().stream()
                    .filter(r -> !onDisk.containsKey(r.base()))
                    .count();
            if (!unknown.isEmpty() || gone > Math.max(64, onDisk.size())) {
                try (DotLock lock = store.lock(uidlistFile)) {
                    Uidlist before = loadUidlist(lock);
                    List<String> stillUnknown = new ArrayList<>();
                    for (String base : onDisk.keySet()) {
                        if (!before.contains(base)) {
                            stillUnknown.add(base);
                        }
                    }
                    stillUnknown.sort(MAILDIR_ORDER);
                    List<Uidlist.Record> added = new ArrayList<>();
                    for (String base : stillUnknown) {
                        added.add(record(requireNonNull(onDisk.get(base))));
                    }
                    boolean compact = gone > Math.max(64, onDisk.size());
                    Uidlist after = compact
                            ? before.retaining(r -> onDisk.containsKey(r.base()))
                                    .plus(added)
                            : before.plus(added);
                    if (compact) {
                        lock.commit(after.format(), store.fsync());
                        uidlist = after;
                        uidlistStamp = stamp(uidlistFile);
                    } else if (!added.isEmpty()) {
                        writeUidlist(lock, before, after);
                    }
                }
            }
            messages.clear();
            for (Map.Entry<Long, Uidlist.Record> e : uidlist().records().entrySet()) {
                Located at = onDisk.get(e.getValue().base());
                if (at != null) {
                    messages.put(e.getKey(), at);
                }
            }
            scanned = true;
        } catch (DotLock.TimeoutException e) {
            throw new FolderUnusableException(ErrorContext.of(store.account(), path), e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new FolderUnusableException(
                    ErrorContext.of(store.account(), path), "the folder is gone (" + e.getFile() + ")", e);
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(store.account(), path), "cannot read " + dir + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new FolderUnusableException(
                    ErrorContext.of(store.account(), path),
                    uidlistFile + " is damaged (" + e.getMessage()
                            + "); move it away to have the folder renumbered with a new UIDVALIDITY",
                    e);
        }
    }

    /**
     * {@link #refresh()} for a folder the store does not write into: the tree's uidlist and keyword
     * file are read (never through a link, never locked, never written), and the ids of files the
     * tree's uidlist does not name are kept in the state directory.
     */
    private void refreshWithoutWriting(StateIds ids) throws MailStoreException {
        try {
            List<SkippedItem> links = new ArrayList<>();
            for (Path control : List.of(uidlistFile, keywordsFile)) {
                if (Files.isSymbolicLink(control)) {
                    links.add(FolderDirectories.skippedItem(
                            control, "a symbolic link; not followed, so the folder is read without it"));
                }
            }
            if (links.isEmpty()) {
                loadKeywords();
            } else {
                keywords = KeywordFile.EMPTY;
                keywordsStamp = null;
                if (!Files.isSymbolicLink(keywordsFile)) {
                    loadKeywords();
                }
            }
            Map<String, Located> onDisk = scanFiles();
            List<SkippedItem> all = new ArrayList<>(links);
            all.addAll(skipped);
            skipped = List.copyOf(all);
            Uidlist tree = Files.isSymbolicLink(uidlistFile) ? null : readTreeUidlist();
            long before = uidlist != null ? uidlist.uidValidity() : 0;
            uidlist = ids.update(
                    tree,
                    current -> {
                        List<String> unknown = new ArrayList<>();
                        for (String base : onDisk.keySet()) {
                            if (!current.contains(base)) {
                                unknown.add(base);
                            }
                        }
                        unknown.sort(MAILDIR_ORDER);
                        List<Uidlist.Record> added = new ArrayList<>(unknown.size());
                        for (String base : unknown) {
                            added.add(record(requireNonNull(onDisk.get(base))));
                        }
                        return added;
                    },
                    store.clockSeconds(),
                    onDisk.keySet());
            if (before != 0 && before != uidlist.uidValidity()) {
                countedSizes.clear();
            }
            messages.clear();
            for (Map.Entry<Long, Uidlist.Record> e : uidlist().records().entrySet()) {
                Located at = onDisk.get(e.getValue().base());
                if (at != null) {
                    messages.put(e.getKey(), at);
                }
            }
            scanned = true;
        } catch (NoSuchFileException e) {
            throw new FolderUnusableException(
                    ErrorContext.of(store.account(), path), "the folder is gone (" + e.getFile() + ")", e);
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(store.account(), path), "cannot read " + dir + ": " + e, e);
        }
    }

    /**
     * The tree's own uidlist, read but never locked or written; null if there is none. A last line
     * that Dovecot is appending right now (no newline yet) is left for the next look; a damaged list
     * is not used (with a warning), as the state directory keeps the ids then.
     */
    private @Nullable Uidlist readTreeUidlist() throws IOException {
        Stamp now = stamp(uidlistFile);
        if (now == null) {
            treeUidlist = null;
            treeUidlistStamp = null;
            return null;
        }
        if (now.equals(treeUidlistStamp)) {
            return treeUidlist;
        }
        byte[] bytes;
        try {
            bytes = MaildirStore.readNoFollow(uidlistFile);
        } catch (NoSuchFileException replacedJustNow) {
            return treeUidlist;
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        try {
            treeUidlist = Uidlist.parse(java.util.Arrays.copyOf(bytes, end));
        } catch (IllegalArgumentException e) {
            String warning = uidlistFile + " is damaged (" + e.getMessage() + "); its ids are not used";
            if (!warnings.contains(warning)) {
                warnings.add(warning);
            }
            LOG.warn("{}: {}", new ErrorContext(store.account(), path, null), warning);
            treeUidlist = null;
        }
        treeUidlistStamp = now;
        return treeUidlist;
    }

    /** A uidlist line for a file that has none: with its CRLF size, where its name lacks it. */
    private Uidlist.Record record(Located at) throws IOException {
        MaildirFileName name = MaildirFileName.parse(at.fileName());
        if (name.raw() || name.virtualSize().isPresent()) {
            return new Uidlist.Record(at.base(), "");
        }
        long size = countCrlfSize(file(at));
        countedSizes.put(at.base(), size);
        return new Uidlist.Record(at.base(), "W" + size);
    }

    /**
     * Dovecot's order for new files: by the time at the start of the name, then by the name. Names
     * that do not start with a number come last.
     */
    private static final Comparator<String> MAILDIR_ORDER =
            Comparator.comparingLong(MaildirFolder::leadingNumber).thenComparing(Comparator.naturalOrder());

    private static long leadingNumber(String base) {
        int end = 0;
        while (end < base.length() && end < 18 && Character.isDigit(base.charAt(end))) {
            end++;
        }
        return end == 0 ? Long.MAX_VALUE : Long.parseLong(base.substring(0, end));
    }

    /**
     * Reads the uidlist if it changed since it was last read, creating it (with a new UIDVALIDITY)
     * if the folder has none. {@code held} is the uidlist lock, if the caller holds it already.
     */
    private Uidlist loadUidlist(@Nullable DotLock held) throws IOException {
        while (true) {
            Stamp now = stamp(uidlistFile);
            if (now == null) {
                if (!FolderDirectories.isMaildir(dir)) {
                    throw new NoSuchFileException(dir + " (neither cur nor new)");
                }
                if (held != null) {
                    Uidlist created = Uidlist.create(store.nextUidValidity(), MaildirStore.newMailboxGuid());
                    // Written aside and renamed, so that no reader ever sees half a header.
                    Path temp = dir.resolve(UIDLIST + ".tmp-" + store.newUniqueName());
                    DurableFiles.replace(temp, uidlistFile, created.format(), store.fsync());
                    continue;
                }
                try (DotLock lock = store.lock(uidlistFile)) {
                    return loadUidlist(lock);
                }
            }
            // Inode, size and modification time (to the nanosecond) tell whether anyone wrote it.
            if (now.equals(uidlistStamp) && uidlist != null) {
                return uidlist;
            }
            byte[] bytes;
            try {
                bytes = MaildirStore.readNoFollow(uidlistFile);
            } catch (NoSuchFileException replacedJustNow) {
                continue;
            }
            Uidlist parsed = Uidlist.parse(bytes);
            if (uidlist != null && parsed.uidValidity() != uidlist.uidValidity()) {
                countedSizes.clear();
            }
            uidlist = parsed;
            uidlistStamp = now;
            return parsed;
        }
    }

    /** Writes {@code after} under the held lock: appending the new lines where possible. */
    private void writeUidlist(DotLock lock, Uidlist before, Uidlist after) throws IOException {
        if (endsWithNewline(uidlistFile)) {
            lock.append(after.formatFrom(before.nextUid()), store.fsync());
        } else {
            lock.commit(after.format(), store.fsync());
        }
        uidlist = after;
        uidlistStamp = stamp(uidlistFile);
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            channel.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }

    /**
     * Every message file in {@code new/} and {@code cur/}, by base name. Either may be missing (a
     * Maildir from git has no empty directories); both missing means the folder is gone.
     */
    private Map<String, Located> scanFiles() throws IOException {
        Map<String, Located> found = new HashMap<>();
        List<SkippedItem> notTaken = new ArrayList<>();
        Set<String> regular = new HashSet<>();
        int missing = 0;
        for (String subdir : List.of("new", "cur")) {
            Path sub = dir.resolve(subdir);
            BasicFileAttributes a = FolderDirectories.lstat(sub);
            if (a == null) {
                missing++;
                continue;
            }
            if (a.isSymbolicLink() || !a.isDirectory()) {
                notTaken.add(FolderDirectories.skippedItem(
                        sub,
                        a.isSymbolicLink()
                                ? "a symbolic link; links are never followed, so no messages are read through it"
                                : "not a directory, so no Maildir messages are read from it"));
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(sub)) {
                for (Path file : files) {
                    String fileName = file.getFileName().toString();
                    String key = subdir + "/" + fileName;
                    String reason = null;
                    if (fileName.startsWith(".")) {
                        if (IGNORED_DOT_FILES.contains(fileName)) {
                            continue;
                        }
                        reason = "a hidden file; Maildir messages never start with '.'";
                    } else if (fileName.indexOf('\n') >= 0 || fileName.indexOf('\r') >= 0) {
                        reason = "a line break in the file name, which a uidlist cannot hold";
                    } else if (MaildirFileName.baseOf(fileName).isEmpty()) {
                        reason = "no name before the ':' of the flags";
                    } else if (!regularFiles.contains(key)) {
                        BasicFileAttributes fa = FolderDirectories.lstat(file);
                        if (fa == null) {
                            continue; // moved or removed since the directory was read
                        }
                        if (fa.isSymbolicLink()) {
                            reason = "a symbolic link; links are never followed";
                        } else if (fa.isDirectory()) {
                            reason = "a directory, not a message";
                        } else if (!fa.isRegularFile()) {
                            reason = "a special file (FIFO, socket or device), not a message";
                        }
                    }
                    if (reason != null) {
                        notTaken.add(FolderDirectories.skippedItem(file, reason));
                        continue;
                    }
                    regular.add(key);
                    String base = MaildirFileName.baseOf(fileName);
                    // Seen in both while another process moves it from new to cur: cur wins.
                    found.put(base, new Located(base, subdir, fileName));
                }
            }
        }
        if (missing == 2) {
            throw new NoSuchFileException(dir + " (neither cur nor new)");
        }
        regularFiles = regular;
        skipped = List.copyOf(notTaken);
        return found;
    }

    private static @Nullable Stamp stamp(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private Path file(Located at) {
        return dir.resolve(at.subdir()).resolve(at.fileName());
    }

    private void checkUsable() {
        store.checkOpen();
        checkState(!closed, "folder %s of %s is closed", path, store.account());
    }

    private MailStoreException failure(MessageUid uid, String what, IOException e) {
        return new MessageRejectedException(ErrorContext.of(store.account(), path, uid), what + ": " + e, e);
    }
}
