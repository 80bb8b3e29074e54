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

    private ImapMailFolder(ImapStore store, FolderPath path, String name) {
        this.store = store;
        this.settings = store.settings();
        this.path = path;
        this.name = name;
        this.condstore = store.capabilities().has(Capability.MODSEQ);
        this.qresync = store.capabilities().has(Capability.VANISHED);
    }

    static ImapMailFolder open(ImapStore store, FolderPath path, String name) throws MailStoreException {
        ImapMailFolder folder = new ImapMailFolder(store, path, name);
        folder.run("SELECT", true, (p, c) -> null);
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
        Connection c = store.pool().borrow();
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

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        List<RawMessage> found = new ArrayList<>(1);
        readAll(List.of(uid), (id, raw) -> found.add(raw));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        MessageSpool spool = settings.spool();
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
            List<MessageUid> small = new ArrayList<>();
            long smallBytes = 0;
            for (MessageUid uid : part) {
                Long size = sizes.get(uid.value());
                if (size == null) {
                    continue;
                }
                if (size > spool.threshold()) {
                    smallBytes = flushSmall(small, consumer);
                    readLarge(uid, size, consumer);
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
            try {
                Commands.stream(p, "UID FETCH " + Commands.uidSet(uids) + " (UID BODY.PEEK[])", null, r -> {
                    if (r instanceof FetchResponse f) {
                        UID uid = f.getItem(UID.class);
                        BODY body = f.getItem(BODY.class);
                        if (uid != null && body != null) {
                            ByteArray bytes = body.getByteArray();
                            RawMessage old = out.put(uid.uid, spool(bytes));
                            if (old != null) {
                                old.close();
                            }
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

    private RawMessage spool(@Nullable ByteArray bytes) throws IOException {
        if (bytes == null) {
            return RawMessage.of(new byte[0]);
        }
        return settings.spool()
                .spool(
                        new ByteArrayInputStream(bytes.getBytes(), bytes.getStart(), bytes.getCount()),
                        bytes.getCount());
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
    private void readLarge(MessageUid uid, long size, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        MessageSpool.Writer writer = settings.spool().newWriter();
        try {
            long offset = 0;
            while (true) {
                long at = offset;
                ByteArray chunk = run("UID FETCH (BODY.PEEK[]<partial>)", true, (p, c) -> {
                    ByteArray[] found = new ByteArray[1];
                    Commands.stream(
                            p, "UID FETCH " + uid.value() + " (UID BODY.PEEK[]<" + at + "." + CHUNK + ">)", null, r -> {
                                if (r instanceof FetchResponse f && f.getItem(BODY.class) != null) {
                                    UID u = f.getItem(UID.class);
                                    if (u == null || u.uid == uid.value()) {
                                        found[0] = f.getItem(BODY.class).getByteArray();
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
                if (chunk.getCount() < CHUNK) {
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
                            out.put(uid.uid, body.getByteArray().getNewBytes());
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
            for (AppendRequest request : requests) {
                out.add(append(request));
            }
            return out;
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
        Response tagged = Retrier.run(
                settings,
                context(),
                "APPEND",
                false,
                () -> connection().call(marking("APPEND", (p, c) -> appendCommand(p, requests))),
                // A batch (MULTIAPPEND, all or nothing) refused for quota may hold messages that
                // would fit: the engine retries them one by one, and the first single refusal stops.
                f -> requests.size() == 1 && quotaRefusal(f.text())
                        ? new FolderUnusableException(
                                context(),
                                "the target folder is over quota (the server answered an APPEND with \"" + f.text()
                                        + "\"): the folder's remaining messages were not tried",
                                null)
                        : new MessageRejectedException(
                                context(),
                                (requests.size() > 1
                                                ? "the server refused a batch of " + requests.size() + " messages: "
                                                : "")
                                        + "the server refused the message: " + f.text(),
                                null));
        for (AppendRequest request : requests) {
            countNotKept(request.flags(), 1);
        }
        List<Optional<MessageUid>> out = new ArrayList<>(requests.size());
        Matcher m = APPENDUID.matcher(tagged.toString());
        if (store.serverHas("UIDPLUS") && m.find()) {
            List<MessageUid> uids = Commands.parseUidSet(m.group(2));
            if (uids.size() == requests.size()) {
                uids.forEach(u -> out.add(Optional.of(u)));
                return out;
            }
        }
        requests.forEach(r -> out.add(Optional.empty()));
        return out;
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
                        return copyUids(answers);
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
    private Map<Long, MessageUid> copyUids(List<String> answers) {
        Map<Long, MessageUid> out = new HashMap<>();
        if (!store.serverHas("UIDPLUS")) {
            return out;
        }
        for (String answer : answers) {
            Matcher m = COPYUID.matcher(answer);
            if (m.find()) {
                List<MessageUid> from = Commands.parseUidSet(m.group(2));
                List<MessageUid> to = Commands.parseUidSet(m.group(3));
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
        Set<MessageUid> gone = run("UID FETCH (VANISHED)", true, (p, c) -> {
            TreeSet<MessageUid> found = new TreeSet<>();
            Commands.stream(
                    p,
                    "UID FETCH 1:* (UID) (CHANGEDSINCE " + modSeq.value() + " VANISHED)",
                    null,
                    r -> found.addAll(Commands.vanished(r)));
            return found;
        });
        return Optional.of(Set.copyOf(gone));
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
