package org.mailsync.mbox;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Strings;
import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.mailsync.ConnectionException;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.Generation;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageSpool;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.mailsync.spi.support.DurableFiles;

/**
 * One mbox file as a folder. The file is scanned once and again only when it changed (size,
 * modification time or inode); after our own append only the new tail is scanned.
 *
 * <p>Not thread-safe; confine to one thread (as {@link MailFolder} says). Other folders, processes
 * and mail programs may use the same file at once: writers lock it.
 */
final class MboxFolder implements MailFolder {
    private final MboxStore store;
    private final FolderPath path;
    private final Path file;
    private @Nullable MboxIndex index;
    private @Nullable FileState state;
    /** Kept open between reads of an unchanged file; reopened when the file changes. */
    private @Nullable FileChannel readChannel;

    private boolean closed;

    MboxFolder(MboxStore store, FolderPath path, Path file) {
        this.store = store;
        this.path = path;
        this.file = file;
    }

    /**
     * What the file looked like, and how much of it counts: {@code readable} is its size, or less
     * when an append journal says the bytes past it are an append in progress or interrupted.
     */
    private record FileState(long size, long modifiedNanos, @Nullable Object key, long readable) {
        static @Nullable FileState of(Path file) throws IOException {
            BasicFileAttributes a = PrivateFiles.attributes(file);
            if (a == null) {
                return null;
            }
            if (!a.isRegularFile()) {
                throw new PrivateFiles.RefusedPathException(
                        file + " is " + PrivateFiles.kind(a) + ", not an mbox file; mailsync never follows links");
            }
            long readable = a.size();
            AppendJournal.Entry journal = AppendJournal.read(file);
            if (journal != null && journal.covers(a)) {
                readable = journal.length();
            }
            return new FileState(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.fileKey(), readable);
        }
    }

    @Override
    public FolderPath path() {
        return path;
    }

    private ErrorContext context() {
        return ErrorContext.of(store.account(), path);
    }

    private ErrorContext context(MessageUid uid) {
        return ErrorContext.of(store.account(), path, uid);
    }

    private void checkOpen() {
        checkState(!closed, "folder %s is closed", path);
        store.checkOpen();
    }

    /** The current index, rescanning the file if it changed since. */
    /** Thunderbird-deleted messages left out and damaged input recovered from, for the report. */
    @Override
    public List<String> warnings() throws MailStoreException {
        MboxScanReport report = store.scanReport(path);
        List<String> out = new ArrayList<>();
        if (report.thunderbirdDeletedLeftOut() > 0) {
            out.add(report.thunderbirdDeletedLeftOut() + " message(s) deleted in Thunderbird but not compacted were"
                    + " left out (includeThunderbirdDeleted(true) imports them)");
        }
        report.problems().forEach(problem -> out.add(problem.toString()));
        out.addAll(store.notes(path));
        try {
            FileState now = FileState.of(file);
            if (now != null && now.readable() < now.size()) {
                out.add("an append to " + file + " is in progress or was interrupted (journal "
                        + AppendJournal.of(file).getFileName() + "): the " + (now.size() - now.readable())
                        + " byte(s) past offset " + now.readable() + " were not read; the next writer cuts them"
                        + " off");
            }
        } catch (IOException e) {
            out.add("cannot check " + file + " for an interrupted append: " + e);
        }
        return out;
    }

    MboxIndex index() throws MailStoreException {
        checkOpen();
        try {
            FileState now = FileState.of(file);
            if (now == null) {
                if (!path.isInbox()) {
                    throw new FolderUnusableException(context(), "the mbox file " + file + " is gone", null);
                }
                index = emptyIndex();
                state = null;
                return index;
            }
            if (index != null && now.equals(state)) {
                return index;
            }
            closeReadChannel();
            try (FileChannel ch = PrivateFiles.openForReading(file)) {
                index = MboxScanner.scan(ch, now.readable(), store.config().readFormat(), modified(now), null);
            }
            state = now;
            store.report(path, index);
            return index;
        } catch (MboxScanner.NotMboxException e) {
            throw new FolderUnusableException(context(), e.getMessage() + " (" + file + ")", e);
        } catch (PrivateFiles.RefusedPathException e) {
            throw new FolderUnusableException(context(), e.getMessage(), e);
        } catch (IOException e) {
            if (e instanceof MailStoreException mse) {
                throw mse;
            }
            throw new FolderUnusableException(context(), "cannot read " + file + ": " + e, e);
        }
    }

