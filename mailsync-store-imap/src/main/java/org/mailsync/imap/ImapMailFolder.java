package org.mailsync.imap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.Lists;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.ResyncData;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.MailboxInfo;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.jspecify.annotations.Nullable;
import org.mailsync.Capability;
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
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MessageQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selected IMAP mailbox on a connection of its own. A lost connection is replaced on the next
 * call (and the mailbox selected again, checking that UIDVALIDITY did not change), so the folder
 * stays usable after a failure; idempotent commands are retried at once under the store's policy.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class ImapMailFolder implements MailFolder {
    /** UIDs per FETCH or STORE command: long enough to be fast, short enough for any server's line limit. */
    private static final int UIDS_PER_COMMAND = 500;

    /** Bodies fetched in one command are held until it ends: at most this many bytes of them. */
    private static final long BATCH_BYTES = 8L << 20;

    /** Messages above the spool threshold are read in chunks of this size, straight to the spool. */
    private static final int CHUNK = 4 << 20;

    /** What a response may hold besides a message's literal (FETCH items, the line itself). */
    private static final int RESPONSE_SLACK = 64 * 1024;

    /** More VANISHED UIDs than this are not listed: the caller compares a full listing instead. */
    private static final long MAX_VANISHED = 1_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(ImapMailFolder.class);

    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID (\\d+) ([0-9:,]+)\\]");

    private static final Pattern COPYUID = Pattern.compile("\\[COPYUID (\\d+) ([0-9:,]+) ([0-9:,]+)\\]");

    private final ImapStore store;
    private final Settings settings;
    private final FolderPath path;
    private final String name;
    private final boolean condstore;
    private final boolean qresync;
    private @Nullable Connection connection;
    private long uidValidity;
    private boolean anyKeyword;
    private Set<String> knownKeywords = Set.of();
    private boolean closed;
    /** A UID no message appended from now on can have below (UIDNEXT seen last); 0 if unknown. */
    private long uidNextFloor;
    /**
     * Set while {@link #appendAll} sends one APPEND per message: the check that the new UIDs are
     * below the folder's UIDNEXT is then made once for all of them, not with a STATUS per message.
     */
    private boolean deferUpperCheck;

    /**
     * Whether the connection's last command was the SELECT: only then does the session's view of
     * the mailbox include everything (see {@link #catchUp}).
     */
    private boolean justSelected;
    /** Messages were appended since the session last caught up (see {@link #catchUp}). */
    private boolean appendedSinceCatchUp;

    /** Keywords this folder could not keep (PERMANENTFLAGS), with how many messages lost each. */
    private final Map<String, Long> keywordsNotKept = new TreeMap<>();

    /**
     * {@code [ALERT]} texts the server sent on this folder's connection, or on store-level
     * commands since the last folder of this store reported them, each with how often it came.
     */
    private final Map<String, Integer> alerts = new LinkedHashMap<>();

    /** A connection borrowed for this folder by {@link ImapStore#tryOpenFolder}, until selected. */
    private @Nullable Connection given;

    private ImapMailFolder(ImapStore store, FolderPath path, String name) {
        this.store = store;
        this.settings = store.settings();
        this.path = path;
        this.name = name;
        this.condstore = store.capabilities().has(Capability.MODSEQ);
        this.qresync = store.capabilities().has(Capability.VANISHED);
    }

    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    static ImapMailFolder open(ImapStore store, FolderPath path, String name) throws MailStoreException {
        ImapMailFolder folder = new ImapMailFolder(store, path, name);
        folder.run("SELECT", true, (p, c) -> null);
        return folder;
    }

    /** Opens the folder on {@code given}, a connection borrowed for it (released on failure). */
    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    static ImapMailFolder open(ImapStore store, FolderPath path, String name, Connection given)
            throws MailStoreException {
        ImapMailFolder folder = new ImapMailFolder(store, path, name);
        folder.given = given;
        try {
            folder.run("SELECT", true, (p, c) -> null);
        } catch (MailStoreException | RuntimeException e) {
            folder.close();
            throw e;
        }
        return folder;
    }

    private ErrorContext context() {
        return ErrorContext.of(settings.account(), path);
    }

    private ErrorContext context(MessageUid uid) {
        return ErrorContext.of(settings.account(), path, uid);
    }

    /** The connection with this mailbox selected, made anew if the last one was lost. */
    private Connection connection() throws Exception {
        checkState(!closed, "folder %s is closed", path);
        if (connection != null && !connection.broken()) {
            return connection;
        }
        if (connection != null) {
            store.pool().release(connection);
            connection = null;
        }
        Connection c = given != null ? given : store.pool().borrow();
        given = null;
        try {
            MailboxInfo info = c.call((p, conn) -> condstore ? p.select(name, ResyncData.CONDSTORE) : p.select(name));
            if (uidValidity != 0 && info.uidvalidity != uidValidity) {
                throw new FolderUnusableException(
                        context(),
                        "UIDVALIDITY changed from " + uidValidity + " to " + info.uidvalidity
                                + " while the folder was open: its message ids are void; open it again",
                        null);
            }
            uidValidity = info.uidvalidity;
            if (info.uidnext > 0) {
                uidNextFloor = Math.max(uidNextFloor, info.uidnext);
            }
            anyKeyword = info.permanentFlags != null && info.permanentFlags.contains(jakarta.mail.Flags.Flag.USER);
            Set<String> known = new HashSet<>();
            if (info.permanentFlags != null) {
                known.addAll(List.of(info.permanentFlags.getUserFlags()));
            }
            if (info.availableFlags != null) {
                known.addAll(List.of(info.availableFlags.getUserFlags()));
            }
            knownKeywords = Set.copyOf(known);
            c.selected(name);
            justSelected = true;
        } catch (Exception | Error e) {
            store.pool().release(c);
            throw e;
        }
        connection = c;
        return c;
    }

    private <T> T run(String what, boolean idempotent, Connection.Call<T> call) throws MailStoreException {
        return Retrier.run(
                settings,
                context(),
                what,
                idempotent,
                () -> connection().call(marking(what, call)),
                f -> what.equals("SELECT")
                        ? new FolderUnusableException(context(), "cannot select: " + f.text(), f.cause())
                        : new StoreFailureException(context(), what + " failed: " + f.text(), f.cause()));
    }

    /**
     * {@code call}, after which the session's view is no longer fresh from the SELECT, unless the
     * call was the opening SELECT itself. Every command on the connection goes through this.
     */
    private <T> Connection.Call<T> marking(String what, Connection.Call<T> call) {
        return (p, c) -> {
            if (appendedSinceCatchUp && what.startsWith("UID ")) {
                // A message this folder appended must be there for the next UID FETCH, STORE or
                // EXPUNGE, on servers that show appends to a session only after a NOOP (Courier).
                catchUp(p);
            }
            try {
                return call.run(p, c);
            } finally {
                justSelected &= what.equals("SELECT");
            }
        };
    }

    /**
     * Makes the session see what was added to the selected mailbox since it was selected, by this
     * connection or any other: a NOOP, unless the last command was the SELECT. Courier-IMAP, for
     * one, shows new messages to a session (in FETCH, SEARCH, even STATUS of the selected mailbox)
     * only after a NOOP; RFC 3501 6.1.2 makes NOOP the way to ask for such updates. Without it,
     * settling an APPEND without APPENDUID found nothing, and the next pass copied again.
     */
    private void catchUp(IMAPProtocol p) throws org.eclipse.angus.mail.iap.ProtocolException {
        if (!justSelected) {
            p.noop();
        }
        appendedSinceCatchUp = false;
    }

    @Override
    public FolderPath path() {
        return path;
    }

    @Override
    public FolderStatus status() throws MailStoreException {
        List<String> items = new ArrayList<>(List.of("MESSAGES", "UIDNEXT", "UIDVALIDITY"));
        if (condstore) {
            items.add("HIGHESTMODSEQ");
        }
        Status status = run("STATUS", true, (p, c) -> {
            catchUp(p);
            return p.status(name, items.toArray(new String[0]));
        });
        return new FolderStatus(
                Generation.of(status.uidvalidity),
                MessageUid.of(Math.max(1, status.uidnext)),
                status.total,
                condstore ? ModSeq.of(Math.max(0, status.highestmodseq)) : null);
    }

    @Override
    public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
        checkArgument(
                query.changedSince() == null || condstore,
                "server of %s has no CONDSTORE: no changedSince queries",
                settings.account());
        ModSeq since = query.changedSince();
        long from = query.from().value();
        // First the ids (cheap), then the metadata in batches, each handed over after its command
        // ends: the consumer may call back into this folder, which uses the same connection.
        String modifier = since == null ? "" : " (CHANGEDSINCE " + since.value() + ")";
        List<MessageUid> uids = run("UID FETCH (UID)", true, (p, c) -> {
            catchUp(p);
            TreeSet<Long> found = new TreeSet<>();
            Commands.stream(p, "UID FETCH " + from + ":* (UID)" + modifier, null, r -> {
                if (r instanceof FetchResponse f && f.getItem(UID.class) != null) {
                    found.add(f.getItem(UID.class).uid);
                }
            });
            List<MessageUid> out = new ArrayList<>();
            // "n:*" includes the highest UID even when it is below n (RFC 3501 6.4.8).
            for (long uid : found.tailSet(from)) {
                out.add(MessageUid.of(uid));
            }
            return out;
        });
        String items = "(UID FLAGS RFC822.SIZE INTERNALDATE" + (condstore ? " MODSEQ)" : ")");
        for (List<MessageUid> batch : Lists.partition(uids, query.batchSize())) {
            List<MessageInfo> infos = new ArrayList<>(batch.size());
            for (List<MessageUid> part : Lists.partition(batch, UIDS_PER_COMMAND)) {
                infos.addAll(run("UID FETCH metadata", true, (p, c) -> {
                    TreeMap<Long, MessageInfo> found = new TreeMap<>();
                    Commands.stream(p, "UID FETCH " + Commands.uidSet(part) + " " + items, null, r -> {
                        if (r instanceof FetchResponse f) {
                            MessageInfo info = Commands.messageInfo(f);
                            if (info != null) {
                                found.put(info.uid().value(), info);
                            }
                        }
                    });
                    return new ArrayList<>(found.values());
                }));
            }
            if (since != null) {
                infos.removeIf(m -> m.modSeq() != null && m.modSeq().compareTo(since) <= 0);
            }
            if (!infos.isEmpty()) {
                consumer.accept(List.copyOf(infos));
            }
        }
    }

    /** Messages, bytes and the largest by one {@code UID FETCH 1:* (UID RFC822.SIZE)}; see {@link ImapStore#folderSize}. */
    org.mailsync.FolderSize sizes(long largerThan) throws MailStoreException {
        long[] sum = run("UID FETCH (RFC822.SIZE)", true, (p, c) -> {
            catchUp(p);
            Map<Long, Long> sizes = new HashMap<>();
            Commands.stream(p, "UID FETCH 1:* (UID RFC822.SIZE)", null, r -> {
                if (r instanceof FetchResponse f) {
                    MessageInfo info = Commands.messageInfo(f);
                    if (info != null) {
                        sizes.put(info.uid().value(), info.size()); // a UID answered twice counts once
                    }
                }
            });
            long[] out = new long[4];
            for (long size : sizes.values()) {
                out[0]++;
                out[1] += size;
                out[2] = Math.max(out[2], size);
                out[3] += largerThan > 0 && size > largerThan ? 1 : 0;
            }
            return out;
        });
        return new org.mailsync.FolderSize(sum[0], sum[1], sum[0] == 0 ? null : sum[2], sum[3]);
    }

    /**
     * How many messages are larger than {@code bound} and the largest of them ({@code UID SEARCH
     * LARGER bound}, then their RFC822.SIZE): {count, largest}.
     */
    long[] sizesAbove(long bound) throws MailStoreException {
        return run("UID SEARCH LARGER", true, (p, c) -> {
            catchUp(p);
            TreeSet<Long> hits = new TreeSet<>();
            Commands.stream(p, "UID SEARCH LARGER " + bound, null, r -> hits.addAll(ImapCapacity.searchHits(r)));
            long[] out = new long[2];
            for (List<Long> part : Lists.partition(new ArrayList<>(hits), UIDS_PER_COMMAND)) {
                List<MessageUid> uids = part.stream().map(MessageUid::of).toList();
                Map<Long, Long> sizes = new HashMap<>();
                Commands.stream(p, "UID FETCH " + Commands.uidSet(uids) + " (UID RFC822.SIZE)", null, r -> {
                    if (r instanceof FetchResponse f) {
                        MessageInfo info = Commands.messageInfo(f);
                        if (info != null && hits.contains(info.uid().value())) {
                            sizes.put(info.uid().value(), info.size());
                        }
                    }
                });
                for (long size : sizes.values()) {
                    // The server's SEARCH and its RFC822.SIZE must agree; a message that is not
                    // larger after all is not counted.
                    if (size > bound) {
                        out[0]++;
                        out[1] = Math.max(out[1], size);
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        List<RawMessage> found = new ArrayList<>(1);
        readAll(List.of(uid), (id, raw) -> found.add(raw));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        for (List<MessageUid> part : Lists.partition(uids, UIDS_PER_COMMAND)) {
            Map<Long, Long> sizes = run("UID FETCH (RFC822.SIZE)", true, (p, c) -> {
                Map<Long, Long> out = new HashMap<>();
                Commands.stream(p, "UID FETCH " + Commands.uidSet(part) + " (UID RFC822.SIZE)", null, r -> {
                    if (r instanceof FetchResponse f) {
                        MessageInfo info = Commands.messageInfo(f);
                        if (info != null) {
                            out.put(info.uid().value(), info.size());
                        }
                    }
                });
                return out;
            });
            readSized(part, sizes, consumer);
        }
    }

    /**
     * As {@link #readAll}, with the sizes the listing gave (RFC822.SIZE then and now are the same:
     * an IMAP message never changes), so without a command per batch to ask for them.
     */
    @Override
    public void readListed(List<MessageInfo> listed, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        for (List<MessageInfo> part : Lists.partition(listed, UIDS_PER_COMMAND)) {
            Map<Long, Long> sizes = new HashMap<>();
            part.forEach(m -> sizes.put(m.uid().value(), m.size()));
            readSized(part.stream().map(MessageInfo::uid).toList(), sizes, consumer);
        }
    }

    /**
     * Reads these messages: small ones together in commands of up to {@code BATCH_BYTES}, each
     * larger than the spool keeps in memory (or one response may hold) in parts; a message without
     * a size is left out (gone).
     */
    private void readSized(List<MessageUid> part, Map<Long, Long> sizes, MessageConsumer<RawMessage> consumer)
            throws MailStoreException {
        MessageSpool spool = settings.spool();
        // A message read whole must fit one response (WireGuard's bound); larger ones go in chunks.
        long whole = Math.min(spool.threshold(), settings.maxResponseSize() - RESPONSE_SLACK);
        List<MessageUid> small = new ArrayList<>();
        long smallBytes = 0;
        for (MessageUid uid : part) {
            Long size = sizes.get(uid.value());
            if (size == null) {
                continue;
            }
            if (size > whole) {
                smallBytes = flushSmall(small, consumer);
                readLarge(uid, consumer);
                continue;
            }
            if (smallBytes + size > BATCH_BYTES && !small.isEmpty()) {
                smallBytes = flushSmall(small, consumer);
            }
            small.add(uid);
            smallBytes += size;
        }
        flushSmall(small, consumer);
    }

    /** Fetches the listed messages in one command, then hands them over in order; clears the list. */
    private long flushSmall(List<MessageUid> small, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        if (small.isEmpty()) {
            return 0;
        }
        List<MessageUid> uids = List.copyOf(small);
        small.clear();
        Map<Long, RawMessage> bodies = run("UID FETCH (BODY.PEEK[])", true, (p, c) -> {
            Map<Long, RawMessage> out = new HashMap<>();
            long[] inMemory = {0};
            try {
                Commands.stream(p, "UID FETCH " + Commands.uidSet(uids) + " (UID BODY.PEEK[])", null, r -> {
                    if (r instanceof FetchResponse f) {
                        UID uid = f.getItem(UID.class);
                        BODY body = f.getItem(BODY.class);
                        if (uid != null && body != null) {
                            ByteArray bytes = body.getByteArray();
                            RawMessage old = out.get(uid.uid);
                            if (old != null) {
                                requireSame(uid.uid, old, bytes);
                                return;
                            }
                            // Bodies wait for the command's end: the batch was sized by RFC822.SIZE,
                            // which a server may get wrong; past BATCH_BYTES they wait on disk.
                            boolean toFile = bytes != null && inMemory[0] + bytes.getCount() > BATCH_BYTES;
                            RawMessage raw = spool(bytes, toFile);
                            if (raw.inMemory()) {
                                inMemory[0] += raw.size();
                            }
                            out.put(uid.uid, raw);
                        }
                    }
                });
            } catch (IOException | org.eclipse.angus.mail.iap.ProtocolException | RuntimeException e) {
                out.values().forEach(RawMessage::close);
                throw e;
            }
            return out;
        });
        handOver(uids, bodies, consumer);
        return 0;
    }

    private RawMessage spool(@Nullable ByteArray bytes, boolean toFile) throws IOException {
        if (bytes == null) {
            return RawMessage.of(new byte[0]);
        }
        if (!toFile && bytes.getCount() <= settings.spool().threshold()) {
            // The response's own array, without a copy: Angus Mail reads each response into a new
            // one, and a copy here cost as much CPU as reading it from the socket.
            return RawMessage.wrap(bytes.getBytes(), bytes.getStart(), bytes.getCount());
        }
        return settings.spool()
                .spool(
                        new ByteArrayInputStream(bytes.getBytes(), bytes.getStart(), bytes.getCount()),
                        toFile ? Long.MAX_VALUE : bytes.getCount());
    }

    /**
     * A server that answers one UID twice must answer it the same way: two different bodies for
     * one message is a protocol error, never a silent pick of one.
     */
    private static void requireSame(long uid, RawMessage first, @Nullable ByteArray again) throws IOException {
        byte[] second = again == null ? new byte[0] : again.getNewBytes();
        boolean same = first.size() == second.length;
        if (same) {
            try (java.io.InputStream in = first.openStream()) {
                same = java.util.Arrays.equals(in.readAllBytes(), second);
            }
        }
        if (!same) {
            throw new WireGuard.Violation(
                    WireGuard.Violation.Kind.PROTOCOL,
                    "the server answered UID " + uid + " twice in one FETCH, with different bodies (" + first.size()
                            + " and " + second.length + " bytes)");
        }
    }

    private static boolean sameBytes(ByteArray a, @Nullable ByteArray b) {
        return b != null
                && java.util.Arrays.equals(
                        a.getBytes(),
                        a.getStart(),
                        a.getStart() + a.getCount(),
                        b.getBytes(),
                        b.getStart(),
                        b.getStart() + b.getCount());
    }

    private static <T> void handOver(List<MessageUid> order, Map<Long, T> values, MessageConsumer<T> consumer)
            throws MailStoreException {
        Map<Long, T> left = new LinkedHashMap<>(values);
        try {
            for (MessageUid uid : order) {
                T value = left.remove(uid.value());
                if (value != null) {
                    consumer.accept(uid, value);
                }
            }
        } finally {
            for (T value : left.values()) {
                if (value instanceof RawMessage raw) {
                    raw.close();
                }
            }
        }
    }

    /** Reads one large message in chunks straight into the spool, never whole on the heap. */
    private void readLarge(MessageUid uid, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        MessageSpool.Writer writer = settings.spool().newWriter();
        long chunkSize = Math.min(CHUNK, (settings.maxResponseSize() - RESPONSE_SLACK) / 2);
        try {
            long offset = 0;
            while (true) {
                long at = offset;
                ByteArray chunk = run("UID FETCH (BODY.PEEK[]<partial>)", true, (p, c) -> {
                    ByteArray[] found = new ByteArray[1];
                    Commands.stream(
                            p,
                            "UID FETCH " + uid.value() + " (UID BODY.PEEK[]<" + at + "." + chunkSize + ">)",
                            null,
                            r -> {
                                if (r instanceof FetchResponse f && f.getItem(BODY.class) != null) {
                                    UID u = f.getItem(UID.class);
                                    if (u == null || u.uid == uid.value()) {
                                        ByteArray part = f.getItem(BODY.class).getByteArray();
                                        if (found[0] != null && !sameBytes(found[0], part)) {
                                            throw new WireGuard.Violation(
                                                    WireGuard.Violation.Kind.PROTOCOL,
                                                    "the server answered UID " + uid.value()
                                                            + " twice in one FETCH, with different bodies");
                                        }
                                        found[0] = part;
                                    }
                                }
                            });
                    return found[0];
                });
                if (chunk == null) {
                    if (offset == 0) {
                        writer.close();
                        return; // expunged meanwhile
                    }
                    break;
                }
                writer.write(chunk.getBytes(), chunk.getStart(), chunk.getCount());
                offset += chunk.getCount();
                if (chunk.getCount() < chunkSize) {
                    break;
                }
            }
            RawMessage raw = writer.finish();
            consumer.accept(uid, raw);
        } catch (IOException e) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // The spool file is being discarded anyway.
            }
            throw new StoreFailureException(context(uid), "cannot spool message: " + e.getMessage(), e);
        }
    }

    @Override
    public void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
        for (List<MessageUid> part : Lists.partition(uids, UIDS_PER_COMMAND)) {
            Map<Long, byte[]> headers = run("UID FETCH (BODY.PEEK[HEADER])", true, (p, c) -> {
                Map<Long, byte[]> out = new HashMap<>();
                Commands.stream(p, "UID FETCH " + Commands.uidSet(part) + " (UID BODY.PEEK[HEADER])", null, r -> {
                    if (r instanceof FetchResponse f) {
                        UID uid = f.getItem(UID.class);
                        BODY body = f.getItem(BODY.class);
                        if (uid != null && body != null && body.getByteArray() != null) {
                            byte[] header = body.getByteArray().getNewBytes();
                            byte[] old = out.putIfAbsent(uid.uid, header);
                            if (old != null && !java.util.Arrays.equals(old, header)) {
                                throw new WireGuard.Violation(
                                        WireGuard.Violation.Kind.PROTOCOL,
                                        "the server answered UID " + uid.uid
                                                + " twice in one FETCH, with different headers");
                            }
                        }
                    }
                });
                return out;
            });
            handOver(part, headers, consumer);
        }
    }

    @Override
    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
        return send(List.of(request)).get(0);
    }

    @Override
    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
        if (requests.isEmpty()) {
            return List.of();
        }
        if (requests.size() == 1 || !store.serverHas("MULTIAPPEND")) {
            List<Optional<MessageUid>> out = new ArrayList<>(requests.size());
            deferUpperCheck = requests.size() > 1;
            try {
                for (AppendRequest request : requests) {
                    out.add(append(request));
                }
            } finally {
                deferUpperCheck = false;
            }
            return requests.size() > 1 ? checkedBelowUidNext(out) : out;
        }
        // RFC 3502: one APPEND with several messages, one transaction; APPENDUID gives a UID set.
        return send(requests);
    }

    private List<Optional<MessageUid>> send(List<AppendRequest> requests) throws MailStoreException {
        appendedSinceCatchUp = true;
        long max = store.capabilities().maxMessageSize().orElse(Integer.MAX_VALUE);
        for (int i = 0; i < requests.size(); i++) {
            long size = requests.get(i).message().size();
            if (size > max) {
                throw new MessageRejectedException(
                        context(),
                        (requests.size() > 1 ? "message " + (i + 1) + " of " + requests.size() + ": " : "")
                                + "message of " + size + " bytes exceeds the server's APPENDLIMIT of " + max
                                + " bytes; not sent",
                        null);
            }
        }
        boolean uidplus = store.serverHas("UIDPLUS");
        if (uidplus && uidNextFloor == 0) {
            statusAfterAppend(0); // the UIDNEXT that the new UIDs must reach, if SELECT did not say
        }
        long floor = uidNextFloor;
        String batch = requests.size() > 1 ? "the server refused a batch of " + requests.size() + " messages: " : "";
        Response tagged = Retrier.run(
                settings,
                context(),
                "APPEND",
                false,
                () -> connection().call(marking("APPEND", (p, c) -> appendCommand(p, requests))),
                // Only the server's NO or BAD to the APPEND refuses the message(s); anything else
                // (a failure of ours, a bug) keeps its cause and stops the store. A batch
                // (MULTIAPPEND, all or nothing) refused for quota may hold messages that would fit:
                // the engine retries them one by one, and the first single refusal stops the folder.
                f -> f.kind() != Failure.Kind.NO && f.kind() != Failure.Kind.BAD
                        ? new StoreFailureException(context(), "APPEND failed: " + f.text(), f.cause())
                        : requests.size() == 1 && quotaRefusal(f.text())
                                ? new FolderUnusableException(
                                        context(),
                                        "the target folder is over quota (the server answered an APPEND with \""
                                                + f.text() + "\"): the folder's remaining messages were not tried",
                                        f.cause())
                                : new MessageRejectedException(
                                        context(), batch + "the server refused the message: " + f.text(), f.cause()));
        for (AppendRequest request : requests) {
            countNotKept(request.flags(), 1);
        }
        List<Optional<MessageUid>> none = new ArrayList<>(requests.size());
        requests.forEach(r -> none.add(Optional.empty()));
        Matcher m = APPENDUID.matcher(tagged.toString());
        if (!uidplus || !m.find()) {
            return none;
        }
        AppendUids checked = checkAppendUids(m.group(1), m.group(2), requests.size(), floor);
        if (checked.doubt() != null) {
            // The engine settles messages without an id by identity; a wrong id would pair a copy
            // with another message (and a later mirrored deletion would remove that one).
            LOG.warn(
                    "{}: APPENDUID {} {} not trusted ({}); the {} message(s) are settled by identity",
                    context(),
                    m.group(1),
                    m.group(2),
                    checked.doubt(),
                    requests.size());
            return none;
        }
        List<Optional<MessageUid>> out = new ArrayList<>(requests.size());
        checked.uids().forEach(u -> out.add(Optional.of(u)));
        return out;
    }

    /**
     * The ids of several single APPENDs, once it is known that each is below the folder's UIDNEXT
     * now (one STATUS for all of them); all of them empty, so that the engine settles them by
     * identity, if any is not.
     */
    private List<Optional<MessageUid>> checkedBelowUidNext(List<Optional<MessageUid>> ids) {
        long claimed = ids.stream()
                .flatMap(Optional::stream)
                .mapToLong(MessageUid::value)
                .max()
                .orElse(0);
        if (claimed == 0) {
            return ids;
        }
        Status after = statusAfterAppend(claimed);
        String doubt = after == null
                ? "the folder's UIDNEXT after the APPENDs could not be read"
                : after.uidvalidity != uidValidity
                        ? "the folder's UIDVALIDITY changed to " + after.uidvalidity
                        : after.uidnext <= claimed
                                ? "UID " + claimed + " is not below the folder's UIDNEXT " + after.uidnext
                                        + " after the APPENDs"
                                : null;
        if (doubt == null) {
            return ids;
        }
        LOG.warn(
                "{}: APPENDUID not trusted ({}); the {} message(s) are settled by identity",
                context(),
                doubt,
                ids.size());
        List<Optional<MessageUid>> none = new ArrayList<>(ids.size());
        ids.forEach(id -> none.add(Optional.empty()));
        return none;
    }

    /** The UIDs of an APPENDUID answer, or why it is not trusted. */
    private record AppendUids(List<MessageUid> uids, @Nullable String doubt) {
        static AppendUids doubt(String why) {
            return new AppendUids(List.of(), why);
        }
    }

    /**
     * The UIDs of an APPENDUID answer, or why they cannot be trusted: the UIDVALIDITY must be the folder's, the set must hold one UID per message
     * in ascending order, each at least the UIDNEXT before the APPEND ({@code floor}, 0 if
     * unknown) and below the UIDNEXT after it (asked with STATUS).
     */
    private AppendUids checkAppendUids(String validity, String set, int count, long floor) {
        if (validity.length() > 10 || Long.parseLong(validity) != uidValidity) {
            return AppendUids.doubt("UIDVALIDITY " + validity + " is not the folder's " + uidValidity);
        }
        List<MessageUid> uids;
        try {
            uids = Commands.parseUidSet(set, count);
        } catch (WireGuard.Violation e) {
            return AppendUids.doubt(e.getMessage());
        }
        if (uids.size() != count) {
            return AppendUids.doubt(uids.size() + " UIDs for " + count + " message(s)");
        }
        for (int i = 1; i < uids.size(); i++) {
            if (uids.get(i).value() <= uids.get(i - 1).value()) {
                return AppendUids.doubt("the UIDs are not in ascending order");
            }
        }
        if (floor > 0 && uids.get(0).value() < floor) {
            return AppendUids.doubt(
                    "UID " + uids.get(0).value() + " is below the folder's UIDNEXT " + floor + " before the APPEND");
        }
        long last = uids.get(uids.size() - 1).value();
        if (deferUpperCheck) {
            // appendAll checks the upper bound once for all its messages; the next APPEND's UIDs
            // must lie above these (an ascending run, as UIDs are given).
            uidNextFloor = Math.max(uidNextFloor, last + 1);
            return new AppendUids(uids, null);
        }
        Status after = statusAfterAppend(last);
        if (after == null) {
            return AppendUids.doubt("the folder's UIDNEXT after the APPEND could not be read");
        }
        if (after.uidvalidity != uidValidity) {
            return AppendUids.doubt("the folder's UIDVALIDITY changed to " + after.uidvalidity);
        }
        if (after.uidnext <= last) {
            return AppendUids.doubt(
                    "UID " + last + " is not below the folder's UIDNEXT " + after.uidnext + " after the APPEND");
        }
        return new AppendUids(uids, null);
    }

    /**
     * STATUS (UIDNEXT UIDVALIDITY), remembering UIDNEXT as the floor for later appends; null on
     * failure. A UIDNEXT not above {@code above} is asked again after a NOOP: Courier shows the new
     * UIDNEXT of the selected mailbox only after one. Only then, because the NOOP makes the server
     * bring the session's view of the mailbox up to date with every other connection's appends,
     * which with several connections appending to one folder cost Dovecot more than the APPEND.
     */
    private @Nullable Status statusAfterAppend(long above) {
        try {
            Status status = run("STATUS", true, (p, c) -> {
                Status first = p.status(name, new String[] {"UIDNEXT", "UIDVALIDITY"});
                if (first.uidnext > above || justSelected) {
                    return first;
                }
                catchUp(p);
                return p.status(name, new String[] {"UIDNEXT", "UIDVALIDITY"});
            });
            if (status.uidnext > 0) {
                uidNextFloor = Math.max(uidNextFloor, status.uidnext);
            }
            return status;
        } catch (MailStoreException e) {
            // The APPEND itself went through: without this check its ids are merely not trusted.
            LOG.warn("{}: cannot read UIDNEXT around an APPEND: {}", context(), e.getMessage());
            return null;
        }
    }

    /**
     * Whether a refused APPEND says the mailbox is full, which no later message will change:
     * {@code [OVERQUOTA]} (RFC 5530), or, from servers that answer without a response code
     * (Courier), a text about a quota, a full mailbox, or something exceeded other than a size.
     */
    static boolean quotaRefusal(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("[overquota]") || lower.contains("quota") || lower.matches("(?s).*mailbox( is)? full.*")) {
            return true;
        }
        boolean aboutOneMessage = lower.contains("[limit]")
                || lower.contains("[toobig]")
                || lower.contains("size")
                || lower.contains("too big")
                || lower.contains("too large");
        return lower.contains("exceeded") && !aboutOneMessage;
    }

    private Response appendCommand(IMAPProtocol p, List<AppendRequest> requests)
            throws IOException, org.eclipse.angus.mail.iap.ProtocolException {
        Argument args = Commands.mailbox(new Argument(), p, name);
        for (AppendRequest request : requests) {
            args.writeAtom(Commands.flagList(keep(request.flags())));
            args.writeString(Commands.internalDate(request.internalDate()));
            args.writeBytes(new RawLiteral(request.message()));
        }
        return Commands.stream(p, "APPEND", args, r -> {});
    }

    /** The flags this mailbox can keep: keywords only with PERMANENTFLAGS \* or already known. */
    private Flags keep(Flags flags) {
        if (anyKeyword || flags.keywords().isEmpty()) {
            return flags;
        }
        Set<String> kept = new TreeSet<>(flags.keywords());
        kept.retainAll(knownKeywords);
        return Flags.of(flags.system(), kept);
    }

    /**
     * Counts the keywords of {@code flags} that {@link #keep} leaves out, for {@link #warnings()}:
     * the server would have dropped them without a word.
     */
    private void countNotKept(Flags flags, long messages) {
        Set<String> lost = new TreeSet<>(flags.keywords());
        lost.removeAll(keep(flags).keywords());
        for (String keyword : lost) {
            keywordsNotKept.merge(keyword, messages, Long::sum);
        }
    }

    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    @Override
    public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, Flags flags) throws MailStoreException {
        Flags kept = keep(flags);
        if (mode != FlagsUpdateMode.REMOVE && !uids.isEmpty()) {
            // Counted before the command: what is not sent is lost whether or not the rest works.
            countNotKept(flags, new HashSet<>(uids).size());
        }
        if (uids.isEmpty() || (kept.isEmpty() && mode != FlagsUpdateMode.REPLACE)) {
            return;
        }
        String item =
                switch (mode) {
                    case ADD -> "+FLAGS.SILENT ";
                    case REMOVE -> "-FLAGS.SILENT ";
                    case REPLACE -> "FLAGS.SILENT ";
                };
        for (List<MessageUid> part : Lists.partition(List.copyOf(new TreeSet<>(uids)), UIDS_PER_COMMAND)) {
            run("UID STORE", true, (p, c) -> {
                p.simpleCommand("UID STORE " + Commands.uidSet(part) + " " + item + Commands.flagList(kept), null);
                return null;
            });
        }
    }

    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    @Override
    public void delete(Collection<MessageUid> uids) throws MailStoreException {
        if (uids.isEmpty()) {
            return;
        }
        List<MessageUid> sorted = List.copyOf(new TreeSet<>(uids));
        boolean uidplus = store.serverHas("UIDPLUS");
        if (!uidplus) {
            refuseIfOthersAreDeleted(sorted, "delete");
        }
        for (List<MessageUid> part : Lists.partition(sorted, UIDS_PER_COMMAND)) {
            String set = Commands.uidSet(part);
            run("UID STORE +FLAGS (\\Deleted)", true, (p, c) -> {
                p.simpleCommand("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)", null);
                return null;
            });
            run(uidplus ? "UID EXPUNGE" : "EXPUNGE", true, (p, c) -> {
                p.simpleCommand(uidplus ? "UID EXPUNGE " + set : "EXPUNGE", null);
                return null;
            });
        }
    }

    /**
     * Without UID EXPUNGE (RFC 4315) an EXPUNGE removes every {@code \\Deleted} message: refuses
     * when any message other than {@code wanted} carries {@code \\Deleted}.
     */
    private void refuseIfOthersAreDeleted(List<MessageUid> wanted, String what) throws MailStoreException {
        Set<Long> ours = new HashSet<>();
        wanted.forEach(u -> ours.add(u.value()));
        List<Long> flagged = run("UID SEARCH DELETED", true, (p, c) -> {
            List<Long> out = new ArrayList<>();
            Commands.stream(p, "UID SEARCH DELETED", null, r -> out.addAll(Commands.searchResults(r)));
            return out;
        });
        flagged.removeAll(ours);
        if (!flagged.isEmpty()) {
            throw new FolderUnusableException(
                    context(),
                    "cannot " + what + ": the server lacks UIDPLUS and " + flagged.size()
                            + " other message(s) carry \\Deleted, which an EXPUNGE would remove too",
                    null);
        }
    }

    /**
     * Moves messages into the mailbox {@code toName} ({@code to} in errors): {@code UID MOVE}
     * (RFC 6851) when the server has MOVE, else {@code UID COPY} and a delete as {@link #delete}
     * does it. New ids come from COPYUID (UIDPLUS, RFC 4315 3); ids that do not exist are left out.
     */
    Map<MessageUid, Optional<MessageUid>> moveTo(Collection<MessageUid> uids, FolderPath to, String toName)
            throws MailStoreException {
        boolean move = store.serverHas("MOVE");
        boolean uidplus = store.serverHas("UIDPLUS");
        Map<MessageUid, Optional<MessageUid>> out = new LinkedHashMap<>();
        for (List<MessageUid> part : Lists.partition(List.copyOf(new TreeSet<>(uids)), UIDS_PER_COMMAND)) {
            List<MessageUid> present = run("UID FETCH (UID)", true, (p, c) -> {
                TreeSet<Long> found = new TreeSet<>();
                Commands.stream(p, "UID FETCH " + Commands.uidSet(part) + " (UID)", null, r -> {
                    if (r instanceof FetchResponse f && f.getItem(UID.class) != null) {
                        found.add(f.getItem(UID.class).uid);
                    }
                });
                List<MessageUid> ids = new ArrayList<>();
                found.forEach(u -> ids.add(MessageUid.of(u)));
                return ids;
            });
            if (present.isEmpty()) {
                continue;
            }
            if (!move && !uidplus) {
                // Checked before the copy, so that a refusal leaves both folders as they were.
                refuseIfOthersAreDeleted(present, "move to " + to);
            }
            String command = (move ? "UID MOVE " : "UID COPY ") + Commands.uidSet(present);
            // A repeated MOVE of messages already moved does nothing; a repeated COPY would copy
            // them twice, so only MOVE is retried after a lost connection.
            Map<Long, MessageUid> newIds = Retrier.run(
                    settings,
                    context(),
                    move ? "UID MOVE" : "UID COPY",
                    move,
                    () -> connection().call(marking(command, (p, c) -> {
                        List<String> answers = new ArrayList<>();
                        // RFC 6851 4.3: with MOVE the COPYUID comes in an untagged OK before the
                        // expunges; with COPY it is in the tagged OK.
                        Response tagged =
                                Commands.stream(p, command, Commands.mailbox(new Argument(), p, toName), r -> {
                                    if (r.isOK()) {
                                        answers.add(r.toString());
                                    }
                                });
                        answers.add(tagged.toString());
                        return copyUids(answers, present.size());
                    })),
                    f -> new FolderUnusableException(
                            context(), "cannot move messages to " + to + ": " + f.text(), f.cause()));
            if (!move) {
                delete(present);
            }
            for (MessageUid uid : present) {
                out.put(uid, Optional.ofNullable(newIds.get(uid.value())));
            }
        }
        return out;
    }

    /** Source UID to new UID, from the COPYUID code among these answers; empty without UIDPLUS. */
    private Map<Long, MessageUid> copyUids(List<String> answers, int expected) {
        Map<Long, MessageUid> out = new HashMap<>();
        if (!store.serverHas("UIDPLUS")) {
            return out;
        }
        for (String answer : answers) {
            Matcher m = COPYUID.matcher(answer);
            if (m.find()) {
                List<MessageUid> from;
                List<MessageUid> to;
                // Bounded for memory, not exact: GreenMail repeats a source UID ("1,1,3" for two).
                long bound = 4L * expected + 16;
                try {
                    from = Commands.parseUidSet(m.group(2), bound);
                    to = Commands.parseUidSet(m.group(3), bound);
                } catch (WireGuard.Violation e) {
                    LOG.warn("{}: COPYUID not used: {}", context(), e.getMessage());
                    continue;
                }
                // Both sets list the messages in the same order (RFC 4315 3); anything else is not trusted.
                if (from.size() == to.size()) {
                    for (int i = 0; i < from.size(); i++) {
                        out.put(from.get(i).value(), to.get(i));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Ids expunged since {@code modSeq}: {@code UID FETCH 1:* (UID) (CHANGEDSINCE m VANISHED)}
     * on a connection with QRESYNC enabled answers {@code * VANISHED (EARLIER) set} (RFC 7162
     * 3.2.6). Empty without QRESYNC.
     */
    @Override
    public Optional<Set<MessageUid>> vanishedSince(ModSeq modSeq) throws MailStoreException {
        if (!qresync) {
            return Optional.empty();
        }
        Optional<Set<MessageUid>> gone = run("UID FETCH (VANISHED)", true, (p, c) -> {
            TreeSet<MessageUid> found = new TreeSet<>();
            boolean[] tooMany = {false};
            Commands.stream(p, "UID FETCH 1:* (UID) (CHANGEDSINCE " + modSeq.value() + " VANISHED)", null, r -> {
                if (tooMany[0]) {
                    return;
                }
                try {
                    found.addAll(Commands.vanished(r, MAX_VANISHED - found.size()));
                } catch (WireGuard.Violation e) {
                    // Memory stays bounded whatever the server says: too many to list (or a
                    // malformed set) and the caller compares a full listing instead.
                    LOG.warn("{}: VANISHED answer not used: {}", context(), e.getMessage());
                    tooMany[0] = true;
                    found.clear();
                }
            });
            return tooMany[0] ? Optional.<Set<MessageUid>>empty() : Optional.<Set<MessageUid>>of(found);
        });
        return gone.map(Set::copyOf);
    }

    /**
     * What the server told the user ({@code [ALERT]}, RFC 3501 7.1: a client must show it), on this
     * folder's connection or on store-level commands not yet reported by another folder; and the
     * keywords this folder could not keep: the server's PERMANENTFLAGS for it lack {@code \*} (or
     * the keyword is not among those it lists), so they were left out of APPEND and STORE, named
     * with the number of messages that lost each.
     */
    @Override
    public List<String> warnings() {
        if (connection != null) {
            connection.drainAlerts().forEach(a -> alerts.merge(a, 1, Integer::sum));
        }
        store.pool().drainAlerts().forEach(a -> alerts.merge(a, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        alerts.forEach(
                (text, n) -> out.add("the server says (ALERT" + (n > 1 ? ", " + n + " times" : "") + "): " + text));
        if (!keywordsNotKept.isEmpty()) {
            List<String> each = new ArrayList<>();
            keywordsNotKept.forEach((k, n) -> each.add(k + " on " + n + (n == 1 ? " message" : " messages")));
            out.add("keywords dropped: the server keeps no new keywords in this folder (PERMANENTFLAGS without \\*): "
                    + String.join(", ", each));
        }
        return out;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (given != null) {
            store.pool().release(given);
            given = null;
        }
        if (connection != null) {
            store.pool().release(connection);
            connection = null;
        }
    }

    @Override
    public String toString() {
        return "ImapMailFolder[" + settings.account() + " " + path + "]";
    }
}
