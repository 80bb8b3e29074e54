package org.mailsync.spi;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Lists;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.StoreCapabilities;

/**
 * A place that holds folders of messages: an IMAP account, a Maildir tree, a directory of mbox
 * files, or memory. The sync engine reads one store and writes another through this interface
 * and {@link MailFolder}, and knows nothing else of either.
 *
 * <p>Implementations are thread-safe: the engine opens several folders at once from several
 * threads. Each {@link MailFolder} they return is confined to one thread.
 */
public interface MailStore extends AutoCloseable {
    /**
     * How this store names itself in errors, reports and logs: {@code imaps://alice@imap.example},
     * {@code maildir:/srv/backup}. Never holds a password.
     */
    String account();

    /** What this store can do. */
    StoreCapabilities capabilities();

    /** Every folder, parents before children, including non-selectable parents. */
    List<FolderInfo> listFolders() throws MailStoreException;

    /**
     * What the last {@link #listFolders()} found under this store's root but did not list, each
     * with the reason: files that are not mail folders, symbolic links (never followed), folders
     * whose names this store cannot represent. The engine puts them in the report, and a pass with
     * any of them does not end complete. Empty by default (a store that lists everything it has).
     */
    default List<org.mailsync.SkippedItem> skipped() throws MailStoreException {
        return List.of();
    }

    /**
     * Creates the folder and any missing parents; a folder that exists already is left as it is.
     *
     * @throws org.mailsync.FolderUnusableException if this store cannot hold such a name
     */
    void createFolder(FolderPath path) throws MailStoreException;

    /**
     * Creates the folder as {@link #createFolder(FolderPath)} does, marked with a special use where
     * the store can mark folders (IMAP {@code CREATE name (USE (\\Sent))} where the server offers
     * CREATE-SPECIAL-USE, RFC 6154 3); a folder that exists already is left as it is. By default
     * the use is ignored: a store that cannot record it creates a plain folder.
     *
     * @throws org.mailsync.FolderUnusableException if this store cannot hold such a name
     */
    default void createFolder(FolderPath path, org.mailsync.SpecialUse use) throws MailStoreException {
        createFolder(path);
    }

    /**
     * Opens an existing folder for reading and writing.
     *
     * @throws org.mailsync.FolderUnusableException if it does not exist or cannot be opened
     */
    MailFolder openFolder(FolderPath path) throws MailStoreException;

    /**
     * Opens the folder once more, as {@link #openFolder} does, if the store can do so now without
     * waiting: on IMAP a connection free within {@code maxConnections} that the server accepts. The
     * engine copies a large folder over several such openings at once; a store that cannot (or
     * need not) answers empty, the default, and the copy takes fewer. Never an error because the
     * store has no more to give.
     */
    default Optional<MailFolder> tryOpenFolder(FolderPath path) throws MailStoreException {
        return Optional.empty();
    }

    /**
     * The status of a folder without keeping it open: the engine's skip test asks this of every
     * source folder on every pass, so a store that can answer cheaply (IMAP STATUS on its
     * store-level connection, without a SELECT) overrides it.
     */
    default FolderStatus status(FolderPath path) throws MailStoreException {
        try (MailFolder folder = openFolder(path)) {
            return folder.status();
        }
    }

