package org.mailsync.imap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.eclipse.angus.mail.iap.Argument;
import org.eclipse.angus.mail.iap.CommandFailedException;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.eclipse.angus.mail.imap.protocol.ListInfo;
import org.eclipse.angus.mail.imap.protocol.MailboxInfo;
import org.eclipse.angus.mail.imap.protocol.Namespaces;
import org.eclipse.angus.mail.imap.protocol.Status;
import org.jspecify.annotations.Nullable;
import org.mailsync.BackoffPolicy;
import org.mailsync.Capability;
import org.mailsync.ErrorContext;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.MailStoreException;
import org.mailsync.MessageSpool;
import org.mailsync.MessageUid;
import org.mailsync.SkippedItem;
import org.mailsync.SpecialUse;
import org.mailsync.StoreCapabilities;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.support.PinningTrustManager;

/**
 * An IMAP account as a {@link MailStore}, on Eclipse Angus Mail. Made by {@link #builder()}:
 *
 * <pre>{@code
 * try (ImapStore store = ImapStore.builder()
 *         .host("imap.example.org").security(Security.TLS)
 *         .username("alice").password(secret)
 *         .connect()) { ... }
 * }</pre>
 *
 * <p>Angus Mail does not pipeline, so the store is a small pool of connections, at most {@code
 * maxConnections}: store-level commands (LIST, CREATE) borrow one, each open {@link MailFolder}
 * holds one. Bodies are read with {@code BODY.PEEK[]} (the source's {@code \Seen} never changes)
 * and appended from the raw bytes, streamed once. Lost connections are remade and idempotent
 * commands retried with back-off; an APPEND is never repeated blindly.
 *
 * <p>Thread-safe: open folders from several threads at once; each folder is confined to one.
 */
public final class ImapStore implements MailStore {
    private final Settings settings;
    private final ConnectionPool pool;
    private final StoreCapabilities capabilities;
    private final Set<String> serverCapabilities;
    private final String prefix;
    private final char separator;
    private volatile boolean closed;
    private volatile @Nullable List<SkippedItem> lastSkipped;
    /** Whether a folder was ever opened through this store: then listed statuses may be stale. */
    private volatile boolean folderOpened;
    /** The statuses the last listing brought, where the server has LIST-STATUS. */
    private volatile ListedStatuses listed = ListedStatuses.NONE;

