package org.mailsync.pop3;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import jakarta.mail.MessagingException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.mailsync.DeletionPolicy;
import org.mailsync.ErrorContext;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderReport;
import org.mailsync.FolderUnusableException;
import org.mailsync.IdentityStrategy;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageSpool;
import org.mailsync.MessageUid;
import org.mailsync.StoreCapabilities;
import org.mailsync.SyncConfiguration;
import org.mailsync.SyncReport;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;
import org.mailsync.spi.support.PinningTrustManager;

/**
 * A POP3 account as a read-only source: one folder, INBOX, whose messages are the maildrop's.
 * Message ids come from UIDL and are kept in the store's state directory ({@link UidMap}), so that
 * they stay the same from pass to pass and a delta pass copies only new messages; the generation
 * stays the same as long as that directory does. Without UIDL, messages are recognised by their
 * headers at every pass. Internal dates come from the bottom-most {@code Received:} field, else
 * {@code Date:}. POP3 has no flags: messages are copied without flags, and the folder says so once
 * in its warnings.
 *
 * <p>Nothing is ever deleted on the server, except by {@link #deleteCopied} on a store built with
 * {@link Builder#deleteAfterCopy(boolean) deleteAfterCopy}: after a pass, it deletes only the
 * messages that the target folder holds (found there by the pass's identity strategy and size).
 *
 * <p>Each opened folder is one POP3 session; a server that locks the maildrop (many do) allows one
 * at a time, and the engine opens one at a time. Thread-safe.
 */
public final class Pop3Store implements MailStore {
    private final Session.Settings settings;
    private final UidMap uidMap;
    private final MessageSpool spool;
    private final Clock clock;
    private final boolean deleteAfterCopy;

    private Pop3Store(Builder b) {
        Pop3Security security = requireNonNull(b.security);
        int port = b.port != null ? b.port : security.defaultPort();
        String host = requireNonNull(b.host);
        String user = requireNonNull(b.username);
        String account = security.scheme() + "://" + user.replace("%", "%25").replace("@", "%40") + "@"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        this.settings = new Session.Settings(
                account,
                host,
                port,
                security,
                user,
                b.password,
                b.oauth2Token,
                b.authentication != null ? b.authentication : Pop3Authentication.AUTO,
                b.trustStore,
                Set.copyOf(b.pinned),
                b.connectTimeout != null ? b.connectTimeout : Duration.ofSeconds(30),
                new Guard.Limits(
                        b.greetingTimeout != null ? b.greetingTimeout : Duration.ofSeconds(30),
                        b.readTimeout != null ? b.readTimeout : Duration.ofMinutes(2),
                        b.stallTimeout != null ? b.stallTimeout : Duration.ofMinutes(2),
                        b.operationDeadline != null ? b.operationDeadline : Duration.ofMinutes(10),
                        b.maxResponseSize != null ? b.maxResponseSize : 32L << 20),
                b.maxMessageSize != null ? b.maxMessageSize : 256L << 20);
        this.uidMap = new UidMap(requireNonNull(b.stateDirectory), account);
        this.spool = b.spool != null ? b.spool : MessageSpool.defaults();
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.deleteAfterCopy = b.deleteAfterCopy != null && b.deleteAfterCopy;
    }

    /** A builder; host, username, a password or token, and a state directory are required. */
    public static Builder builder() {
        return new Builder();
    }

    UidMap uidMap() {
        return uidMap;
    }

    MessageSpool spool() {
        return spool;
    }

    Clock clock() {
        return clock;
    }

    long maxMessageSize() {
        return settings.maxMessageSize();
    }

    /** Whether {@link #deleteCopied} may delete (the user asked for it). */
    public boolean deleteAfterCopy() {
        return deleteAfterCopy;
    }

    @Override
    public String account() {
        return settings.account();
    }

    /** None: POP3 has no keywords, modseqs, special uses or subscriptions, and nothing is appended. */
    @Override
    public StoreCapabilities capabilities() {
        return StoreCapabilities.of();
    }

