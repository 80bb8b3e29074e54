package org.mailsync.spi;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mailsync.Flags;
import org.mailsync.FolderPath;
import org.mailsync.FolderStatus;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.ModSeq;
import org.mailsync.RawMessage;

/**
 * A folder that passes every call to another, for decorators: see {@link ForwardingMailStore}.
 * Batch methods forward as batches (the wrapped store's one-round-trip versions stay in use).
 *
 * <p>Not thread-safe; confine to one thread, as the wrapped folder.
 */
public abstract class ForwardingMailFolder implements MailFolder {
    private final MailFolder delegate;

    protected ForwardingMailFolder(MailFolder delegate) {
        this.delegate = delegate;
    }

    /** The wrapped folder. */
    protected final MailFolder delegate() {
        return delegate;
    }

    @Override
    public FolderPath path() {
        return delegate.path();
    }

    @Override
    public FolderStatus status() throws MailStoreException {
        return delegate.status();
    }

    @Override
    public void list(MessageQuery query, BatchConsumer consumer) throws MailStoreException {
        delegate.list(query, consumer);
    }

    @Override
    public Optional<Set<MessageUid>> vanishedSince(ModSeq modSeq) throws MailStoreException {
        return delegate.vanishedSince(modSeq);
    }

    @Override
    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
        return delegate.read(uid);
    }

    @Override
    public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer) throws MailStoreException {
        delegate.readAll(uids, consumer);
    }

    @Override
    public void readHeaders(List<MessageUid> uids, MessageConsumer<byte[]> consumer) throws MailStoreException {
        delegate.readHeaders(uids, consumer);
    }

    @Override
    public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
        return delegate.append(request);
    }

    @Override
    public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
        return delegate.appendAll(requests);
    }

    @Override
    public void storeFlags(Collection<MessageUid> uids, FlagsUpdateMode mode, Flags flags) throws MailStoreException {
        delegate.storeFlags(uids, mode, flags);
    }

    @Override
    public void delete(Collection<MessageUid> uids) throws MailStoreException {
        delegate.delete(uids);
    }

    @Override
    public List<String> warnings() throws MailStoreException {
        return delegate.warnings();
    }

    @Override
    public List<org.mailsync.SkippedItem> skipped() throws MailStoreException {
        return delegate.skipped();
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
