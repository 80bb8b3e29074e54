package org.mailsync.eml;

import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableListMultimap;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
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
import org.mailsync.spi.support.DurableFiles;
import org.mailsync.spi.support.Headers;

/**
 * One open folder of {@code .eml} files. Each listing or status looks at the directory again;
 * what reading a file the store did not write costs is kept by the store while the file is
 * unchanged.
 *
 * <p>Not thread-safe; confine to one thread. Writes to one directory are serialised by the store.
 */
final class EmlFolder implements MailFolder {
    /** The generation of a folder without a sidecar: its ids come from the files' bytes. */
    static final long DERIVED_GENERATION = 1;

    /** One message file as the last scan saw it. */
    private record Msg(
            long uid, String fileName, boolean asStored, long fileSize, long size, Flags flags, Instant date) {}

    private final EmlStore store;
    private final FolderPath path;
    private final Path dir;
    private final TreeMap<Long, Msg> messages = new TreeMap<>();
    private @Nullable Sidecar sidecar;
    private @Nullable String sidecarProblem;
    private long generation = DERIVED_GENERATION;
    private long next = 1;
    private List<SkippedItem> skipped = List.of();
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean scanned;
    private boolean closed;

    EmlFolder(EmlStore store, FolderPath path, Path dir) {
        this.store = store;
        this.path = path;
        this.dir = dir;
    }

    @Override
    public FolderPath path() {
        return path;
    }

    @Override
    public FolderStatus status() throws MailStoreException {
        refresh();
        return new FolderStatus(Generation.of(generation), MessageUid.of(next), messages.size(), null);
    }

    @Override
    public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
        if (query.changedSince() != null) {
            throw new IllegalArgumentException("store " + store.account() + " keeps no modseqs");
        }
        refresh();
        List<MessageInfo> batch = new ArrayList<>();
        for (Msg m : messages.tailMap(query.from().value(), true).values()) {
            batch.add(MessageInfo.of(MessageUid.of(m.uid()), m.size(), m.flags(), m.date()));
            if (batch.size() == query.batchSize()) {
                consumer.accept(List.copyOf(batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            consumer.accept(List.copyOf(batch));
        }
    }

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        Msg m = find(uid);
        if (m == null) {
            return Optional.empty();
        }
        try (InputStream in = open(m)) {
            return Optional.of(store.spool().spool(in, m.size()));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new MessageRejectedException(
                    ErrorContext.of(store.account(), path, uid),
                    "cannot read " + dir.resolve(m.fileName()) + ": " + e,
                    e);
        }
    }

    @Override
    public void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
        for (MessageUid uid : uids) {
            Msg m = find(uid);
            if (m == null) {
                continue;
            }
            byte[] block;
            try (InputStream in = new BufferedInputStream(open(m), 8192)) {
                block = Headers.readHeaderBlock(in);
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw new MessageRejectedException(
                        ErrorContext.of(store.account(), path, uid),
                        "cannot read " + dir.resolve(m.fileName()) + ": " + e,
                        e);
            }
            consumer.accept(uid, block);
        }
    }

    private @Nullable Msg find(MessageUid uid) throws MailStoreException {
        checkUsable();
        if (!scanned || (!messages.containsKey(uid.value()) && uid.value() >= next)) {
            refresh();
        }
        return messages.get(uid.value());
    }

