package org.mailsync.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailsync.Capability;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;
import org.mailsync.spi.support.Headers;

/**
 * One open folder of a {@link MailStore}. Message ids are valid within the folder's current
 * {@link org.mailsync.Generation}, which {@link #status()} reports.
 *
 * <p>Not thread-safe; confine to one thread. Several folders (even several openings of the same
 * folder) may be used from different threads at once.
 */
public interface MailFolder extends AutoCloseable {
    /** The folder's path in its store. */
    FolderPath path();

    /** Generation, next id, message count and highest modseq, without listing messages. */
    FolderStatus status() throws MailStoreException;

    /**
     * Lists the metadata of the messages {@code query} selects, in ascending id order, handing
     * them to {@code consumer} in batches of at most {@code query.batchSize()}.
     *
     * <p>A query with {@code changedSince} is allowed only on a store with {@link
     * Capability#MODSEQ}: it lists only messages whose modseq is above that value.
     */
    void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException;

    /**
     * Ids expunged since that modseq, where the store can tell (IMAP QRESYNC, {@link
     * Capability#VANISHED}); empty where it cannot. May name ids this folder never held, never
     * leaves out one expunged after {@code modSeq}.
     */
    default Optional<Set<MessageUid>> vanishedSince(ModSeq modSeq) throws MailStoreException {
        return Optional.empty();
    }

    /**
     * The raw bytes of a message, exactly as stored; empty if no message has that id (any more).
     * Reading never changes the message's flags (IMAP {@code BODY.PEEK[]}).
     */
    Optional<RawMessage> read(MessageUid uid) throws MailStoreException;

    /**
     * Reads several messages, handing each to {@code consumer} (which closes it) in the order
     * given; ids that no longer exist are left out. A store that can fetch many in one round trip
     * overrides this.
     */
    default void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        for (MessageUid uid : uids) {
            Optional<RawMessage> raw = read(uid);
            if (raw.isPresent()) {
                consumer.accept(uid, raw.get());
            }
        }
    }

    /**
     * {@link #readAll} of messages this folder listed: the same, given what the listing said of
     * each, which a store may use instead of asking again (IMAP: their sizes, to read small ones
     * together and large ones in parts, without a command to ask for them). Decorators ({@link
     * ForwardingMailFolder}) keep this default, which calls their {@link #readAll}: one that
     * watches or slows reads sees every message either way.
     */
    default void readListed(List<MessageInfo> listed, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        readAll(listed.stream().map(MessageInfo::uid).toList(), consumer);
    }

    /**
     * Reads the header block (up to and including the blank line that ends it) of several
     * messages, for identity matching; ids that no longer exist are left out. A store that can
     * fetch headers alone (IMAP {@code BODY.PEEK[HEADER]}) overrides this.
     */
    default void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
        readAll(uids, (uid, raw) -> {
            try (raw) {
                consumer.accept(uid, Headers.readHeaderBlock(raw));
            }
        });
    }

    /**
     * Appends one message with its flags and internal date; the bytes are stored exactly as given.
     * Returns the new id where the store can tell ({@link Capability#APPEND_UID}).
     *
     * @throws org.mailsync.MessageRejectedException if the store refuses this message
     */
    Optional<MessageUid> append(AppendRequest request) throws MailStoreException;

    /**
     * Appends several messages, in order, returning one result per request. A store with {@link
     * Capability#BATCH_APPEND} does it in one transaction (all or none); others one by one, so a
     * failure part way leaves the earlier ones appended.
     */
    default List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
        List<Optional<MessageUid>> ids = new ArrayList<>(requests.size());
        for (AppendRequest request : requests) {
            ids.add(append(request));
        }
        return ids;
    }

    /**
     * Changes the flags of the given messages; ids that no longer exist are ignored. Keywords on a
     * store without {@link Capability#KEYWORDS} are ignored.
     */
    void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, org.mailsync.Flags flags)
            throws MailStoreException;

    /**
     * Removes the given messages for good (IMAP UID EXPUNGE of exactly these ids; never an
     * expunge of other messages that happen to carry {@code \Deleted}). Ids that no longer exist
     * are ignored.
     */
    void delete(Collection<MessageUid> uids) throws MailStoreException;

    /**
     * What the store noticed in this folder that a sync report should show, one sentence each:
     * messages it leaves out (mbox: deleted in Thunderbird but not compacted), damaged input it
     * recovered from, flags it could not keep (Maildir: a 27th keyword). Empty by default.
     */
    default List<String> warnings() throws MailStoreException {
        return List.of();
    }

    /**
     * What this folder holds but its listings leave out, each with the reason: a file in a local
     * folder that is not a message (a symbolic link, a special file, one that cannot be read). Unlike
     * {@link #warnings()} these count in the verdict: a pass with any of them does not end complete.
     * Asked after the folder was listed; empty by default.
     */
    default List<org.mailsync.SkippedItem> skipped() throws MailStoreException {
        return List.of();
    }

    /** Releases the folder (and, on IMAP, its connection). */
    @Override
    void close() throws MailStoreException;

    /** Receives batches of message metadata. */
    @FunctionalInterface
    interface BatchConsumer {
        void accept(List<org.mailsync.MessageInfo> batch) throws MailStoreException;
    }

    /** Receives one value per message id. */
    @FunctionalInterface
    interface MessageConsumer<T> {
        void accept(MessageUid uid, T value) throws MailStoreException;
    }
}
