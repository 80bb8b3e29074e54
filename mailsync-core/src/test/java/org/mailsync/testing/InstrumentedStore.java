package org.mailsync.testing;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;
import org.mailsync.StoreCapabilities;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.FlagsUpdateMode;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;
import org.mailsync.spi.MessageQuery;

/**
 * Wraps a store to count its calls and to let a test act before or after any of them: fail with
 * an exception, or "die" (throw {@link Crash}, which no engine code catches) before the call is
 * made or after it took effect. Thread-safe.
 */
public final class InstrumentedStore implements MailStore {
    /** What a test does around each call; {@code op} is e.g. "list", "append", "status". */
    public interface Hook {
        default void before(String op, FolderPath folder) throws MailStoreException {}

        default void after(String op, FolderPath folder) throws MailStoreException {}

        /** Called before each single append with the message, e.g. to reject one by content. */
        default void beforeAppend(FolderPath folder, AppendRequest request) throws MailStoreException {}
    }

    /** The process "died" here: the engine is abandoned, as after kill -9. */
    public static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Crash(String where) {
            super("simulated crash " + where);
        }
    }

    private final MailStore delegate;
    private volatile Hook hook = new Hook() {};
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();

    public InstrumentedStore(MailStore delegate) {
        this.delegate = delegate;
    }

    public void hook(Hook newHook) {
        this.hook = newHook;
    }

    /** How often {@code op} was called. */
    public int count(String op) {
        AtomicInteger n = counts.get(op);
        return n == null ? 0 : n.get();
    }

    /** How often {@code list} was called with a changedSince query / a plain one. */
    public int listQueries(boolean changedSince) {
        AtomicInteger n = queries.get(changedSince ? "changedSince" : "plain");
        return n == null ? 0 : n.get();
    }

    public void resetCounts() {
        counts.clear();
        queries.clear();
    }

    private void before(String op, FolderPath folder) throws MailStoreException {
        counts.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
        hook.before(op, folder);
    }

    private void after(String op, FolderPath folder) throws MailStoreException {
        hook.after(op, folder);
    }

    @Override
    public String account() {
        return delegate.account();
    }

    @Override
    public StoreCapabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public List<FolderInfo> listFolders() throws MailStoreException {
        before("listFolders", FolderPath.INBOX);
        List<FolderInfo> r = delegate.listFolders();
        after("listFolders", FolderPath.INBOX);
        return r;
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        before("createFolder", path);
        delegate.createFolder(path);
        after("createFolder", path);
    }

    @Override
    public FolderStatus status(FolderPath path) throws MailStoreException {
        before("storeStatus", path);
        FolderStatus r = delegate.status(path);
        after("storeStatus", path);
        return r;
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        before("openFolder", path);
        MailFolder f = delegate.openFolder(path);
        after("openFolder", path);
        return new Folder(f);
    }

    @Override
    public Optional<MailFolder> tryOpenFolder(FolderPath path) throws MailStoreException {
        before("tryOpenFolder", path);
        Optional<MailFolder> f = delegate.tryOpenFolder(path);
        after("tryOpenFolder", path);
        return f.map(Folder::new);
    }

    @Override
    public Map<MessageUid, Optional<MessageUid>> move(FolderPath from, Collection<MessageUid> uids, FolderPath to)
            throws MailStoreException {
        before("move", from);
        Map<MessageUid, Optional<MessageUid>> r = delegate.move(from, uids, to);
        after("move", from);
        return r;
    }

    @Override
    public void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {
        delegate.setSubscribed(path, subscribed);
    }

    @Override
    public void close() throws MailStoreException {
        delegate.close();
    }

    private final class Folder implements MailFolder {
        private final MailFolder f;

        Folder(MailFolder f) {
            this.f = f;
        }

        @Override
        public FolderPath path() {
            return f.path();
        }

        @Override
        public FolderStatus status() throws MailStoreException {
            before("status", path());
            FolderStatus r = f.status();
            after("status", path());
            return r;
        }

        @Override
        public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
            before("list", path());
            queries.computeIfAbsent(query.changedSince() != null ? "changedSince" : "plain", k -> new AtomicInteger())
                    .incrementAndGet();
            f.list(query, consumer);
            after("list", path());
        }

        @Override
        public Optional<Set<MessageUid>> vanishedSince(ModSeq modSeq) throws MailStoreException {
            before("vanishedSince", path());
            Optional<Set<MessageUid>> r = f.vanishedSince(modSeq);
            after("vanishedSince", path());
            return r;
        }

        @Override
        public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
            before("read", path());
            Optional<RawMessage> r = f.read(uid);
            after("read", path());
            return r;
        }

        @Override
        public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer) throws MailStoreException {
            before("readAll", path());
            f.readAll(uids, consumer);
            after("readAll", path());
        }

        @Override
        public void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
            before("readHeaders", path());
            f.readHeaders(uids, consumer);
            after("readHeaders", path());
        }

        @Override
        public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
            before("append", path());
            hook.beforeAppend(path(), request);
            Optional<MessageUid> r = f.append(request);
            after("append", path());
            return r;
        }

        @Override
        public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
            before("appendAll", path());
            // One by one through this wrapper, so a hook can fail in the middle of a batch.
            List<Optional<MessageUid>> ids = new java.util.ArrayList<>();
            for (AppendRequest request : requests) {
                ids.add(append(request));
            }
            after("appendAll", path());
            return ids;
        }

        @Override
        public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, org.mailsync.Flags flags)
                throws MailStoreException {
            before("storeFlags", path());
            f.storeFlags(uids, mode, flags);
            after("storeFlags", path());
        }

        @Override
        public void delete(Collection<MessageUid> uids) throws MailStoreException {
            before("delete", path());
            f.delete(uids);
            after("delete", path());
        }

        @Override
        public List<String> warnings() throws MailStoreException {
            return f.warnings();
        }

        @Override
        public void close() throws MailStoreException {
            f.close();
        }
    }
}
