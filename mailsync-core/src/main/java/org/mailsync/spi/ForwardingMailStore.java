package org.mailsync.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailsync.FolderInfo;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.StoreCapabilities;

/**
 * A store that passes every call to another: a decorator (rate limit, logging, a lock) extends it
 * and overrides only what it changes, so a method added to {@link MailStore} later reaches the
 * wrapped store instead of silently falling back to a default.
 *
 * <p>Thread-safe, as the wrapped store is.
 */
public abstract class ForwardingMailStore implements MailStore {
    private final MailStore delegate;
    private final boolean changesOpenFolder;

    protected ForwardingMailStore(MailStore delegate) {
        this.delegate = delegate;
        boolean changes;
        try {
            changes = getClass().getMethod("openFolder", FolderPath.class).getDeclaringClass()
                    != ForwardingMailStore.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("MailStore declares openFolder(FolderPath)", e);
        }
        this.changesOpenFolder = changes;
    }

    /** The wrapped store. */
    protected final MailStore delegate() {
        return delegate;
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
        return delegate.listFolders();
    }

    @Override
    public List<org.mailsync.SkippedItem> skipped() throws MailStoreException {
        return delegate.skipped();
    }

    @Override
    public void createFolder(FolderPath path) throws MailStoreException {
        delegate.createFolder(path);
    }

    @Override
    public void createFolder(FolderPath path, org.mailsync.SpecialUse use) throws MailStoreException {
        delegate.createFolder(path, use);
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        return delegate.openFolder(path);
    }

    /**
     * Forwards, unless a subclass overrides {@link #openFolder} (wraps the folders it opens): its
     * extra openings would bypass that, so it gets none until it overrides this too.
     */
    @Override
    public java.util.Optional<MailFolder> tryOpenFolder(FolderPath path) throws MailStoreException {
        return changesOpenFolder ? java.util.Optional.empty() : delegate.tryOpenFolder(path);
    }

    @Override
    public FolderStatus status(FolderPath path) throws MailStoreException {
        return delegate.status(path);
    }

    @Override
    public org.mailsync.StoreCapacity capacity() throws MailStoreException {
        return delegate.capacity();
    }

    @Override
    public org.mailsync.FolderSize folderSize(FolderPath path, long largerThan) throws MailStoreException {
        return delegate.folderSize(path, largerThan);
    }

    @Override
    public void setSubscribed(FolderPath path, boolean subscribed) throws MailStoreException {
        delegate.setSubscribed(path, subscribed);
    }

    @Override
    public Map<MessageUid, Optional<MessageUid>> move(FolderPath from, Collection<MessageUid> uids, FolderPath to)
            throws MailStoreException {
        return delegate.move(from, uids, to);
    }

    @Override
    public void close() throws MailStoreException {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