    @Override
    public List<FolderInfo> listFolders() {
        return List.of(FolderInfo.of(FolderPath.INBOX));
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        if (!path.isInbox()) {
            throw new FolderUnusableException(
                    ErrorContext.of(account(), path), "a POP3 store has only INBOX and is a source only", null);
        }
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        return open(path);
    }

    private Pop3Folder open(FolderPath path) throws MailStoreException {
        if (!path.isInbox()) {
            throw new FolderUnusableException(
                    ErrorContext.of(account(), path), "a POP3 store has only INBOX (POP3 has no folders)", null);
        }
        return new Pop3Folder(this, Session.open(settings));
    }

    /** Logs in once and out again: a wrong password or certificate shows here, not mid-pass. */
    void check() throws MailStoreException {
        try (Session s = Session.open(settings)) {
            s.count();
        }
    }

    /**
     * After a pass of {@code engine} (its configuration) that ended with {@code report}, deletes on
     * the POP3 server the messages the target folder of INBOX holds: each message of the maildrop
     * whose identity key (the pass's {@link IdentityStrategy}) and size a target message has, one
     * target message per source message. Everything else stays: messages not copied yet, refused
     * by the target, arrived since the pass, or stored altered. The DELE commands take effect at
     * QUIT only, so a run killed part way deletes nothing; the next call finds the messages on the
     * target again and deletes them then. Nothing is deleted after a dry run, a failed INBOX or a
     * failed account.
     *
     * @throws IllegalStateException if the store was not built with {@code deleteAfterCopy(true)}
     * @throws IllegalArgumentException if the configuration's source is not this account, or its
     *     deletion policy is {@link DeletionPolicy#MIRROR} (whose next pass would delete on the
     *     target every message deleted here)
     */
    public Pop3Deletion deleteCopied(SyncConfiguration config, SyncReport report) throws MailStoreException {
        checkState(
                deleteAfterCopy,
                "%s was not built with deleteAfterCopy(true): it never deletes on the server",
                account());
        checkArgument(
                config.source().account().equals(account()),
                "the pass read %s, not this store (%s)",
                config.source().account(),
                account());
        checkArgument(
                config.deletions() != DeletionPolicy.MIRROR,
                "deleteAfterCopy cannot go with DeletionPolicy.MIRROR: the next pass would delete on the target"
                        + " every message deleted on the POP3 server");
        if (config.dryRun()) {
            return Pop3Deletion.none("a dry run deletes nothing on the POP3 server");
        }
        if (report.accountError() != null) {
            return Pop3Deletion.none(
                    "the pass failed (" + report.accountError() + "): nothing deleted on the POP3 server");
        }
        Optional<FolderReport> inbox = report.folders().stream()
                .filter(f -> f.pair().source().isInbox())
                .findFirst();
        if (inbox.isEmpty()) {
            return Pop3Deletion.none("the pass did not sync INBOX: nothing deleted on the POP3 server");
        }
        FolderReport folder = inbox.get();
        if (folder.outcome() != FolderReport.Outcome.SYNCED && folder.outcome() != FolderReport.Outcome.UNCHANGED) {
            return Pop3Deletion.none(
                    folder.pair() + " ended " + folder.outcome() + ": nothing deleted on the POP3 server");
        }
        IdentityStrategy identity = config.identity();
        List<Integer> numbers = new ArrayList<>();
        Set<String> deletedKeys = new LinkedHashSet<>();
        long kept;
        boolean uidl;
        try (Pop3Folder source = open(FolderPath.INBOX);
                MailFolder target = config.target().openFolder(folder.pair().target())) {
            List<MessageInfo> sources = new ArrayList<>();
            source.list(MessageQuery.all(), sources::addAll);
            uidl = source.hasUidl();
            if (sources.isEmpty()) {
                return new Pop3Deletion(0, 0, ImmutableList.of());
            }
            Set<Long> sizes = new HashSet<>();
            sources.forEach(m -> sizes.add(m.size()));
            List<MessageInfo> targets = new ArrayList<>();
            target.list(MessageQuery.all(), batch -> batch.stream()
                    .filter(m -> sizes.contains(m.size()))
                    .forEach(targets::add));
            Map<String, Deque<MessageUid>> onTarget = new HashMap<>();
            Map<MessageUid, String> targetKeys =
                    keys(identity, target, targets, config.target().account());
            for (MessageInfo t : targets) {
                String key = targetKeys.get(t.uid());
                if (key != null) {
                    onTarget.computeIfAbsent(key + " " + t.size(), k -> new ArrayDeque<>())
                            .add(t.uid());
                }
            }
            Map<MessageUid, String> sourceKeys = keys(identity, source, sources, account());
            for (MessageInfo m : sources) {
                String key = sourceKeys.get(m.uid());
                Deque<MessageUid> found = key == null ? null : onTarget.get(key + " " + m.size());
                if (found != null && !found.isEmpty()) {
                    found.removeFirst(); // one target message stands for one source message
                    numbers.add(source.number(m.uid()).orElseThrow());
                    deletedKeys.add(m.uid().toString());
                }
            }
            kept = (long) sources.size() - numbers.size();
            if (!numbers.isEmpty()) {
                try {
                    source.session().deleteAndQuit(numbers);
                } catch (MessagingException | RuntimeException e) {
                    throw Failures.of(
                            ErrorContext.of(account(), FolderPath.INBOX),
                            "deleting " + numbers.size() + " copied messages",
                            e);
                }
            }
        }
        ImmutableList.Builder<String> notes = ImmutableList.builder();
        long deleted = numbers.size();
        if (deleted > 0 && uidl) {
            // The server deletes at QUIT; a new session shows whether it did.
            List<MessageInfo> left = new ArrayList<>();
            try (Pop3Folder again = open(FolderPath.INBOX)) {
                again.list(MessageQuery.all(), left::addAll);
            }
            long still = left.stream()
                    .filter(m -> deletedKeys.contains(m.uid().toString()))
                    .count();
            if (still > 0) {
                notes.add(still + " of the " + deleted + " messages marked for deletion are still on the server"
                        + " (it did not complete the QUIT): the next run deletes them");
                deleted -= still;
                kept += still;
            }
        }
        if (kept > 0) {
            notes.add(kept + " messages stay on the POP3 server: the target does not hold them (yet)");
        }
        return new Pop3Deletion(deleted, kept, notes.build());
    }

