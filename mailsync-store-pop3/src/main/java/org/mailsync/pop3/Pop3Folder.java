package org.mailsync.pop3;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.hash.Hashing;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.mailsync.ErrorContext;
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
import org.mailsync.spi.support.Headers;
import org.mailsync.spi.support.MailDates;

/**
 * The POP3 maildrop as the engine's INBOX, over one {@link Session}. The first call that needs
 * ids lists the maildrop (LIST and UIDL), gives new messages their ids in the {@link UidMap}, and
 * reads the headers ({@code TOP n 0}) of messages not seen before, for their internal date.
 * Without UIDL every message's headers are read at every listing: its id is then found again by
 * its identity (a hash of its header block and size).
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class Pop3Folder implements MailFolder {
    /** Room for the status line and terminator of a RETR answer. */
    private static final long ANSWER_SLACK = 64 * 1024;

    private final Pop3Store store;
    private final Session session;
    private @Nullable Index index;
    private boolean sizeWarning;

    /** The maildrop of this session: each message's id, number, key and metadata. */
    private record Index(
            Generation generation,
            MessageUid next,
            List<MessageInfo> infos,
            Map<MessageUid, Integer> numbers,
            Map<MessageUid, String> keys,
            Map<MessageUid, MessageInfo> byUid,
            boolean uidl) {}

    Pop3Folder(Pop3Store store, Session session) {
        this.store = store;
        this.session = session;
    }

    private ErrorContext context() {
        return ErrorContext.of(store.account(), FolderPath.INBOX);
    }

    private ErrorContext context(MessageUid uid) {
        return ErrorContext.of(store.account(), FolderPath.INBOX, uid);
    }

    @Override
    public FolderPath path() {
        return FolderPath.INBOX;
    }

    /** Whether the server gave UIDLs in this session. */
    boolean hasUidl() throws MailStoreException {
        return index().uidl();
    }

    /** The session's message number of an id, if the maildrop holds it. */
    Optional<Integer> number(MessageUid uid) throws MailStoreException {
        return Optional.ofNullable(index().numbers().get(uid));
    }

    Session session() {
        return session;
    }

    private Index index() throws MailStoreException {
        Index i = index;
        if (i == null) {
            session.guard().startOperation();
            try {
                i = buildIndex();
            } catch (MailStoreException e) {
                throw e; // already classified (an IOException too: not to be taken for a lost connection)
            } catch (MessagingException | IOException e) {
                throw Failures.of(context(), "listing the maildrop", e);
            }
            index = i;
        }
        return i;
    }

    private Index buildIndex() throws MessagingException, IOException, MailStoreException {
        int count = session.count();
        int[] sizes = session.sizes();
        if (sizes == null || sizes.length != count) {
            throw new StoreFailureException(
                    context(), "the server's LIST does not name all " + count + " messages", null);
        }
        String[] uidls = count == 0 ? new String[0] : session.uidls();
        boolean uidl = uidls != null;
        List<String> keys = new ArrayList<>(count);
        Map<String, Integer> seen = new HashMap<>();
        Map<Integer, byte[]> headersRead = new HashMap<>();
        for (int n = 1; n <= count; n++) {
            String base;
            if (uidls != null) {
                base = "u:" + uidls[n - 1];
            } else {
                byte[] block = session.headers(n);
                if (block == null) {
                    throw new StoreFailureException(
                            context(),
                            "the server has neither UIDL nor TOP: its messages cannot be told apart without"
                                    + " downloading each of them at every pass",
                            null);
                }
                headersRead.put(n, block);
                base = "h:" + Hashing.sha256().hashBytes(block).toString().substring(0, 40) + ":" + sizes[n - 1];
            }
            // A key seen twice (the same message twice without UIDL, or a server repeating a UIDL)
            // is counted: the k-th of them is its own message.
            int k = seen.merge(base, 1, Integer::sum);
            keys.add(k == 1 ? base : base + "#" + k);
        }
        long now = store.clock().instant().getEpochSecond();
        UidMap.Snapshot snapshot;
        try {
            snapshot = store.uidMap().assign(keys, now);
            Map<String, Long> dates = new HashMap<>();
            for (int n = 1; n <= count; n++) {
                UidMap.Entry e = snapshot.entries().get(keys.get(n - 1));
                if (e != null && e.dateSeconds() == 0) {
                    byte[] block = headersRead.containsKey(n) ? headersRead.get(n) : session.headers(n);
                    long date = block == null ? e.firstSeenSeconds() : internalDate(block, e.firstSeenSeconds());
                    dates.put(keys.get(n - 1), date);
                }
            }
            if (!dates.isEmpty()) {
                snapshot = store.uidMap().recordDates(dates);
            }
        } catch (IOException e) {
            throw new StoreFailureException(
                    context(),
                    "cannot keep the message ids in " + store.uidMap().file() + ": " + e.getMessage(),
                    e);
        }
        List<MessageInfo> infos = new ArrayList<>(count);
        Map<MessageUid, Integer> numbers = new HashMap<>();
        Map<MessageUid, String> byId = new HashMap<>();
        for (int n = 1; n <= count; n++) {
            UidMap.Entry e = java.util.Objects.requireNonNull(snapshot.entries().get(keys.get(n - 1)));
            MessageUid uid = MessageUid.of(e.id());
            long date = e.dateSeconds() > 0 ? e.dateSeconds() : e.firstSeenSeconds();
            long size = e.readSize() > 0 ? e.readSize() : Math.max(0, sizes[n - 1]);
            infos.add(MessageInfo.of(uid, size, org.mailsync.Flags.NONE, Instant.ofEpochSecond(date)));
            numbers.put(uid, n);
            byId.put(uid, keys.get(n - 1));
        }
        infos.sort((a, b) -> a.uid().compareTo(b.uid()));
        Map<MessageUid, MessageInfo> byUid = new HashMap<>();
        infos.forEach(m -> byUid.put(m.uid(), m));
        return new Index(
                Generation.of(snapshot.generation()),
                MessageUid.of(snapshot.next()),
                infos,
                numbers,
                byId,
                byUid,
                uidl);
    }

    /**
     * The date a message arrived: that of its last {@code Received:} field (the bottom-most, added
     * by the first server that took it), else its {@code Date:}, else when this store first saw it.
     */
    static long internalDate(byte[] headerBlock, long fallbackSeconds) {
        ImmutableListMultimap<String, String> fields = Headers.parse(headerBlock);
        List<String> received = fields.get("received");
        for (int i = received.size() - 1; i >= 0; i--) {
            String value = received.get(i);
            int semicolon = value.lastIndexOf(';');
            if (semicolon >= 0) {
                Optional<Instant> at = MailDates.parse(value.substring(semicolon + 1));
                if (at.isPresent() && at.get().getEpochSecond() > 0) {
                    return at.get().getEpochSecond();
                }
            }
            break; // only the bottom-most counts; one without a date falls back to Date:
        }
        for (String date : fields.get("date")) {
            Optional<Instant> at = MailDates.parse(date);
            if (at.isPresent() && at.get().getEpochSecond() > 0) {
                return at.get().getEpochSecond();
            }
        }
        return fallbackSeconds;
    }

    @Override
    public FolderStatus status() throws MailStoreException {
        Index i = index();
        return new FolderStatus(i.generation(), i.next(), i.infos().size(), null);
    }

    @Override
    public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
        if (query.changedSince() != null) {
            throw new IllegalArgumentException("a POP3 store keeps no modseqs: list without changedSince");
        }
        List<MessageInfo> batch = new ArrayList<>();
        for (MessageInfo m : index().infos()) {
            if (m.uid().compareTo(query.from()) < 0) {
                continue;
            }
            batch.add(m);
            if (batch.size() == query.batchSize()) {
                consumer.accept(List.copyOf(batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            consumer.accept(List.copyOf(batch));
        }
    }

    private @Nullable MessageInfo info(MessageUid uid) throws MailStoreException {
        return index().byUid().get(uid);
    }

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        Integer number = index().numbers().get(uid);
        MessageInfo info = info(uid);
        if (number == null || info == null) {
            return Optional.empty();
        }
        long max = store.maxMessageSize();
        if (info.size() > max) {
            throw new MessageRejectedException(
                    context(uid),
                    "the server lists this message with " + info.size() + " bytes, more than the " + max
                            + " this store reads (Pop3Store.Builder.maxMessageSize)",
                    null);
        }
        session.guard().startOperation();
        // Dot stuffing and a server that counts line ends as one byte can make the answer up to
        // twice the size LIST gave; more than that is a server that does not stop.
        long bound = Math.min(2 * info.size(), 2 * max) + ANSWER_SLACK;
        MessageSpool.Writer writer = store.spool().newWriter();
        try {
            // Angus Mail writes a byte at a time; flushed, not closed (closing discards the writer).
            ByteBuffer out = new ByteBuffer(writer);
            session.retrieve(number, out, bound);
            out.flush();
            RawMessage raw = writer.finish();
            if (raw.size() > max) {
                raw.close();
                throw new MessageRejectedException(
                        context(uid),
                        "the message has " + raw.size() + " bytes, more than the " + max + " this store reads",
                        null);
            }
            if (raw.size() != info.size()) {
                // The server's LIST counts otherwise (GreenMail lists the body alone): from now on
                // the message is listed with the bytes it has, which identity keys include.
                sizeWarning = true;
                try {
                    store.uidMap().recordReadSize(requireNonNull(index().keys().get(uid)), raw.size());
                } catch (IOException e) {
                    raw.close();
                    throw new StoreFailureException(
                            context(),
                            "cannot keep the message ids in " + store.uidMap().file() + ": " + e.getMessage(),
                            e);
                }
                MessageInfo corrected = MessageInfo.of(uid, raw.size(), info.flags(), info.internalDate());
                index().byUid().put(uid, corrected);
                List<MessageInfo> infos = index().infos();
                infos.set(infos.indexOf(info), corrected);
            }
            return Optional.of(raw);
        } catch (MessageRemovedException e) {
            return Optional.empty(); // deleted by another session since this one began
        } catch (MailStoreException e) {
            throw e; // already classified (an IOException too: not to be taken for a lost connection)
        } catch (MessagingException | IOException e) {
            throw Failures.of(context(uid), "reading the message", e);
        } finally {
            try {
                writer.close();
            } catch (IOException e) {
                // Only removes an unfinished spool file.
            }
        }
    }

    @Override
    public void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
        for (MessageUid uid : uids) {
            Integer number = index().numbers().get(uid);
            if (number == null) {
                continue;
            }
            session.guard().startOperation();
            byte[] block;
            try {
                block = session.headers(number);
            } catch (MessagingException | IOException e) {
                throw Failures.of(context(uid), "reading the headers (TOP)", e);
            }
            if (block == null) {
                // A server without TOP: the header block of the whole message.
                Optional<RawMessage> raw = read(uid);
                if (raw.isEmpty()) {
                    continue;
                }
                try (RawMessage r = raw.get()) {
                    block = Headers.readHeaderBlock(r);
                }
            }
            consumer.accept(uid, block);
        }
    }

    private FolderUnusableException readOnly(String what) {
        return new FolderUnusableException(
                context(), "a POP3 store is a source only: it cannot " + what + " (POP3 has no such command)", null);
    }

    @Override
    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
        throw readOnly("append messages");
    }

    @Override
    public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, org.mailsync.Flags flags)
            throws MailStoreException {
        throw readOnly("keep flags");
    }

    @Override
    public void delete(Collection<MessageUid> uids) throws MailStoreException {
        throw new FolderUnusableException(
                context(),
                "a POP3 store deletes only through Pop3Store.deleteCopied, after checking that the target holds"
                        + " each message",
                null);
    }

    @Override
    public List<String> warnings() throws MailStoreException {
        List<String> out = new ArrayList<>();
        Index i = index;
        int n = i == null ? 0 : i.infos().size();
        out.add("POP3 keeps no flags: the " + n + " messages of this maildrop are copied without flags (unread)");
        if (i != null && !i.uidl() && n > 0) {
            out.add("the server has no UIDL: each pass reads the headers of all " + n
                    + " messages to recognise them (a full re-match by identity)");
        }
        if (sizeWarning) {
            out.add("the server's LIST sizes differ from the bytes its RETR sends (RFC 1939 wants them equal):"
                    + " each message is listed with its true size once it was read");
        }
        return out;
    }

    @Override
    public void close() {
        session.close();
    }

    /**
     * A buffer for Angus Mail's byte-at-a-time RETR output, without the lock that {@link
     * java.io.BufferedOutputStream} takes for every byte. Not thread-safe.
     */
    private static final class ByteBuffer extends java.io.OutputStream {
        private final java.io.OutputStream out;
        private final byte[] buffer = new byte[64 * 1024];
        private int used;

        ByteBuffer(java.io.OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                flush();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            flush();
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (used > 0) {
                out.write(buffer, 0, used);
                used = 0;
            }
        }
    }
}