    private static Instant modified(FileState s) {
        return Instant.ofEpochSecond(s.modifiedNanos() / 1_000_000_000L);
    }

    private static MboxIndex emptyIndex() {
        return new MboxIndex(List.of(), 0, 1, -1, List.of(), 0, 0, 0, true, List.of(), 0);
    }

    private boolean visible(MboxEntry e) {
        return !e.pseudo && (!e.thunderbirdExpunged || store.config().includeThunderbirdDeleted());
    }

    /** The folder's generation: X-IMAPbase's UIDVALIDITY, else derived from the file itself. */
    private long generation(MboxIndex idx) throws IOException {
        if (idx.uidValidity > 0) {
            return idx.uidValidity;
        }
        return derivedGeneration(idx);
    }

    /**
     * Without an X-IMAPbase header the ids are ordinals (with X-UIDs where present). They stay
     * valid while the file only grows; a rewrite by another program (a new inode, as Thunderbird's
     * compaction makes) or a changed first message gives a new generation, so the engine re-matches
     * by identity instead of trusting shifted ordinals.
     */
    private long derivedGeneration(MboxIndex idx) throws IOException {
        Hasher h = Hashing.murmur3_32_fixed().newHasher();
        h.putString(file.toAbsolutePath().normalize().toString(), StandardCharsets.UTF_8);
        if (!idx.entries.isEmpty()) {
            MboxEntry first = idx.entries.get(0);
            FileState s = FileState.of(file);
            h.putString(String.valueOf(s == null ? null : s.key()), StandardCharsets.UTF_8);
            h.putString(first.fromLine, StandardCharsets.ISO_8859_1);
            // The start of the first message, not its length: the length of the last message of a
            // file changes when another program appends with a different separator habit.
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(512, first.contentEnd - first.contentStart));
            try (FileChannel ch = PrivateFiles.openForReading(file)) {
                while (head.hasRemaining() && ch.read(head, first.contentStart + head.position()) > 0) {
                    // read the head in full
                }
            }
            h.putBytes(head.array(), 0, head.position());
        }
        long g = h.hash().asInt() & 0x7fff_ffffL;
        return g == 0 ? 1 : g;
    }

    @Override
    public FolderStatus status() throws MailStoreException {
        MboxIndex idx = index();
        long count = idx.entries.stream().filter(this::visible).count();
        try {
            return new FolderStatus(Generation.of(generation(idx)), MessageUid.of(idx.uidNext), count, null);
        } catch (IOException e) {
            throw new FolderUnusableException(context(), "cannot read " + file + ": " + e, e);
        }
    }

    @Override
    public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
        checkArgument(query.changedSince() == null, "the mbox store %s keeps no modseqs", store.account());
        MboxIndex idx = index();
        List<MessageInfo> batch = new ArrayList<>();
        for (MboxEntry e : idx.entries) {
            if (!visible(e) || e.id < query.from().value()) {
                continue;
            }
            batch.add(MessageInfo.of(MessageUid.of(e.id), e.size, e.flags, e.internalDate));
            if (batch.size() == query.batchSize()) {
                consumer.accept(ImmutableList.copyOf(batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            consumer.accept(ImmutableList.copyOf(batch));
        }
    }

    private static @Nullable MboxEntry find(MboxIndex idx, long id) {
        List<MboxEntry> entries = idx.entries;
        // Only a c-client pseudo message (always first) has no id; the others ascend.
        int lo = !entries.isEmpty() && entries.get(0).pseudo ? 1 : 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long eid = entries.get(mid).id;
            if (eid < id) {
                lo = mid + 1;
            } else if (eid > id) {
                hi = mid - 1;
            } else {
                return entries.get(mid);
            }
        }
        return null;
    }

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        MboxIndex idx = index();
        MboxEntry e = find(idx, uid.value());
        if (e == null || !visible(e)) {
            return Optional.empty();
        }
        MessageSpool.Writer writer = store.config().spool().newWriter();
        try {
            FileChannel ch = readChannel();
            if (!fromLineStillThere(ch, e)) {
                // Rewritten between our look at it and this read (the content check): look again.
                writer.close();
                index = null;
                state = null;
                closeReadChannel();
                MboxIndex again = index();
                MboxEntry moved = find(again, uid.value());
                if (moved == null || !visible(moved) || !fromLineStillThere(readChannel(), moved)) {
                    return Optional.empty();
                }
                return read(uid);
            }
            MessageDecoder.copy(ch, e, writer);
            RawMessage raw = writer.finish();
            if (raw.size() != e.size) {
                raw.close();
                throw new StoreFailureException(
                        context(uid),
                        "message changed under us (expected " + e.size + " bytes, read " + raw.size()
                                + "); the file was rewritten by another program",
                        null);
            }
            return Optional.of(raw);
        } catch (IOException ex) {
            try {
                writer.close();
            } catch (IOException ignored) {
                ex.addSuppressed(ignored);
            }
            if (ex instanceof MailStoreException mse) {
                throw mse;
            }
            throw new MessageRejectedException(context(uid), "cannot read the message from " + file + ": " + ex, ex);
        }
    }

    private FileChannel readChannel() throws IOException {
        FileChannel ch = readChannel;
        if (ch == null || !ch.isOpen()) {
            ch = PrivateFiles.openForReading(file);
            readChannel = ch;
        }
        return ch;
    }

    private void closeReadChannel() {
        FileChannel ch = readChannel;
        readChannel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // a read-only channel has nothing to flush
            }
        }
    }

    /** Whether the message's From line is still where the index says. */
    private static boolean fromLineStillThere(FileChannel ch, MboxEntry e) throws IOException {
        byte[] expected = e.fromLine.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer actual = ByteBuffer.allocate(expected.length);
        while (actual.hasRemaining()) {
            if (ch.read(actual, e.fromOffset + actual.position()) <= 0) {
                return false;
            }
        }
        return Arrays.equals(actual.array(), expected);
    }

    /**
     * Takes the write lock and first cuts off what an interrupted append left (see {@link
     * AppendJournal}); refuses a file that is a link or not a regular file.
     */
    private MboxLock lockForWriting() throws IOException {
        MboxConfig config = store.config();
        store.checkWritable(file);
        MboxLock lock = MboxLock.acquire(file, config.lockTimeout(), config.clock());
        try {
            AppendJournal.Entry journal = AppendJournal.read(file);
            if (journal != null) {
                BasicFileAttributes a = PrivateFiles.attributes(file);
                FileChannel ch = lock.channel();
                if (journal.covers(a) && ch.size() > journal.length()) {
                    long torn = ch.size() - journal.length();
                    ch.truncate(journal.length());
                    ch.force(true);
                    store.note(
                            path,
                            "cut off " + torn + " byte(s) of an interrupted append at offset " + journal.length()
                                    + " of " + file);
                }
                AppendJournal.end(file);
                index = null;
                state = null;
            }
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
        return appendAll(List.of(request)).get(0);
    }

    /** Appends the batch under one lock and one fsync; on a failure the file is cut back (all or none). */
    @Override
    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
        checkOpen();
        if (requests.isEmpty()) {
            return List.of();
        }
        MboxConfig config = store.config();
        try {
            store.createParents(file);
        } catch (PrivateFiles.RefusedPathException e) {
            throw new FolderUnusableException(context(), e.getMessage(), e);
        } catch (IOException e) {
            throw new FolderUnusableException(context(), "cannot create " + file.getParent() + ": " + e, e);
        }
        try (MboxLock lock = lockForWriting()) {
            MboxIndex before = index();
            FileChannel ch = lock.channel();
            long oldSize = ch.size();
            long uid = before.uidNext;
            List<Optional<MessageUid>> ids = new ArrayList<>();
            AppendJournal.begin(
                    file,
                    oldSize,
                    Objects.requireNonNull(PrivateFiles.attributes(file)).fileKey());
            try {
                ch.position(oldSize);
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024);
                if (oldSize > 0 && !before.endsWithNewline) {
                    // A file that does not end in a line end (truncated, or written by a careless
                    // program): end that line, or our From line would not start one. The reader
                    // strips one line end before a From line, so the last message keeps its bytes.
                    out.write(config.lineEnding() == LineEnding.LF ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
                }
                long generation = generation(before);
                TreeSet<String> keywords = new TreeSet<>(before.baseKeywords);
                for (AppendRequest request : requests) {
                    keywords.addAll(request.flags().keywords());
                }
                for (AppendRequest request : requests) {
                    lock.touch();
                    boolean first = oldSize == 0 && ids.isEmpty();
                    String imapBase =
                            first ? MessageEncoder.imapBase(generation, uid + requests.size(), keywords) : null;
                    MessageEncoder.write(
                            out,
                            request.message(),
                            new MessageEncoder.Envelope(
                                    request.flags(),
                                    request.internalDate(),
                                    uid,
                                    imapBase,
                                    config.writeFormat(),
                                    config.lineEnding(),
                                    config.layout() == MboxLayout.THUNDERBIRD));
                    ids.add(Optional.of(MessageUid.of(uid)));
                    uid++;
                }
                out.flush();
                if (before.uidNextDigitsOffset >= 0 && uid <= 9_999_999_999L) {
                    // Dovecot's X-IMAPbase keeps uidnext in 10 digits so it can be raised in place.
                    writeFully(
                            ch,
                            String.format("%010d", uid).getBytes(StandardCharsets.US_ASCII),
                            before.uidNextDigitsOffset);
                    if (!before.baseKeywords.containsAll(keywords)) {
                        // Dovecot drops an X-Keywords word that X-IMAPbase does not list: list the new
                        // ones in the header's padding, in place, while they fit.
                        String area = " " + String.join(" ", keywords);
                        if (area.length() <= before.keywordAreaLength) {
                            writeFully(
                                    ch,
                                    Strings.padEnd(area, before.keywordAreaLength, ' ')
                                            .getBytes(StandardCharsets.ISO_8859_1),
                                    before.uidNextDigitsOffset + 10);
                        }
                    }
                }
                ch.force(true);
            } catch (IOException | RuntimeException e) {
                ch.truncate(oldSize);
                ch.force(true);
                AppendJournal.end(file);
                throw e;
            }
            AppendJournal.end(file);
            FileState now = FileState.of(file);
            if (before == index && state != null && now != null) {
                // Only our bytes were added: scan the tail, not the whole file.
                index = MboxScanner.scan(ch, ch.size(), config.readFormat(), modified(now), before);
                state = now;
                store.report(path, index);
            } else {
                index = null;
                state = null;
            }
            return ids;
        } catch (MailStoreException e) {
            throw e;
        } catch (PrivateFiles.RefusedPathException e) {
            throw new FolderUnusableException(context(), e.getMessage(), e);
        } catch (MboxLock.LockTimeoutException e) {
            // Another mail program holds the file: a transient state, like a throttling server.
            throw new ConnectionException(context(), e.getMessage(), e, true, null);
        } catch (IOException e) {
            throw new StoreFailureException(context(), "cannot append to " + file + ": " + e, e);
        }
    }

    /**
     * Changes flags by overwriting each message's status lines in place where the new lines fit in
     * the old ones' length (we pad them, as Dovecot does); otherwise rewrites the file.
     */
    @Override
    public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, Flags flags) throws MailStoreException {
        Set<Long> wanted = new HashSet<>();
        uids.forEach(u -> wanted.add(u.value()));
        Change change = e -> {
            if (!wanted.contains(e.id)) {
                return e.flags;
            }
            return switch (mode) {
                case ADD -> e.flags.plus(flags);
                case REMOVE -> e.flags.minus(flags);
                case REPLACE -> flags;
            };
        };
        if (!changeInPlace(change)) {
            rewrite(change);
        }
    }

    /** Overwrites status lines in place; false, having written nothing, if any change does not fit. */
    private boolean changeInPlace(Change change) throws MailStoreException {
        checkOpen();
        MboxConfig config = store.config();
        if (!Files.exists(file)) {
            return true;
        }
        try (MboxLock lock = lockForWriting()) {
            MboxIndex idx = index();
            List<MboxEntry> entries = new ArrayList<>(idx.entries);
            Map<Long, byte[]> writes = new TreeMap<>();
            TreeSet<String> keywords = new TreeSet<>(idx.baseKeywords);
            for (int i = 0; i < entries.size(); i++) {
                MboxEntry e = entries.get(i);
                if (!visible(e) || e.thunderbirdExpunged) {
                    continue;
                }
                Flags updated = change.apply(e);
                if (updated == null || updated.equals(e.flags)) {
                    continue;
                }
                byte[] lines = statusLinesFitting(updated, e, config.layout() == MboxLayout.THUNDERBIRD);
                if (lines == null) {
                    return false;
                }
                writes.put(e.flagRegionStart, lines);
                entries.set(i, e.withFlags(updated));
                keywords.addAll(updated.keywords());
            }
            if (writes.isEmpty()) {
                return true;
            }
            byte[] area = null;
            if (idx.uidNextDigitsOffset >= 0 && !idx.baseKeywords.containsAll(keywords)) {
                // Dovecot only keeps X-Keywords words that X-IMAPbase lists.
                String text = " " + String.join(" ", keywords);
                if (text.length() > idx.keywordAreaLength) {
                    return false;
                }
                area = Strings.padEnd(text, idx.keywordAreaLength, ' ').getBytes(StandardCharsets.ISO_8859_1);
            }
            FileChannel ch = lock.channel();
            for (Map.Entry<Long, byte[]> w : writes.entrySet()) {
                writeFully(ch, w.getValue(), w.getKey());
            }
            if (area != null) {
                writeFully(ch, area, idx.uidNextDigitsOffset + 10);
            }
            ch.force(true);
            index = new MboxIndex(
                    List.copyOf(entries),
                    idx.uidValidity,
                    idx.uidNext,
                    idx.uidNextDigitsOffset,
                    area != null ? List.copyOf(keywords) : idx.baseKeywords,
                    idx.keywordAreaLength,
                    idx.firstFromOffset,
                    idx.scannedSize,
                    idx.endsWithNewline,
                    idx.problems,
                    idx.thunderbirdExpunged);
            state = FileState.of(file);
            return true;
        } catch (MailStoreException e) {
            throw e;
        } catch (PrivateFiles.RefusedPathException e) {
            throw new FolderUnusableException(context(), e.getMessage(), e);
        } catch (MboxLock.LockTimeoutException e) {
            // Another mail program holds the file: a transient state, like a throttling server.
            throw new ConnectionException(context(), e.getMessage(), e, true, null);
        } catch (IOException e) {
            throw new StoreFailureException(context(), "cannot change flags in " + file + ": " + e, e);
        }
    }

    /** The status lines for {@code flags}, padded to the exact length of the entry's, or null. */
    private static byte @Nullable [] statusLinesFitting(Flags flags, MboxEntry e, boolean thunderbird) {
        if (e.flagRegionStart < 0) {
            return null;
        }
        long room = e.flagRegionEnd - e.flagRegionStart;
        String eol = e.crlf ? "\r\n" : "\n";
        List<String> lines = StatusHeaders.linesFor(flags, thunderbird, 0);
        long length = 0;
        for (String line : lines) {
            length += line.length() + eol.length();
        }
        if (length > room) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            out.append(lines.get(i));
            if (i == 0) {
                out.append(" ".repeat((int) (room - length))); // the keyword line takes the slack
            }
            out.append(eol);
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void writeFully(FileChannel ch, byte[] bytes, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf, offset + buf.position());
        }
    }

    @Override
    public void delete(Collection<MessageUid> uids) throws MailStoreException {
        Set<Long> wanted = new HashSet<>();
        uids.forEach(u -> wanted.add(u.value()));
        rewrite(e -> wanted.contains(e.id) ? null : e.flags);
    }

    /** The new flags of a message, or null to remove it. */
    private interface Change {
        @Nullable
        Flags apply(MboxEntry e);
    }

    /**
     * Rewrites the file into a temp file beside it and renames that over it, under the lock: the
     * From lines and message bytes are copied as they are, only the flag headers are written anew
     * (with an X-UID on every message and X-IMAPbase on the first, so ids and generation survive).
     */
    private void rewrite(Change change) throws MailStoreException {
        checkOpen();
        MboxConfig config = store.config();
        if (!Files.exists(file)) {
            return;
        }
        try (MboxLock lock = lockForWriting()) {
            MboxIndex idx = index();
            Map<MboxEntry, @Nullable Flags> changes = new HashMap<>();
            boolean any = false;
            for (MboxEntry e : idx.entries) {
                if (!visible(e)) {
                    continue;
                }
                Flags updated = change.apply(e);
                if (e.thunderbirdExpunged && updated != null) {
                    // Shown on request only: removable, but its X-Mozilla-Status stays Thunderbird's.
                    continue;
                }
                if (!Objects.equals(updated, e.flags)) {
                    any = true;
                }
                changes.put(e, updated);
            }
            if (!any) {
                return;
            }
            long generation = generation(idx);
            TreeSet<String> keywords = new TreeSet<>(idx.baseKeywords);
            for (Flags f : changes.values()) {
                if (f != null) {
                    keywords.addAll(f.keywords());
                }
            }
            FileChannel ch = lock.channel();
            Path temp = file.resolveSibling("." + file.getFileName() + ".mailsync-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            // The mode and owner of the old file are the user's: the new one keeps them.
            DurableFiles.replace(temp, file, true, outCh -> {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(outCh), 256 * 1024);
                copy(ch, 0, idx.firstFromOffset, out);
                boolean baseWritten = false;
                for (MboxEntry e : idx.entries) {
                    lock.touch();
                    if (!changes.containsKey(e)) {
                        copy(ch, e.fromOffset, e.end, out); // hidden: pseudo or Thunderbird-expunged
                        continue;
                    }
                    Flags flags = changes.get(e);
                    if (flags == null) {
                        continue;
                    }
                    byte[] eol = e.crlf ? new byte[] {'\r', '\n'} : new byte[] {'\n'};
                    copy(ch, e.fromOffset, e.contentStart, out);
                    if (!baseWritten) {
                        writeLine(out, MessageEncoder.imapBase(generation, idx.uidNext, keywords), eol);
                        baseWritten = true;
                    }
                    for (String header : StatusHeaders.linesFor(
                            flags, config.layout() == MboxLayout.THUNDERBIRD, StatusHeaders.PADDING)) {
                        writeLine(out, header, eol);
                    }
                    if (e.contentLength >= 0) {
                        writeLine(out, "Content-Length: " + e.contentLength, eol);
                    }
                    writeLine(out, "X-UID: " + e.id, eol);
                    long at = e.contentStart;
                    for (int i = 0; i < e.cuts.length; i += 2) {
                        copy(ch, at, e.cuts[i], out);
                        at = e.cuts[i + 1];
                    }
                    copy(ch, at, e.end, out);
                }
                out.flush();
                keepOwnerAndMode(file, temp);
            });
            index = null;
            state = null;
            index();
        } catch (MailStoreException e) {
            throw e;
        } catch (PrivateFiles.RefusedPathException e) {
            throw new FolderUnusableException(context(), e.getMessage(), e);
        } catch (MboxLock.LockTimeoutException e) {
            // Another mail program holds the file: a transient state, like a throttling server.
            throw new ConnectionException(context(), e.getMessage(), e, true, null);
        } catch (IOException e) {
            throw new StoreFailureException(context(), "cannot rewrite " + file + ": " + e, e);
        }
    }

    private static void writeLine(OutputStream out, String text, byte[] eol) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.write(eol);
    }

    private static void copy(FileChannel ch, long from, long to, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(256 * 1024, Math.max(0, to - from)));
        long at = from;
        while (at < to) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), to - at));
            int n = ch.read(buf, at);
            if (n <= 0) {
                throw new IOException("unexpected end of file at offset " + at);
            }
            out.write(buf.array(), 0, n);
            at += n;
        }
    }

    private static void keepOwnerAndMode(Path original, Path temp) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(original, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        PosixFileAttributes attrs = view.readAttributes();
        Files.setPosixFilePermissions(temp, attrs.permissions());
        try {
            Files.setOwner(temp, attrs.owner());
            Files.getFileAttributeView(temp, PosixFileAttributeView.class).setGroup(attrs.group());
        } catch (IOException notPermitted) {
            // Only root may give a file away; an ordinary user's rewrite keeps its own ownership.
        }
    }

    @Override
    public void close() {
        closed = true;
        closeReadChannel();
    }
}