    private static Map<MessageUid, String> keys(
            IdentityStrategy identity, MailFolder folder, List<MessageInfo> infos, String account)
            throws MailStoreException {
        Map<MessageUid, MessageInfo> byUid = new HashMap<>();
        infos.forEach(m -> byUid.put(m.uid(), m));
        Map<MessageUid, String> keys = new HashMap<>();
        List<MessageUid> uids = infos.stream().map(MessageInfo::uid).toList();
        for (int i = 0; i < uids.size(); i += 200) {
            List<MessageUid> chunk = uids.subList(i, Math.min(uids.size(), i + 200));
            if (identity.needsFullContent()) {
                folder.readAll(chunk, (uid, raw) -> {
                    try (raw;
                            InputStream in = raw.openStream()) {
                        keys.put(uid, identity.key(requireNonNull(byUid.get(uid)), in));
                    } catch (IOException e) {
                        throw new MessageRejectedException(
                                ErrorContext.of(account, folder.path(), uid), "cannot read: " + e.getMessage(), e);
                    }
                });
            } else {
                folder.readHeaders(chunk, (uid, block) -> {
                    try {
                        keys.put(uid, identity.key(requireNonNull(byUid.get(uid)), new ByteArrayInputStream(block)));
                    } catch (IOException e) {
                        throw new MessageRejectedException(
                                ErrorContext.of(account, folder.path(), uid), "cannot read: " + e.getMessage(), e);
                    }
                });
            }
        }
        return keys;
    }