    /**
     * Moves these messages, bytes, flags and internal date unchanged, into another existing folder
     * of this store; returns for each moved message its new id where the store can tell; ids that
     * no longer exist are left out.
     *
     * <p>This default copies and then deletes, a chunk at a time ({@code readAll}, {@code appendAll}
     * with the flags and internal dates of a listing, {@code delete}): a failure part way leaves
     * the chunk in both folders, never in neither. A store that can move in place (IMAP MOVE, a
     * rename between directories) overrides it.
     *
     * @throws org.mailsync.FolderUnusableException if either folder does not exist or cannot be opened
     */
    default Map<MessageUid, Optional<MessageUid>> move(FolderPath from, Collection<MessageUid> uids, FolderPath to)
            throws MailStoreException {
        checkArgument(!from.equals(to), "cannot move messages from %s into the same folder", from);
        if (uids.isEmpty()) {
            return Map.of();
        }
        TreeSet<MessageUid> wanted = new TreeSet<>(uids);
        Map<MessageUid, Optional<MessageUid>> moved = new LinkedHashMap<>();
        try (MailFolder source = openFolder(from);
                MailFolder target = openFolder(to)) {
            Map<MessageUid, MessageInfo> infos = new HashMap<>();
            source.list(MessageQuery.from(wanted.first()), batch -> {
                for (MessageInfo m : batch) {
                    if (wanted.contains(m.uid())) {
                        infos.put(m.uid(), m);
                    }
                }
            });
            List<MessageUid> present = new ArrayList<>(new TreeSet<>(infos.keySet()));
            // 100 at a time: few round trips, and little in memory (large messages are spooled).
            for (List<MessageUid> chunk : Lists.partition(present, 100)) {
                List<MessageUid> read = new ArrayList<>();
                List<RawMessage> raws = new ArrayList<>();
                try {
                    source.readAll(chunk, (uid, raw) -> {
                        read.add(uid);
                        raws.add(raw);
                    });
                    List<AppendRequest> requests = new ArrayList<>(read.size());
                    for (int i = 0; i < read.size(); i++) {
                        MessageInfo info = requireNonNull(infos.get(read.get(i)));
                        requests.add(new AppendRequest(raws.get(i), info.flags(), info.internalDate()));
                    }
                    List<Optional<MessageUid>> ids = target.appendAll(requests);
                    for (int i = 0; i < read.size(); i++) {
                        moved.put(read.get(i), ids.get(i));
                    }
                } finally {
                    raws.forEach(RawMessage::close);
                }
                // Only after the copies are in: a failure before here leaves the source untouched.
                source.delete(read);
            }
        }
        return ImmutableMap.copyOf(moved);
    }

    /**
     * What this store can still take: its quota and the largest message it accepts, each where the
     * store says. By default only the maximum message size of {@link #capabilities()}, if any; a
     * store that can ask its server (IMAP GETQUOTAROOT) overrides it. For a size preflight, not
     * for the engine: never called during a pass.
     */
    default org.mailsync.StoreCapacity capacity() throws MailStoreException {
        java.util.OptionalLong max = capabilities().maxMessageSize();
        return max.isPresent()
                ? org.mailsync.StoreCapacity.UNKNOWN.withMaxMessageSize(max.getAsLong())
                : org.mailsync.StoreCapacity.UNKNOWN;
    }

    /**
     * How much mail a folder holds, and how many of its messages are larger than {@code
     * largerThan} bytes (0: not asked). By default the folder's listing summed: its sizes, as the
     * engine would copy them (for a local store, its files' sizes with CRLF line ends). A store
     * that can answer more cheaply (IMAP {@code STATUS SIZE}) overrides it.
     *
     * @throws org.mailsync.FolderUnusableException if it does not exist or cannot be opened
     */
    default org.mailsync.FolderSize folderSize(FolderPath path, long largerThan) throws MailStoreException {
        checkArgument(largerThan >= 0, "largerThan must not be negative, not %s", largerThan);
        long[] sum = new long[4]; // messages, bytes, largest, larger than the bound
        try (MailFolder folder = openFolder(path)) {
            folder.list(MessageQuery.all(), batch -> {
                for (MessageInfo m : batch) {
                    sum[0]++;
                    sum[1] += m.size();
                    sum[2] = Math.max(sum[2], m.size());
                    if (largerThan > 0 && m.size() > largerThan) {
                        sum[3]++;
                    }
                }
            });
        }
        return new org.mailsync.FolderSize(sum[0], sum[1], sum[0] == 0 ? null : sum[2], sum[3]);
    }

    /**
     * Subscribes to or unsubscribes from a folder; a store without {@link
     * org.mailsync.Capability#SUBSCRIPTIONS} ignores the call.
     */
    default void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {}

    /** Closes every connection or file this store holds; open folders become unusable. */
    @Override
    void close() throws MailStoreException;
}