    /** The file's bytes as served, never through a link; a file that changed since the scan is gone. */
    private InputStream open(Msg m) throws IOException {
        Path file = dir.resolve(m.fileName());
        InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        try {
            BasicFileAttributes a = EmlStore.lstat(file);
            if (a == null || !a.isRegularFile() || a.size() != m.fileSize()) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "changed since it was listed");
            }
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return m.asStored() ? in : new CrlfInputStream(in);
    }

    // ---- writing

    @Override
    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
        return appendAll(List.of(request)).get(0);
    }

    /** A message written to its temp file, waiting for its name. */
    private record Pending(Path temp, String wantedName, long size, Flags flags) {}

    /**
     * Writes each message to a temp file in the folder (forced), then, under the folder's lock,
     * records them in the sidecar (forced) and renames them into place. A crash before the sidecar
     * leaves only temp files (removed by the next write); one after it leaves ids whose files never
     * arrived, which nothing lists: nothing is lost and nothing is there twice.
     */
    @Override
    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
        checkUsable();
        store.refuseWriting(path);
        if (requests.isEmpty()) {
            return List.of();
        }
        List<Pending> pending = new ArrayList<>();
        ReentrantLock lock = store.lockFor(dir);
        try {
            for (AppendRequest r : requests) {
                pending.add(writeTemp(r));
            }
            lock.lock();
            try {
                refresh();
                refuseDamagedSidecar();
                removeStaleTemps(pending);
                Map<String, Sidecar.Entry> entries = liveEntries();
                Set<String> taken = new HashSet<>(names);
                entries.keySet().forEach(n -> taken.add(SafeNames.key(n)));
                long uid = next;
                List<String> finalNames = new ArrayList<>();
                List<Optional<MessageUid>> ids = new ArrayList<>();
                for (Pending p : pending) {
                    String name = p.wantedName();
                    for (int n = 2; taken.contains(SafeNames.key(name)); n++) {
                        name = SafeNames.numbered(p.wantedName(), n);
                    }
                    taken.add(SafeNames.key(name));
                    finalNames.add(name);
                    entries.put(name, new Sidecar.Entry(uid, p.size(), p.flags(), name, true));
                    ids.add(Optional.of(MessageUid.of(uid)));
                    uid++;
                }
                // The sidecar first: once a file has its final name, its id and flags are on disk.
                writeSidecar(entries, uid);
                store.reached("sidecar-written");
                for (int i = 0; i < pending.size(); i++) {
                    place(pending.get(i).temp(), dir.resolve(finalNames.get(i)));
                }
                if (store.fsync()) {
                    DurableFiles.forceDirectory(dir);
                }
                store.reached("files-placed");
                scanned = false;
                return ids;
            } finally {
                lock.unlock();
            }
        } catch (MailStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(store.account(), path), "cannot append to " + dir + ": " + e, e);
        } finally {
            for (Pending p : pending) {
                try {
                    Files.deleteIfExists(p.temp());
                } catch (IOException e) {
                    warnings.add("cannot remove the temp file " + p.temp() + ": " + e);
                }
            }
        }
    }

    /**
     * Removes temp files a killed write left (older than an hour, so never one another writer of
     * this tree is still filling); never this call's own.
     */
    private void removeStaleTemps(List<Pending> ours) throws IOException {
        Set<Path> own = new HashSet<>();
        ours.forEach(p -> own.add(p.temp()));
        Instant cutoff = store.now().minus(1, ChronoUnit.HOURS);
        for (Path p : EmlStore.entries(dir)) {
            String name = p.getFileName().toString();
            if (!name.startsWith(EmlStore.CONTROL_PREFIX) || !name.contains(".tmp") || own.contains(p)) {
                continue;
            }
            BasicFileAttributes a = EmlStore.lstat(p);
            if (a != null
                    && a.isRegularFile()
                    && a.lastModifiedTime().toInstant().isBefore(cutoff)) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Pending writeTemp(AppendRequest r) throws IOException, MailStoreException {
        byte[] header = Headers.readHeaderBlock(r.message());
        if (header.length >= 3
                && (header[0] & 0xff) == 0xEF
                && (header[1] & 0xff) == 0xBB
                && (header[2] & 0xff) == 0xBF) {
            // A UTF-8 byte order mark some Windows tools write: not part of the first field's name.
            header = java.util.Arrays.copyOfRange(header, 3, header.length);
        }
        ImmutableListMultimap<String, String> fields = Headers.parse(header);
        String subject = fields.get("subject").isEmpty()
                ? ""
                : SafeNames.rawHeaderText(fields.get("subject").get(0));
        String name = SafeNames.messageFileName(r.internalDate(), subject);
        checkDirectory();
        Path temp = dir.resolve(EmlStore.CONTROL_PREFIX + "-" + UUID.randomUUID() + ".tmp");
        long size = 0;
        try (FileChannel out = DurableFiles.openPrivate(temp);
                InputStream in = r.message().openStream()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                size += n;
            }
            if (store.fsync()) {
                out.force(true);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.setLastModifiedTime(temp, FileTime.from(r.internalDate()));
        return new Pending(temp, name, size, r.flags());
    }

    /** Gives a temp file its final name; never replaces a file that is there (a link in its place neither). */
    private static void place(Path temp, Path target) throws IOException {
        try {
            Files.createLink(target, temp);
            Files.delete(temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            // No hard links (FAT, exFAT, some network file systems): a move, which refuses an
            // existing name too.
            Files.move(temp, target);
        }
    }

    @Override
    public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, Flags flags) throws MailStoreException {
        editSidecar("change flags", false, entries -> {
            boolean changed = false;
            for (MessageUid uid : uids) {
                Msg m = messages.get(uid.value());
                if (m == null) {
                    continue;
                }
                Flags updated =
                        switch (mode) {
                            case ADD -> m.flags().plus(flags);
                            case REMOVE -> m.flags().minus(flags);
                            case REPLACE -> flags;
                        };
                if (!updated.equals(m.flags())) {
                    entries.put(
                            m.fileName(),
                            new Sidecar.Entry(m.uid(), m.fileSize(), updated, m.fileName(), m.asStored()));
                    changed = true;
                }
            }
            return changed;
        });
    }

    @Override
    public void delete(Collection<MessageUid> uids) throws MailStoreException {
        // Written even for files that had no entry: the next id must not go back.
        editSidecar("delete messages", true, entries -> {
            boolean changed = false;
            for (MessageUid uid : uids) {
                Msg m = messages.get(uid.value());
                if (m == null) {
                    continue;
                }
                Files.deleteIfExists(dir.resolve(m.fileName()));
                entries.remove(m.fileName());
                changed = true;
            }
            return changed;
        });
    }

    /** A change to the folder's files and sidecar entries; says whether it changed anything. */
    private interface SidecarEdit {
        boolean apply(Map<String, Sidecar.Entry> entries) throws IOException;
    }

    /**
     * Runs {@code edit} under the folder's lock on the entries of the files there now, and writes
     * the sidecar when it changed something ({@code forceDirectory}: then the directory too, for a
     * change that removed files).
     */
    private void editSidecar(String action, boolean forceDirectory, SidecarEdit edit) throws MailStoreException {
        checkUsable();
        store.refuseWriting(path);
        ReentrantLock lock = store.lockFor(dir);
        lock.lock();
        try {
            refresh();
            refuseDamagedSidecar();
            Map<String, Sidecar.Entry> entries = liveEntries();
            if (edit.apply(entries)) {
                writeSidecar(entries, next);
                if (forceDirectory && store.fsync()) {
                    DurableFiles.forceDirectory(dir);
                }
                scanned = false;
            }
        } catch (MailStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreFailureException(
                    ErrorContext.of(store.account(), path), "cannot " + action + " in " + dir + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The sidecar entries of the files there now: those of the store's own files, and one for every
     * other message file with the id it has (derived from its bytes), so that its id never changes
     * when the sidecar is written. Entries of files that are gone are dropped.
     */
    private Map<String, Sidecar.Entry> liveEntries() {
        Map<String, Sidecar.Entry> entries = new LinkedHashMap<>();
        for (Msg m : messages.values()) {
            Sidecar.Entry own = sidecar == null ? null : sidecar.entries().get(m.fileName());
            entries.put(
                    m.fileName(),
                    own != null && own.uid() == m.uid()
                            ? own
                            : new Sidecar.Entry(m.uid(), m.fileSize(), m.flags(), m.fileName(), m.asStored()));
        }
        return entries;
    }

    private void writeSidecar(Map<String, Sidecar.Entry> entries, long newNext) throws IOException {
        Sidecar s = sidecar != null
                ? sidecar.withEntries(entries, Math.max(newNext, sidecar.next()))
                : new Sidecar(null, generation, newNext, entries);
        checkDirectory();
        store.writeSidecar(dir, s);
        sidecar = s;
    }

    private void refuseDamagedSidecar() throws FolderUnusableException {
        if (sidecarProblem != null) {
            throw new FolderUnusableException(ErrorContext.of(store.account(), path), sidecarProblem, null);
        }
    }

    /** The folder's directory must still be a directory, and not a link. */
    private void checkDirectory() throws IOException {
        BasicFileAttributes a = EmlStore.lstat(dir);
        if (a == null || !a.isDirectory() || a.isSymbolicLink()) {
            throw new IOException(dir + " is no longer a directory (removed, or replaced by a link)");
        }
    }

    // ---- scanning

    /**
     * Reads the sidecar and the directory again: every {@code .eml} file is a message; ids from the
     * sidecar for the store's own files, derived from the bytes for the others.
     */
    private void refresh() throws MailStoreException {
        checkUsable();
        try {
            BasicFileAttributes d = EmlStore.lstat(dir);
            if (d == null && dir.equals(store.root())) {
                clear(null);
                return; // a root not created yet: an empty inbox
            }
            if (d == null || !d.isDirectory() || d.isSymbolicLink()) {
                throw new FolderUnusableException(
                        ErrorContext.of(store.account(), path), "the folder's directory " + dir + " is gone", null);
            }
            List<SkippedItem> notTaken = new ArrayList<>();
            Sidecar side = null;
            sidecarProblem = null;
            BasicFileAttributes sa = EmlStore.lstat(dir.resolve(Sidecar.FILE_NAME));
            if (sa != null && !sa.isRegularFile()) {
                sidecarProblem = Sidecar.FILE_NAME + " is not a regular file (a link?); it is never read or written"
                        + " through, so the folder is read as if it had none and is not written";
                notTaken.add(store.skippedItem(dir.resolve(Sidecar.FILE_NAME), sidecarProblem));
            } else if (sa != null) {
                try {
                    side = Sidecar.parse(DurableFiles.read(dir.resolve(Sidecar.FILE_NAME)));
                } catch (IllegalArgumentException e) {
                    sidecarProblem = dir.resolve(Sidecar.FILE_NAME) + " is damaged (" + e.getMessage()
                            + "); its flags and ids are not used, and the folder is not written until it is moved away";
                    if (!warnings.contains(sidecarProblem)) {
                        warnings.add(sidecarProblem);
                    }
                }
            }
            clear(side);
            names.clear();
            List<Path> foreign = new ArrayList<>();
            List<BasicFileAttributes> foreignAttributes = new ArrayList<>();
            Set<Long> taken = new HashSet<>();
            for (Path p : EmlStore.entries(dir)) {
                String name = p.getFileName().toString();
                names.add(SafeNames.key(name));
                if (EmlStore.isControl(name)) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = EmlStore.lstat(p);
                } catch (IOException | java.nio.file.InvalidPathException e) {
                    notTaken.add(store.skippedItem(p, "its name cannot be read in this system's encoding"));
                    continue;
                }
                if (a == null || (a.isDirectory() && !a.isSymbolicLink())) {
                    continue; // gone, or a sub-folder (the store names those it does not read)
                }
                String reason = null;
                if (a.isSymbolicLink()) {
                    reason = "a symbolic link; links are never followed";
                } else if (!a.isRegularFile()) {
                    reason = "a special file (FIFO, socket or device), not a message";
                } else if (!EmlStore.isMessageName(name)) {
                    reason = "not an .eml file";
                } else if (name.startsWith("._")) {
                    reason = "a macOS resource fork (AppleDouble ._ file), not a message";
                }
                if (reason != null) {
                    notTaken.add(store.skippedItem(p, reason));
                    continue;
                }
                Sidecar.Entry own = side == null ? null : side.entries().get(name);
                if (own != null && own.size() == a.size() && !taken.contains(own.uid())) {
                    long size = own.asStored() ? a.size() : store.facts(p, a).servedSize();
                    messages.put(
                            own.uid(),
                            new Msg(own.uid(), name, own.asStored(), a.size(), size, own.flags(), dateFor(p, a, own)));
                    taken.add(own.uid());
                    continue;
                }
                foreign.add(p);
                foreignAttributes.add(a);
            }
            // Files the sidecar does not name: ids from their bytes, a collision (two identical
            // files) settled in name order, so the same files always get the same ids.
            for (int i = 0; i < foreign.size(); i++) {
                Path p = foreign.get(i);
                BasicFileAttributes a = foreignAttributes.get(i);
                EmlStore.FileFacts f;
                try {
                    f = store.facts(p, a);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                } catch (IOException e) {
                    notTaken.add(store.skippedItem(p, "cannot be read: " + e.getMessage()));
                    continue;
                }
                long uid = f.contentId();
                while (taken.contains(uid) || messages.containsKey(uid)) {
                    uid++;
                }
                taken.add(uid);
                Instant date = store.plausible(a.lastModifiedTime().toInstant())
                        .or(() -> Optional.ofNullable(f.dateHeader()))
                        .orElse(a.lastModifiedTime().toInstant())
                        .truncatedTo(ChronoUnit.SECONDS);
                messages.put(
                        uid,
                        new Msg(uid, p.getFileName().toString(), false, a.size(), f.servedSize(), Flags.NONE, date));
            }
            long highest = messages.isEmpty() ? 0 : messages.lastKey();
            next = Math.max(next, highest + 1);
            skipped = List.copyOf(notTaken);
            scanned = true;
        } catch (MailStoreException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreFailureException(ErrorContext.of(store.account(), path), "cannot read " + dir + ": " + e, e);
        }
    }

    /** The internal date of a file the sidecar names: its modification time, which append set. */
    private Instant dateFor(Path p, BasicFileAttributes a, Sidecar.Entry own) throws IOException {
        Instant t = a.lastModifiedTime().toInstant();
        if (own.asStored() || store.plausible(t).isPresent()) {
            return t.truncatedTo(ChronoUnit.SECONDS);
        }
        Instant header = store.facts(p, a).dateHeader();
        return (header != null ? header : t).truncatedTo(ChronoUnit.SECONDS);
    }

    private void clear(@Nullable Sidecar side) {
        messages.clear();
        sidecar = side;
        generation = side != null ? side.generation() : DERIVED_GENERATION;
        next = side != null ? side.next() : 1;
    }

    @Override
    public List<SkippedItem> skipped() throws MailStoreException {
        if (!scanned) {
            refresh();
        }
        return skipped;
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkUsable() {
        store.checkOpen();
        checkState(!closed, "folder %s of %s is closed", path, store.account());
    }
}