    /** Nothing to close: each folder holds its own session. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "Pop3Store[" + account() + "]";
    }

    /**
     * Configures a {@link Pop3Store}; each setting may be made once. The store copies everything
     * at {@link #build()}.
     *
     * <p>Not thread-safe; confine to one thread.
     */
    public static final class Builder {
        private @Nullable String host;
        private @Nullable Integer port;
        private @Nullable Pop3Security security;
        private @Nullable String username;
        private @Nullable Supplier<char[]> password;
        private @Nullable Supplier<String> oauth2Token;
        private @Nullable Pop3Authentication authentication;
        private @Nullable KeyStore trustStore;
        private final Set<String> pinned = new HashSet<>();
        private boolean pinnedSet;
        private @Nullable Duration connectTimeout;
        private @Nullable Duration greetingTimeout;
        private @Nullable Duration readTimeout;
        private @Nullable Duration stallTimeout;
        private @Nullable Duration operationDeadline;
        private @Nullable Long maxResponseSize;
        private @Nullable Long maxMessageSize;
        private @Nullable Path stateDirectory;
        private @Nullable MessageSpool spool;
        private @Nullable Clock clock;
        private @Nullable Boolean deleteAfterCopy;

        private Builder() {}

        private static void once(@Nullable Object current, String name) {
            checkState(current == null, "%s was already set to %s", name, current);
        }

        public Builder host(String value) {
            once(host, "host");
            checkArgument(!value.isBlank(), "host must not be blank");
            this.host = value;
            return this;
        }

        /** The port; by default that of the security (110 or 995). */
        public Builder port(int value) {
            once(port, "port");
            checkArgument(value > 0 && value < 65536, "port must be 1..65535, not %s", value);
            this.port = value;
            return this;
        }

        /** How the connection is protected; required. */
        public Builder security(Pop3Security value) {
            once(security, "security");
            this.security = requireNonNull(value);
            return this;
        }

        public Builder username(String value) {
            once(username, "username");
            checkArgument(!value.isEmpty() && value.chars().noneMatch(c -> c < ' '), "bad username");
            this.username = value;
            return this;
        }

        /** The password, asked for at each login; each array is wiped after use. */
        public Builder password(Supplier<char[]> value) {
            checkState(password == null && oauth2Token == null, "a password or token was already set");
            this.password = requireNonNull(value);
            return this;
        }

        /** An OAuth2 access token, asked for at each login, sent with SASL XOAUTH2 only. */
        public Builder oauth2(Supplier<String> token) {
            checkState(password == null && oauth2Token == null, "a password or token was already set");
            this.oauth2Token = requireNonNull(token);
            return this;
        }

        /** How a password logs in; {@link Pop3Authentication#AUTO} by default. */
        public Builder authentication(Pop3Authentication value) {
            once(authentication, "authentication");
            this.authentication = requireNonNull(value);
            return this;
        }

        /** Trust these certificate authorities instead of the JDK's. */
        public Builder trustStore(KeyStore value) {
            once(trustStore, "trustStore");
            this.trustStore = requireNonNull(value);
            return this;
        }

        /** Trust server certificates with these SHA-256 fingerprints, besides those the trust store trusts. */
        public Builder trustCertificateSha256(String... fingerprints) {
            checkState(!pinnedSet, "trustCertificateSha256 was already set");
            pinnedSet = true;
            for (String f : fingerprints) {
                pinned.add(PinningTrustManager.normalizeFingerprint(f));
            }
            return this;
        }

