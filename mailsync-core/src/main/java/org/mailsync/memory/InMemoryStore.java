package org.mailsync.memory;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.mailsync.Capability;
import org.mailsync.ErrorContext;
import org.mailsync.Flags;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.FolderUnusableException;
import org.mailsync.Generation;
import org.mailsync.MailStoreException;
import org.mailsync.MessageInfo;
import org.mailsync.MessageRejectedException;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;
import org.mailsync.SpecialUse;
import org.mailsync.StoreCapabilities;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * A complete mail store kept in memory: folders with hierarchy, generations, ids, flags and
 * keywords, internal dates (to the second) and modseqs. It is the reference implementation of the
 * SPI, and what tests and examples sync with when no server is needed.
 *
 * <p>The data outlives a {@link #close()}: {@link #reopen()} gives a new store over the same data,
 * as reconnecting to a server would. Tests can bump a folder's generation ({@link
 * #resetGeneration}) as a server that renumbers its UIDs does.
 *
 * <p>Thread-safe.
 */
public final class InMemoryStore implements MailStore {
    private static final AtomicLong GENERATIONS = new AtomicLong(System.nanoTime() & 0xFFFFFF);

    private final Data data;
    private volatile boolean closed;

    private InMemoryStore(Data data) {
        this.data = data;
    }

    /**
     * A store with every capability but batch append: keywords, append ids, modseqs and vanished
     * ids, special use, subscriptions.
     */
    public static InMemoryStore create(String account) {
        return builder().account(account).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A new store over the same data, as a new connection to the same account would be. */
    public InMemoryStore reopen() {
        return new InMemoryStore(data);
    }

    @Override
    public String account() {
        return data.account;
    }

    @Override
    public StoreCapabilities capabilities() {
        return data.capabilities;
    }

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        checkOpen();
        synchronized (data) {
            List<FolderInfo> out = new ArrayList<>();
            for (Box box : data.folders.values()) {
                out.add(new FolderInfo(
                        box.path,
                        box.selectable,
                        data.capabilities.has(Capability.SPECIAL_USE) ? box.specialUse : null,
                        !data.capabilities.has(Capability.SUBSCRIPTIONS) || box.subscribed));
            }
            return out;
        }
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        createFolder(path, null);
    }

    /** Creates a folder with a special use, as a server that declares one would have it. */
    @Override
    public void createFolder(FolderPath path, @Nullable SpecialUse specialUse) throws MailStoreException {
        checkOpen();
        synchronized (data) {
            for (int depth = 1; depth <= path.depth(); depth++) {
                FolderPath prefix = FolderPath.of(path.segments().subList(0, depth));
                Box box = data.folders.get(prefix);
                if (box == null) {
                    data.folders.put(prefix, new Box(prefix));
                } else if (depth == path.depth()) {
                    box.selectable = true;
                }
            }
            if (specialUse != null) {
                requireNonNull(data.folders.get(path)).specialUse = specialUse;
            }
        }
    }

    /**
     * Deletes a folder and its messages (not its sub-folders), as a user or an administrator of
     * a server would: a folder created again under the same path is a new folder, with a new
     * generation.
     */
    public void deleteFolder(FolderPath path) {
        synchronized (data) {
            checkNotNull(data.folders.remove(path), "no folder %s", path);
        }
    }

    /**
     * Gives a folder a new generation and renumbers its messages from 1, as a server that loses
     * its UID state does. Flags, bytes and dates stay.
     */
    public void resetGeneration(FolderPath path) {
        synchronized (data) {
            Box box = checkNotNull(data.folders.get(path), "no folder %s", path);
            box.generation = GENERATIONS.incrementAndGet();
            TreeMap<Long, Stored> renumbered = new TreeMap<>();
            long uid = 1;
            for (Stored stored : box.messages.values()) {
                renumbered.put(uid++, stored);
            }
            box.messages = renumbered;
            box.nextUid = uid;
            box.expunged = new TreeMap<>();
        }
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        checkOpen();
        synchronized (data) {
            Box box = data.folders.get(path);
            if (box == null || !box.selectable) {
                throw new FolderUnusableException(
                        ErrorContext.of(data.account, path),
                        box == null ? "no such folder" : "folder cannot hold messages",
                        null);
            }
            return new Folder(path);
        }
    }

    /** Any number of openings: memory has no connection limit. */
    @Override
    public java.util.Optional<MailFolder> tryOpenFolder(FolderPath path) throws MailStoreException {
        return java.util.Optional.of(openFolder(path));
    }

    @Override
    public void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {
        checkOpen();
        synchronized (data) {
            Box box = data.folders.get(path);
            if (box == null) {
                throw new FolderUnusableException(ErrorContext.of(data.account, path), "no such folder", null);
            }
            box.subscribed = subscribed;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        checkState(!closed, "store %s is closed", data.account);
    }

    @Override
    public String toString() {
        return "InMemoryStore[" + data.account + "]";
    }

    private final class Folder implements MailFolder {
        private final FolderPath path;
        private boolean folderClosed;

        Folder(FolderPath path) {
            this.path = path;
        }

        private Box box() throws MailStoreException {
            checkOpen();
            checkState(!folderClosed, "folder %s is closed", path);
            Box box = data.folders.get(path);
            if (box == null) {
                throw new FolderUnusableException(ErrorContext.of(data.account, path), "folder was deleted", null);
            }
            return box;
        }

        @Override
        public FolderPath path() {
            return path;
        }

        @Override
        public FolderStatus status() throws MailStoreException {
            synchronized (data) {
                Box box = box();
                return new FolderStatus(
                        Generation.of(box.generation),
                        MessageUid.of(box.nextUid),
                        box.messages.size(),
                        data.capabilities.has(Capability.MODSEQ) ? ModSeq.of(box.highestModSeq) : null);
            }
        }

        @Override
        public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
            checkArgument(
                    query.changedSince() == null || data.capabilities.has(Capability.MODSEQ),
                    "store %s keeps no modseqs",
                    data.account);
            List<MessageInfo> all = new ArrayList<>();
            synchronized (data) {
                Box box = box();
                for (Map.Entry<Long, Stored> entry :
                        box.messages.tailMap(query.from().value(), true).entrySet()) {
                    Stored stored = entry.getValue();
                    if (query.changedSince() != null
                            && stored.modSeq <= query.changedSince().value()) {
                        continue;
                    }
                    all.add(new MessageInfo(
                            MessageUid.of(entry.getKey()),
                            stored.bytes.length,
                            stored.flags,
                            stored.internalDate,
                            data.capabilities.has(Capability.MODSEQ) ? ModSeq.of(stored.modSeq) : null));
                }
            }
            // Hand batches over outside the lock: a consumer may call back into the store.
            for (int start = 0; start < all.size(); start += query.batchSize()) {
                consumer.accept(
                        ImmutableList.copyOf(all.subList(start, Math.min(all.size(), start + query.batchSize()))));
            }
        }

        @Override
        public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
            synchronized (data) {
                Stored stored = box().messages.get(uid.value());
                return stored == null ? Optional.empty() : Optional.of(RawMessage.of(stored.bytes));
            }
        }

        /** Ids expunged after {@code modSeq}, on a store with MODSEQ (and so VANISHED); else empty. */
        @Override
        public Optional<Set<MessageUid>> vanishedSince(ModSeq modSeq) throws MailStoreException {
            if (!data.capabilities.has(Capability.VANISHED)) {
                return Optional.empty();
            }
            synchronized (data) {
                Set<MessageUid> gone = new TreeSet<>();
                box().expunged.forEach((uid, at) -> {
                    if (at > modSeq.value()) {
                        gone.add(MessageUid.of(uid));
                    }
                });
                return Optional.of(Set.copyOf(gone));
            }
        }

        @Override
        public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
            RawMessage message = request.message();
            long max = data.capabilities.maxMessageSize().orElse(Long.MAX_VALUE);
            if (message.size() > max) {
                throw new MessageRejectedException(
                        ErrorContext.of(data.account, path),
                        "message of " + message.size() + " bytes exceeds the limit of " + max + " bytes",
                        null);
            }
            byte[] bytes = message.toByteArray();
            synchronized (data) {
                Box box = box();
                long uid = box.nextUid++;
                box.messages.put(
                        uid,
                        new Stored(
                                bytes,
                                keep(request.flags()),
                                request.internalDate().truncatedTo(ChronoUnit.SECONDS),
                                ++box.highestModSeq));
                return data.capabilities.has(Capability.APPEND_UID)
                        ? Optional.of(MessageUid.of(uid))
                        : Optional.empty();
            }
        }

        private Flags keep(Flags flags) {
            return data.capabilities.has(Capability.KEYWORDS) ? flags : flags.systemOnly();
        }

        @Override
        public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, Flags flags)
                throws MailStoreException {
            Flags kept = keep(flags);
            synchronized (data) {
                Box box = box();
                for (MessageUid uid : uids) {
                    Stored stored = box.messages.get(uid.value());
                    if (stored == null) {
                        continue;
                    }
                    Flags updated =
                            switch (mode) {
                                case ADD -> stored.flags.plus(kept);
                                case REMOVE -> stored.flags.minus(kept);
                                case REPLACE -> kept;
                            };
                    if (!updated.equals(stored.flags)) {
                        box.messages.put(
                                uid.value(),
                                new Stored(stored.bytes, updated, stored.internalDate, ++box.highestModSeq));
                    }
                }
            }
        }

        @Override
        public void delete(Collection<MessageUid> uids) throws MailStoreException {
            synchronized (data) {
                Box box = box();
                List<Long> removed = new ArrayList<>();
                for (MessageUid uid : uids) {
                    if (box.messages.remove(uid.value()) != null) {
                        removed.add(uid.value());
                    }
                }
                if (!removed.isEmpty()) {
                    box.highestModSeq++;
                    // As a QRESYNC server keeps it: each expunge with the modseq it happened at.
                    removed.forEach(uid -> box.expunged.put(uid, box.highestModSeq));
                }
            }
        }

        @Override
        public void close() {
            folderClosed = true;
        }
    }

    /** Builds an {@link InMemoryStore}. Not thread-safe; confine to one thread. */
    public static final class Builder {
        private @Nullable String account;
        private @Nullable Set<Capability> capabilities;
        private long maxMessageSize;

        private Builder() {}

        /** How the store names itself in errors and reports. Required. */
        public Builder account(String name) {
            checkState(account == null, "account was already set to %s", account);
            checkArgument(!name.isBlank(), "account name must not be blank");
            this.account = name;
            return this;
        }

        /**
         * The capabilities the store declares and honours; all of them by default. {@link
         * Capability#VANISHED} follows {@link Capability#MODSEQ}: declared exactly when it is,
         * whether the set names it or not (expunges are recorded by modseq).
         */
        public Builder capabilities(Set<Capability> set) {
            checkState(capabilities == null, "capabilities were already set to %s", capabilities);
            this.capabilities = EnumSet.noneOf(Capability.class);
            this.capabilities.addAll(set);
            return this;
        }

        /** The largest message the store accepts, in bytes; unlimited by default. */
        public Builder maxMessageSize(long bytes) {
            checkState(maxMessageSize == 0, "max message size was already set to %s", maxMessageSize);
            checkArgument(bytes > 0, "max message size must be positive, not %s", bytes);
            this.maxMessageSize = bytes;
            return this;
        }

        public InMemoryStore build() {
            checkState(account != null, "account must be set");
            Set<Capability> caps = capabilities != null
                    ? capabilities
                    : EnumSet.of(
                            Capability.KEYWORDS,
                            Capability.APPEND_UID,
                            Capability.MODSEQ,
                            Capability.SPECIAL_USE,
                            Capability.SUBSCRIPTIONS);
            Set<Capability> withVanished = EnumSet.noneOf(Capability.class);
            withVanished.addAll(caps);
            if (withVanished.contains(Capability.MODSEQ)) {
                withVanished.add(Capability.VANISHED);
            } else {
                withVanished.remove(Capability.VANISHED);
            }
            StoreCapabilities declared = StoreCapabilities.of(withVanished);
            if (maxMessageSize > 0) {
                declared = declared.withMaxMessageSize(maxMessageSize);
            }
            InMemoryStore store = new InMemoryStore(new Data(account, declared));
            synchronized (store.data) {
                store.data.folders.put(FolderPath.INBOX, new Box(FolderPath.INBOX));
            }
            return store;
        }
    }

    private static final class Data {
        final String account;
        final StoreCapabilities capabilities;
        final NavigableMap<FolderPath, Box> folders = new TreeMap<>();

        Data(String account, StoreCapabilities capabilities) {
            this.account = account;
            this.capabilities = capabilities;
        }
    }

    private static final class Box {
        final FolderPath path;
        long generation = GENERATIONS.incrementAndGet();
        long nextUid = 1;
        long highestModSeq = 1;
        boolean selectable = true;
        boolean subscribed = true;

        @Nullable
        SpecialUse specialUse;

        TreeMap<Long, Stored> messages = new TreeMap<>();

        /** Expunged ids of this generation, with the modseq of their expunge. */
        TreeMap<Long, Long> expunged = new TreeMap<>();

        Box(FolderPath path) {
            this.path = path;
        }
    }

    private record Stored(byte[] bytes, Flags flags, Instant internalDate, long modSeq) {}
}