    private ImapStore(
            Settings settings,
            ConnectionPool pool,
            StoreCapabilities capabilities,
            Set<String> serverCapabilities,
            String prefix,
            char separator) {
        this.settings = settings;
        this.pool = pool;
        this.capabilities = capabilities;
        this.serverCapabilities = serverCapabilities;
        this.prefix = prefix;
        this.separator = separator;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String account() {
        return settings.account();
    }

    /**
     * What this server offers: KEYWORDS when INBOX's PERMANENTFLAGS has {@code \*}, APPEND_UID
     * with UIDPLUS, MODSEQ with CONDSTORE, VANISHED with QRESYNC, SPECIAL_USE, SUBSCRIPTIONS, BATCH_APPEND with
     * MULTIAPPEND, and the APPENDLIMIT as the maximum message size.
     */
    @Override
    public StoreCapabilities capabilities() {
        return capabilities;
    }

    /** The personal namespace's prefix ({@code "INBOX."} on some servers, usually empty). */
    public String namespacePrefix() {
        return prefix;
    }

    /** The server's hierarchy separator ({@code '.'} or {@code '/'}). */
    public char separator() {
        return separator;
    }

    boolean serverHas(String capability) {
        return serverCapabilities.contains(capability);
    }

    Settings settings() {
        return settings;
    }

    ConnectionPool pool() {
        return pool;
    }

    private static ImapStore connect(Settings settings) throws MailStoreException {
        ConnectionPool pool = new ConnectionPool(settings);
        ErrorContext context = ErrorContext.of(settings.account());
        return Retrier.run(
                settings,
                context,
                "connect",
                true,
                () -> {
                    Connection c = pool.borrow();
                    try {
                        return c.call((p, conn) -> {
                            ImapStore store = describe(settings, pool, p);
                            conn.selected("INBOX"); // describe selects it: a later STATUS of it NOOPs first
                            return store;
                        });
                    } finally {
                        pool.release(c);
                    }
                },
                Retrier.storeFailure(context, "connect"));
    }

    private static ImapStore describe(Settings settings, ConnectionPool pool, IMAPProtocol p)
            throws org.eclipse.angus.mail.iap.ProtocolException {
        Set<String> caps = new HashSet<>(p.getCapabilities().keySet());
        String prefix = "";
        char separator = '/';
        boolean foundSeparator = false;
        if (caps.contains("NAMESPACE")) {
            Namespaces ns = p.namespace();
            if (ns != null && ns.personal != null && ns.personal.length > 0) {
                prefix = ns.personal[0].prefix;
                if (ns.personal[0].delimiter != 0) {
                    separator = ns.personal[0].delimiter;
                    foundSeparator = true;
                }
            }
        }
        if (!foundSeparator) {
            // RFC 3501 6.3.8: LIST "" "" returns the hierarchy delimiter.
            ListInfo[] root = p.list("", "");
            if (root != null && root.length > 0 && root[0].separator != 0) {
                separator = root[0].separator;
            }
        }
        EnumSet<Capability> set = EnumSet.of(Capability.SUBSCRIPTIONS);
        if (caps.contains("UIDPLUS")) {
            set.add(Capability.APPEND_UID);
        }
        if (caps.contains("CONDSTORE")) {
            set.add(Capability.MODSEQ);
        }
        if (caps.contains("CONDSTORE") && caps.contains("QRESYNC") && caps.contains("ENABLE")) {
            // Each connection sends ENABLE QRESYNC at login (Connection.open), RFC 7162 3.2.3.
            set.add(Capability.VANISHED);
        }
        if (caps.contains("SPECIAL-USE")) {
            set.add(Capability.SPECIAL_USE);
        }
        if (caps.contains("MULTIAPPEND")) {
            set.add(Capability.BATCH_APPEND);
        }
        // Keywords are kept only where PERMANENTFLAGS has \* (RFC 3501 7.1); INBOX speaks for the account.
        // SELECT, not EXAMINE: a read-only mailbox reports no PERMANENTFLAGS at all (Dovecot).
        MailboxInfo inbox = p.select("INBOX");
        if (inbox.permanentFlags != null && inbox.permanentFlags.contains(jakarta.mail.Flags.Flag.USER)) {
            set.add(Capability.KEYWORDS);
        }
        StoreCapabilities declared = StoreCapabilities.of(set);
        for (String cap : caps) {
            // RFC 7889: APPENDLIMIT=<n> is the largest message this server accepts.
            if (cap.startsWith("APPENDLIMIT=")) {
                try {
                    long limit = Long.parseLong(cap.substring("APPENDLIMIT=".length()));
                    if (limit > 0) {
                        declared = declared.withMaxMessageSize(limit);
                    }
                } catch (NumberFormatException e) {
                    // An APPENDLIMIT without a number (per mailbox) says nothing for the account.
                }
            }
        }
        ProviderPreset preset = settings.preset();
        if (preset != null && preset.maxMessageSize().isPresent()) {
            // The provider's documented limit, where the server announces none lower (APPENDLIMIT).
            long limit = Math.min(
                    preset.maxMessageSize().getAsLong(),
                    declared.maxMessageSize().orElse(Long.MAX_VALUE));
            declared = declared.withMaxMessageSize(limit);
        }
        return new ImapStore(settings, pool, declared, Set.copyOf(caps), prefix, separator);
    }

    /** The server's name for a folder path, or a folder error if the server cannot hold it. */
    String serverName(FolderPath path) throws FolderUnusableException {
        if (path.isInbox()) {
            return "INBOX";
        }
        for (String segment : path.segments()) {
            if (segment.indexOf(separator) >= 0) {
                throw new FolderUnusableException(
                        ErrorContext.of(account(), path),
                        "the name segment \"" + segment + "\" contains the server's separator '" + separator + "'",
                        null);
            }
        }
        return prefix + path.join(separator);
    }

    /** The path of a server name, or null if it lies outside the personal namespace or cannot be a path. */
    @Nullable
    FolderPath path(String serverName) {
        if (!inNamespace(serverName)) {
            return null;
        }
        try {
            return parse(serverName);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private boolean inNamespace(String serverName) {
        return serverName.equalsIgnoreCase("INBOX")
                || (serverName.startsWith(prefix) && serverName.length() > prefix.length());
    }

    /** The path of a name in the personal namespace; IllegalArgumentException if it cannot be one. */
    private FolderPath parse(String serverName) {
        if (serverName.equalsIgnoreCase("INBOX")) {
            return FolderPath.INBOX;
        }
        return FolderPath.parse(serverName.substring(prefix.length()), separator);
    }

    /** A server's folder name as a report shows it: control characters escaped, quoted. */
    static String printable(String serverName) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < serverName.length(); i++) {
            char c = serverName.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                out.append(c == '"' || c == '\\' ? "\\" + c : String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * The folders the last {@link #listFolders()} saw in the personal namespace but cannot
     * represent as a {@link FolderPath}: names with control characters (NUL, CR, LF), with an
     * empty level (a leading, trailing or doubled separator). Each is named as the server spelled
     * it, control characters escaped, with the reason; their mail is not copied.
     */
    @Override
    public List<SkippedItem> skipped() throws MailStoreException {
        List<SkippedItem> last = lastSkipped;
        if (last == null) {
            listFolders();
            last = lastSkipped;
        }
        return last == null ? List.of() : last;
    }

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        checkOpen();
        ErrorContext context = ErrorContext.of(account());
        record Listing(ListInfo @Nullable [] all, ListInfo @Nullable [] subscribed) {}
        boolean withStatus = serverHas("LIST-STATUS");
        boolean openedBefore = folderOpened;
        long taken = System.nanoTime();
        Map<String, FolderStatus> statuses = new HashMap<>();
        Listing listing = withConnection(context, "LIST", (p, c) -> {
            statuses.clear(); // a retry starts afresh
            ListInfo[] all = withStatus ? listWithStatus(p, statuses) : null;
            return new Listing(all != null ? all : p.list("", "*"), p.lsub("", "*"));
        });
        listed = withStatus && !openedBefore ? new ListedStatuses(statuses, taken) : ListedStatuses.NONE;
        Set<FolderPath> subscribed = new HashSet<>();
        if (listing.subscribed() != null) {
            for (ListInfo info : listing.subscribed()) {
                FolderPath path = path(info.name);
                if (path != null) {
                    subscribed.add(path);
                }
            }
        }
        Map<FolderPath, FolderInfo> folders = new TreeMap<>();
        Map<String, SkippedItem> skipped = new TreeMap<>();
        boolean inboxSeen = false;
        if (listing.all() != null) {
            for (ListInfo info : listing.all()) {
                if (!inNamespace(info.name)) {
                    continue; // another namespace (shared, other users): not this account's folders
                }
                FolderPath path;
                try {
                    path = parse(info.name);
                } catch (IllegalArgumentException e) {
                    skipped.put(
                            info.name,
                            new SkippedItem(
                                    "folder " + printable(info.name),
                                    "the server's folder name cannot be a folder path here ("
                                            + unrepresentable(info.name) + "); its mail is not copied"));
                    continue;
                }
                SpecialUse use = null;
                boolean selectable = info.canOpen;
                for (String attr : info.attrs) {
                    if (SpecialUse.fromAttribute(attr).isPresent()) {
                        use = SpecialUse.fromAttribute(attr).get();
                    }
                    if (attr.equalsIgnoreCase("\\NonExistent") || attr.equalsIgnoreCase("\\Noselect")) {
                        selectable = false;
                    }
                }
                ProviderPreset preset = settings.preset();
                if (preset != null) {
                    Optional<String> why = preset.leftOut(info.name, List.of(info.attrs), separator);
                    if (why.isPresent()) {
                        // Named, never dropped silently: the report lists it and says why.
                        skipped.put(info.name, new SkippedItem("folder " + printable(info.name), why.get()));
                        continue;
                    }
                    if (use == null) {
                        use = preset.useByName(info.name, separator).orElse(null);
                    }
                }
                inboxSeen |= path.isInbox();
                folders.put(path, new FolderInfo(path, selectable, use, subscribed.contains(path)));
            }
        }
        if (!inboxSeen) {
            folders.put(FolderPath.INBOX, new FolderInfo(FolderPath.INBOX, true, null, true));
        }
        lastSkipped = List.copyOf(skipped.values());
        // Parents that the server does not list (a Maildir++ "a.b" without "a") still come first.
        for (FolderPath path : new ArrayList<>(folders.keySet())) {
            for (FolderPath parent = path; parent.hasParent(); ) {
                parent = parent.parent();
                folders.putIfAbsent(parent, new FolderInfo(parent, false, null, subscribed.contains(parent)));
            }
        }
        return List.copyOf(folders.values());
    }

    /**
     * {@code LIST "" "*" RETURN (... STATUS (...))} (LIST-STATUS, RFC 5819, on LIST-EXTENDED, RFC
     * 5258): every folder and its status in one round trip. Asks for the attributes a plain LIST
     * gives too (children, and special use where the server has SPECIAL-USE: RFC 6154 returns
     * them to an extended LIST only on request). Puts each usable status into {@code statuses};
     * returns the folders, or null if the server refused the command (a plain LIST follows).
     */
    private ListInfo @Nullable [] listWithStatus(IMAPProtocol p, Map<String, FolderStatus> statuses)
            throws IOException, org.eclipse.angus.mail.iap.ProtocolException {
        boolean condstore = capabilities.has(Capability.MODSEQ);
        String command = "LIST \"\" \"*\" RETURN (" + (serverHas("SPECIAL-USE") ? "SPECIAL-USE " : "")
                + "CHILDREN STATUS (MESSAGES UIDNEXT UIDVALIDITY" + (condstore ? " HIGHESTMODSEQ" : "") + "))";
        List<ListInfo> folders = new ArrayList<>();
        try {
            Commands.stream(p, command, null, r -> {
                if (r instanceof IMAPResponse ir && ir.keyEquals("LIST")) {
                    folders.add(new ListInfo(ir));
                } else if (r instanceof IMAPResponse ir && ir.keyEquals("STATUS")) {
                    Status status = new Status(ir);
                    FolderStatus usable = ListedStatuses.of(status, condstore);
                    if (status.mbox != null && usable != null) {
                        statuses.put(status.mbox, usable);
                    }
                }
            });
        } catch (CommandFailedException | org.eclipse.angus.mail.iap.BadCommandException e) {
            statuses.clear();
            return null;
        }
        return folders.toArray(new ListInfo[0]);
    }

    /**
     * STATUS on a store-level connection, without selecting the folder; where the last listing
     * brought the folder's status (LIST-STATUS) and nothing can have changed it since, that one
     * (see {@link ListedStatuses}).
     *
     * @throws FolderUnusableException if the folder does not exist or the server refuses
     */
    @Override
    public FolderStatus status(FolderPath path) throws MailStoreException {
        checkOpen();
        String name = serverName(path);
        FolderStatus fromListing = folderOpened ? null : listed.get(name, System.nanoTime());
        if (fromListing != null) {
            return fromListing;
        }
        boolean condstore = capabilities.has(Capability.MODSEQ);
        String[] items = condstore
                ? new String[] {"MESSAGES", "UIDNEXT", "UIDVALIDITY", "HIGHESTMODSEQ"}
                : new String[] {"MESSAGES", "UIDNEXT", "UIDVALIDITY"};
        Status status = withConnection(ErrorContext.of(account(), path), "STATUS", (p, c) -> {
            if (name.equals(c.selected())) {
                // Courier shows a session what changed in its selected mailbox, STATUS included,
                // only after a NOOP (as ImapMailFolder's catch-up does).
                p.noop();
            }
            return p.status(name, items);
        });
        return ListedStatuses.folderStatus(status, condstore);
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        create(path, null);
    }

    /**
     * Creates the folder with {@code CREATE name (USE (\\Sent))} where the server offers
     * CREATE-SPECIAL-USE (RFC 6154 3), its parents plainly; a plain CREATE where it does not, or
     * where it refuses that use ({@code [USEATTR]}). A folder that exists already is left as it is.
     */
    @Override
    public void createFolder(FolderPath path, SpecialUse use) throws MailStoreException {
        create(path, use);
    }

    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    private void create(FolderPath path, @Nullable SpecialUse use) throws MailStoreException {
        checkOpen();
        ErrorContext context = ErrorContext.of(account(), path);
        List<String> names = new ArrayList<>();
        for (int depth = 1; depth <= path.depth(); depth++) {
            FolderPath prefixPath = FolderPath.of(path.segments().subList(0, depth));
            if (!prefixPath.isInbox()) {
                names.add(serverName(prefixPath));
            }
        }
        boolean withUse = use != null && serverHas("CREATE-SPECIAL-USE");
        withConnection(context, "CREATE", (p, c) -> {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                ListInfo[] existing = p.list("", name);
                if (listedSelectable(existing, name)) {
                    continue;
                }
                try {
                    if (withUse && i == names.size() - 1) {
                        try {
                            p.simpleCommand(
                                    "CREATE",
                                    Commands.mailbox(new Argument(), p, name)
                                            .writeAtom("(USE ("
                                                    + requireNonNull(use).attribute() + "))"));
                            continue;
                        } catch (CommandFailedException e) {
                            // RFC 6154 3: [USEATTR] means this server does not give that use;
                            // the folder is still wanted, without it.
                            if (!String.valueOf(e.getMessage())
                                    .toUpperCase(java.util.Locale.ROOT)
                                    .contains("USEATTR")) {
                                throw e;
                            }
                        }
                    }
                    p.simpleCommand("CREATE", Commands.mailbox(new Argument(), p, name));
                } catch (CommandFailedException e) {
                    // Someone else made it meanwhile, which is what we want: RFC 5530 says so with
                    // ALREADYEXISTS; GreenMail answers a plain NO, so look before giving up.
                    boolean alreadyExists = String.valueOf(e.getMessage())
                            .toUpperCase(java.util.Locale.ROOT)
                            .contains("ALREADYEXISTS");
                    if (!alreadyExists && !listedSelectable(p.list("", name), name)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }
    /** Whether a LIST answer shows {@code name} as a folder that can hold messages. */
    private static boolean listedSelectable(ListInfo @Nullable [] answer, String name) {
        if (answer == null) {
            return false;
        }
        for (ListInfo info : answer) {
            if (info.name.equals(name) && info.canOpen) {
                boolean nonExistent = false;
                for (String attr : info.attrs) {
                    nonExistent |= attr.equalsIgnoreCase("\\NonExistent");
                }
                if (!nonExistent) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        folderOpened = true;
        return ImapMailFolder.open(this, path, serverName(path));
    }

    /**
     * Opens the folder on a connection of its own if one is free within {@code maxConnections}
     * and the server gives it now; empty otherwise. A server that refuses one more connection
     * (its per-user limit) leaves this store with fewer from then on, never an error.
     */
    @Override
    public java.util.Optional<MailFolder> tryOpenFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        java.util.Optional<Connection> c = pool.tryBorrow();
        if (c.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(ImapMailFolder.open(this, path, serverName(path), c.get()));
    }

    /**
     * Moves with {@code UID MOVE} (RFC 6851) where the server has MOVE, else with {@code UID COPY},
     * {@code UID STORE +FLAGS.SILENT (\\Deleted)} and {@code UID EXPUNGE}; new ids from COPYUID
     * where the server has UIDPLUS. Without UIDPLUS (and MOVE) it refuses, as {@link
     * MailFolder#delete} does, when another message of the source carries {@code \\Deleted}.
     *
     * @throws FolderUnusableException if either folder does not exist, or the server refuses
     */
    @Override
    public Map<MessageUid, Optional<MessageUid>> move(FolderPath from, Collection<MessageUid> uids, FolderPath to)
            throws MailStoreException {
        checkOpen();
        checkArgument(!from.equals(to), "cannot move messages from %s into the same folder", from);
        String toName = serverName(to);
        if (uids.isEmpty()) {
            return Map.of();
        }
        folderOpened = true;
        try (ImapMailFolder source = ImapMailFolder.open(this, from, serverName(from))) {
            return ImmutableMap.copyOf(source.moveTo(uids, to, toName));
        }
    }

    /**
     * The quota of INBOX's quota roots ({@code GETQUOTAROOT INBOX}, where the server offers QUOTA;
     * with several roots the one with the least room, each resource on its own) and the largest
     * message accepted ({@code APPENDLIMIT=n} in CAPABILITY, else {@code STATUS INBOX
     * (APPENDLIMIT)} where the server offers a bare APPENDLIMIT). What the server does not say, or
     * refuses to say, is unknown.
     */
    @Override
    public org.mailsync.StoreCapacity capacity() throws MailStoreException {
        checkOpen();
        boolean quota = serverCapabilities.stream().anyMatch(c -> c.equals("QUOTA") || c.startsWith("QUOTA="));
        boolean perMailbox = serverHas("APPENDLIMIT");
        java.util.OptionalLong declared = capabilities.maxMessageSize();
        if (!quota && !perMailbox) {
            return MailStore.super.capacity();
        }
        return withConnection(
                ErrorContext.of(account()), "GETQUOTAROOT", (p, c) -> ImapCapacity.ask(p, quota, perMailbox, declared));
    }

    /**
     * With STATUS=SIZE (RFC 8438), {@code STATUS name (MESSAGES SIZE)} without selecting the
     * folder, and for a bound {@code UID SEARCH LARGER bound} and the sizes of what it finds; else
     * one {@code UID FETCH 1:* (UID RFC822.SIZE)} summed.
     */
    @Override
    public org.mailsync.FolderSize folderSize(FolderPath path, long largerThan) throws MailStoreException {
        checkOpen();
        checkArgument(largerThan >= 0, "largerThan must not be negative, not %s", largerThan);
        String name = serverName(path);
        if (serverHas("STATUS=SIZE")) {
            Map<String, Long> items = withConnection(ErrorContext.of(account(), path), "STATUS", (p, c) -> {
                // A pooled connection may have this folder selected from earlier: Courier
                // answers STATUS of the selected mailbox from the session's old view until
                // a NOOP (see ImapMailFolder#catchUp).
                p.noop();
                return ImapCapacity.statusItems(p, name, "MESSAGES SIZE");
            });
            if (items.isEmpty()) {
                // Refused: most likely no such folder; opening it below says which.
                ImapMailFolder.open(this, path, name).close();
            }
            Long messages = items.get("MESSAGES");
            Long bytes = items.get("SIZE");
            if (messages != null && bytes != null) {
                if (largerThan == 0 || messages == 0) {
                    return new org.mailsync.FolderSize(messages, bytes, null, 0);
                }
                try (ImapMailFolder folder = ImapMailFolder.open(this, path, name)) {
                    long[] above = folder.sizesAbove(largerThan);
                    return new org.mailsync.FolderSize(messages, bytes, above[0] == 0 ? null : above[1], above[0]);
                }
            }
        }
        try (ImapMailFolder folder = ImapMailFolder.open(this, path, name)) {
            return folder.sizes(largerThan);
        }
    }

    @SuppressWarnings("NullAway") // a Call<Void> returns null: NullAway sees T = Void only in JSpecify mode (JDK 22+)
    @Override
    public void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {
        checkOpen();
        String name = serverName(path);
        withConnection(ErrorContext.of(account(), path), subscribed ? "SUBSCRIBE" : "UNSUBSCRIBE", (p, c) -> {
            p.simpleCommand(subscribed ? "SUBSCRIBE" : "UNSUBSCRIBE", Commands.mailbox(new Argument(), p, name));
            return null;
        });
    }

    private <T> T withConnection(ErrorContext context, String what, Connection.Call<T> call) throws MailStoreException {
        return Retrier.run(
                settings,
                context,
                what,
                true,
                () -> {
                    Connection c = pool.borrow();
                    try {
                        return c.call(call);
                    } finally {
                        pool.release(c);
                    }
                },
                f -> context.folder() != null
                        ? new FolderUnusableException(context, what + " failed: " + f.text(), f.cause())
                        : new org.mailsync.StoreFailureException(context, what + " failed: " + f.text(), f.cause()));
    }

    /** Why a name in the personal namespace is no folder path, in words. */
    private String unrepresentable(String serverName) {
        String rest = serverName.substring(prefix.length());
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it holds the control character U+" + String.format("%04X", (int) c);
            }
        }
        if (rest.startsWith(String.valueOf(separator)) || rest.endsWith(String.valueOf(separator))) {
            return "it starts or ends with the hierarchy separator '" + separator + "'";
        }
        return "it has an empty level between two separators '" + separator + "'";
    }

    private void checkOpen() {
        checkState(!closed, "store %s is closed", account());
    }

    /** Logs out of every idle connection; folders still open lose theirs when closed. */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    @Override
    public String toString() {
        return "ImapStore[" + account() + "]";
    }

    /**
     * Builds an {@link ImapStore}; each setting may be given once, and {@link #connect()} checks
     * that the required ones (host, username, a password or token supplier) are there.
     *
     * <p>Not thread-safe; confine to one thread.
     */
    public static final class Builder {
        private @Nullable String host;
        private int port;
        private @Nullable Security security;
        private @Nullable String username;
        private @Nullable Supplier<char[]> password;
        private @Nullable Supplier<String> oauth2;
        private @Nullable String authorizationId;
        private @Nullable Set<String> pinned;
        private @Nullable KeyStore trustStore;
        private @Nullable Duration connectTimeout;
        private @Nullable Duration readTimeout;
        private int maxConnections;
        private @Nullable Duration connectionWait;
        private @Nullable BackoffPolicy retry;
        private @Nullable MessageSpool spool;
        private Settings.@Nullable Sleeper sleeper;
        private @Nullable Duration greetingTimeout;
        private @Nullable Duration stallTimeout;
        private @Nullable Duration operationDeadline;
        private long maxResponseSize;
        private @Nullable ProviderPreset preset;

        private Builder() {}

        /**
         * What this store should know of the provider ({@link ProviderPreset}): Gmail's virtual
         * folders left out and named, localized special-use names, a back-off for its throttling
         * (where {@link #retry} is not set), Microsoft 365's size limit and XOAUTH2.
         */
        public Builder preset(ProviderPreset value) {
            checkState(preset == null, "preset was already set to %s", preset);
            this.preset = Objects.requireNonNull(value, "preset");
            return this;
        }

        /**
         * Host, port, security and user from a URI: {@code imap://user@host:143}, {@code
         * imap+starttls://user@host}, {@code imaps://user@host:993} (see {@link ImapEndpoint}). A
         * password in the URI is refused: give it with {@link #password}.
         *
         * @throws ImapEndpoint.InvalidEndpointException if the text is not such a URI; its message
         *     never repeats the text
         */
        public Builder endpoint(String uri) {
            return endpoint(ImapEndpoint.parse(uri));
        }

        /** Host, port, security and (if it names one) user of an endpoint. */
        public Builder endpoint(ImapEndpoint endpoint) {
            security(endpoint.security());
            host(endpoint.host());
            port(endpoint.port());
            String user = endpoint.user();
            if (user != null) {
                username(user);
            }
            return this;
        }

        /** The server's host name (checked against its certificate). Required. */
        public Builder host(String name) {
            checkState(host == null, "host was already set to %s", host);
            checkArgument(!name.isBlank(), "host must not be blank");
            this.host = name;
            return this;
        }

        /** The port; by default that of the security (143 or 993). */
        public Builder port(int number) {
            checkState(port == 0, "port was already set to %s", port);
            checkArgument(number > 0 && number < 65536, "port must be 1..65535, not %s", number);
            this.port = number;
            return this;
        }

        /** How the connection is protected; {@link Security#TLS} by default. */
        public Builder security(Security value) {
            checkState(security == null, "security was already set to %s", security);
            this.security = value;
            return this;
        }

        /**
         * The login name. For a Dovecot master-user login either give the master's name here and
         * the user's as {@link #authorizationId}, or log in as {@code user*master} (Dovecot's
         * {@code auth_master_user_separator}) with the master's password. Required.
         */
        public Builder username(String name) {
            checkState(username == null, "username was already set to %s", username);
            checkArgument(!name.isBlank(), "username must not be blank");
            this.username = name;
            return this;
        }

        /** The password (PLAIN or LOGIN); the array is copied. */
        public Builder password(char[] secret) {
            char[] copy = secret.clone();
            return password(() -> copy.clone());
        }

        /** Where to get the password at each login (a vault, a prompt). */
        public Builder password(Supplier<char[]> supplier) {
            checkState(password == null, "password was already set");
            checkState(oauth2 == null, "an OAuth2 token supplier was already set");
            this.password = supplier;
            return this;
        }

        /** Logs in with XOAUTH2, asking the supplier for a fresh access token at each login. */
        public Builder oauth2(Supplier<String> tokenSupplier) {
            checkState(oauth2 == null, "an OAuth2 token supplier was already set");
            checkState(password == null, "a password was already set");
            this.oauth2 = tokenSupplier;
            return this;
        }

        /**
         * The user to act as when logging in with an admin (master) user's credentials: SASL PLAIN
         * with this authorization identity (RFC 4616).
         */
        public Builder authorizationId(String user) {
            checkState(authorizationId == null, "authorization id was already set to %s", authorizationId);
            checkArgument(!user.isBlank(), "authorization id must not be blank");
            this.authorizationId = user;
            return this;
        }

        /**
         * Trusts these certificates (by SHA-256 fingerprint, {@code AB:CD:...} or plain hex) in
         * addition to what the trust store trusts. The host name is still checked.
         */
        public Builder trustCertificateSha256(String... fingerprints) {
            checkState(pinned == null, "pinned certificates were already set to %s", pinned);
            checkArgument(fingerprints.length > 0, "give at least one fingerprint");
            Set<String> set = new LinkedHashSet<>();
            for (String f : fingerprints) {
                set.add(PinningTrustManager.normalizeFingerprint(f));
            }
            this.pinned = Set.copyOf(set);
            return this;
        }

        /** Trusts what this trust store (PKCS12 or JKS) trusts, instead of the JDK's. */
        public Builder trustStore(Path path, char[] storePassword) {
            checkState(trustStore == null, "trust store was already set");
            try {
                this.trustStore = KeyStore.getInstance(path.toFile(), storePassword);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("cannot read trust store " + path + ": " + e.getMessage(), e);
            }
            return this;
        }

        /** How long to wait for a connection to be made; 30 seconds by default. */
        public Builder connectTimeout(Duration timeout) {
            checkState(connectTimeout == null, "connect timeout was already set to %s", connectTimeout);
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** How long to wait for the server's next bytes; 2 minutes by default. */
        public Builder readTimeout(Duration timeout) {
            checkState(readTimeout == null, "read timeout was already set to %s", readTimeout);
            this.readTimeout = positive(timeout, "read timeout");
            return this;
        }

        /**
         * The most connections to the server at once: each open folder holds one, a store-level
         * command borrows one while it runs; 8 by default (Dovecot allows 10 per user and address).
         */
        public Builder maxConnections(int n) {
            checkState(maxConnections == 0, "max connections was already set to %s", maxConnections);
            checkArgument(n >= 1, "max connections must be at least 1, not %s", n);
            this.maxConnections = n;
            return this;
        }

        /** How long opening a folder waits for a free connection; 2 minutes by default. */
        public Builder connectionWait(Duration wait) {
            checkState(connectionWait == null, "connection wait was already set to %s", connectionWait);
            this.connectionWait = positive(wait, "connection wait");
            return this;
        }

        /**
         * How idempotent exchanges are retried after lost connections and throttling (attempts in
         * all, waits; never past the operation deadline); {@link RetryPolicy#DEFAULT} by default.
         */
        public Builder retry(BackoffPolicy policy) {
            checkState(retry == null, "retry policy was already set to %s", retry);
            this.retry = Objects.requireNonNull(policy, "retry policy");
            return this;
        }

        /** {@code retry(policy.toBackoff())}: doubling waits, no jitter. */
        public Builder retry(RetryPolicy policy) {
            return retry(policy.toBackoff());
        }

        /** Where read messages go: memory up to its threshold, temp files above. */
        public Builder spool(MessageSpool value) {
            checkState(spool == null, "spool was already set");
            this.spool = value;
            return this;
        }

        /**
         * How long a server may take to send its first bytes once the TCP connection is up (the
         * greeting, or the TLS handshake); 30 seconds by default. A host that accepts connections
         * but never answers fails after this, as a {@link org.mailsync.ConnectionException}.
         */
        public Builder greetingTimeout(Duration timeout) {
            checkState(greetingTimeout == null, "greeting timeout was already set to %s", greetingTimeout);
            this.greetingTimeout = positive(timeout, "greeting timeout");
            return this;
        }

        /**
         * How long the store waits for meaningful progress: a server that sends fewer than 1 KiB
         * in this much waiting (counted from the last command sent or the last KiB received), or
         * does not take a written KiB in this much time, has stalled, however it drips; 2 minutes
         * by default.
         */
        public Builder stallTimeout(Duration timeout) {
            checkState(stallTimeout == null, "stall timeout was already set to %s", stallTimeout);
            this.stallTimeout = positive(timeout, "stall timeout");
            return this;
        }

        /**
         * The longest one operation (a command with all its retries and reconnections) may take
         * before it fails as a {@link org.mailsync.ConnectionException}; 10 minutes by default.
         */
        public Builder operationDeadline(Duration deadline) {
            checkState(operationDeadline == null, "operation deadline was already set to %s", operationDeadline);
            this.operationDeadline = positive(deadline, "operation deadline");
            return this;
        }

        /**
         * The most bytes one server response may hold, literals included (what Angus Mail holds in
         * memory at once per connection); 32 MiB by default, at least 64 KiB. Larger messages are
         * read in parts; a server announcing more is a protocol error ({@link
         * org.mailsync.StoreFailureException}), never an allocation.
         */
        public Builder maxResponseSize(long bytes) {
            checkState(maxResponseSize == 0, "max response size was already set to %s", maxResponseSize);
            checkArgument(bytes >= 64 * 1024, "max response size must be at least 64 KiB, not %s", bytes);
            checkArgument(bytes <= Integer.MAX_VALUE - 1024, "max response size must be below 2 GiB, not %s", bytes);
            this.maxResponseSize = bytes;
            return this;
        }

        /** How to wait between retries (tests pass one that does not sleep). */
        Builder sleeper(Settings.Sleeper value) {
            checkState(sleeper == null, "sleeper was already set");
            this.sleeper = value;
            return this;
        }

        private static Duration positive(Duration d, String what) {
            checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive, not %s", what, d);
            return d;
        }

        /**
         * Connects, logs in and reads what the server offers (capabilities, namespace, separator).
         *
         * @throws org.mailsync.AuthenticationException if the login is refused (never retried)
         * @throws org.mailsync.ConnectionException if the server cannot be reached
         * @throws org.mailsync.StoreFailureException if its certificate is not trusted (the text
         *     shows its fingerprint) or it lacks a required STARTTLS
         */
        public ImapStore connect() throws MailStoreException {
            checkState(host != null, "host must be set");
            checkState(username != null, "username must be set");
            checkState(password != null || oauth2 != null, "a password or an OAuth2 token supplier must be set");
            Security sec = security != null ? security : Security.TLS;
            Settings settings = new Settings(
                    host,
                    port != 0 ? port : sec.defaultPort(),
                    sec,
                    username,
                    password,
                    oauth2,
                    authorizationId,
                    pinned != null ? pinned : Set.of(),
                    trustStore,
                    connectTimeout != null ? connectTimeout : Duration.ofSeconds(30),
                    readTimeout != null ? readTimeout : Duration.ofMinutes(2),
                    maxConnections != 0 ? maxConnections : 8,
                    connectionWait != null ? connectionWait : Duration.ofMinutes(2),
                    retry != null ? retry : preset != null ? preset.retry() : RetryPolicy.DEFAULT.toBackoff(),
                    spool != null ? spool : MessageSpool.defaults(),
                    sleeper != null ? sleeper : Settings.Sleeper.REAL,
                    greetingTimeout != null ? greetingTimeout : Duration.ofSeconds(30),
                    stallTimeout != null ? stallTimeout : Duration.ofMinutes(2),
                    operationDeadline != null ? operationDeadline : Duration.ofMinutes(10),
                    maxResponseSize != 0 ? maxResponseSize : 32L << 20,
                    preset);
            return ImapStore.connect(settings);
        }
    }
}