        public Builder connectTimeout(Duration value) {
            once(connectTimeout, "connectTimeout");
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** How long a server may take to send its first byte (30 s). */
        public Builder greetingTimeout(Duration value) {
            once(greetingTimeout, "greetingTimeout");
            this.greetingTimeout = positive(value, "greetingTimeout");
            return this;
        }

        /** How long a server may stay silent (2 min). */
        public Builder readTimeout(Duration value) {
            once(readTimeout, "readTimeout");
            this.readTimeout = positive(value, "readTimeout");
            return this;
        }

        /** How long a server may send fewer than 1 KiB while the store waits (2 min). */
        public Builder stallTimeout(Duration value) {
            once(stallTimeout, "stallTimeout");
            this.stallTimeout = positive(value, "stallTimeout");
            return this;
        }

        /** How long one operation (a login, a listing, one message) may take in all (10 min). */
        public Builder operationDeadline(Duration value) {
            once(operationDeadline, "operationDeadline");
            this.operationDeadline = positive(value, "operationDeadline");
            return this;
        }

        /** The most bytes an answer other than a message may hold (32 MiB; at least 64 KiB). */
        public Builder maxResponseSize(long bytes) {
            once(maxResponseSize, "maxResponseSize");
            checkArgument(bytes >= 64 * 1024, "maxResponseSize must be at least 64 KiB, not %s", bytes);
            this.maxResponseSize = bytes;
            return this;
        }

        /** The largest message read (256 MiB); larger ones fail as messages, reported, never read. */
        public Builder maxMessageSize(long bytes) {
            once(maxMessageSize, "maxMessageSize");
            checkArgument(bytes > 0, "maxMessageSize must be positive, not %s", bytes);
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Where the store keeps the ids it gave the account's messages (required): keep it with
         * the checkpoints, since a lost id file makes the next pass match every message again.
         */
        public Builder stateDirectory(Path directory) {
            once(stateDirectory, "stateDirectory");
            this.stateDirectory = directory.toAbsolutePath().normalize();
            return this;
        }

        /** Where large messages are spooled ({@link MessageSpool#defaults()}). */
        public Builder spool(MessageSpool value) {
            once(spool, "spool");
            this.spool = requireNonNull(value);
            return this;
        }

        /** The clock for the dates messages were first seen. */
        public Builder clock(Clock value) {
            once(clock, "clock");
            this.clock = requireNonNull(value);
            return this;
        }

        /**
         * Allows {@link Pop3Store#deleteCopied} to delete, on the server, messages the target holds
         * after a pass; off by default: the store never deletes.
         */
        public Builder deleteAfterCopy(boolean value) {
            once(deleteAfterCopy, "deleteAfterCopy");
            this.deleteAfterCopy = value;
            return this;
        }

        private static Duration positive(Duration d, String name) {
            checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive, not %s", name, d);
            return d;
        }

        /** The store; nothing is connected until a folder is opened. */
        public Pop3Store build() {
            List<String> missing = new ArrayList<>();
            if (host == null) {
                missing.add("host");
            }
            if (security == null) {
                missing.add("security");
            }
            if (username == null) {
                missing.add("username");
            }
            if (password == null && oauth2Token == null) {
                missing.add("password or oauth2");
            }
            if (stateDirectory == null) {
                missing.add("stateDirectory");
            }
            checkState(missing.isEmpty(), "a POP3 store needs %s", String.join(", ", missing));
            checkState(
                    oauth2Token == null || authentication == null,
                    "authentication %s goes with a password; a token always uses XOAUTH2",
                    authentication);
            return new Pop3Store(this);
        }

        /** The store, after one login to check the password and certificate. */
        public Pop3Store connect() throws MailStoreException {
            Pop3Store store = build();
            store.check();
            return store;
        }
    }

    /** The scheme's security ({@code pop3}, {@code pop3s}, {@code pop3+stls}), if it is one. */
    public static Optional<Pop3Security> securityOf(String scheme) {
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "pop3" -> Optional.of(Pop3Security.NONE);
            case "pop3+stls", "pop3+starttls" -> Optional.of(Pop3Security.STLS);
            case "pop3s" -> Optional.of(Pop3Security.TLS);
            default -> Optional.empty();
        };
    }
}
