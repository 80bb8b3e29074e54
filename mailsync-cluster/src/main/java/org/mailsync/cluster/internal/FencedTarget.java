package org.mailsync.cluster.internal;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.mailsync.ErrorContext;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.StoreFailureException;
import org.mailsync.spi.AppendRequest;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * The target of a fenced run: before every append and delete it checks that the run's lease is
 * still held by the local clock, and refuses otherwise. The checkpoint store's epoch check stops a
 * late run at its next journal write; this closes the window between a journal write and the
 * APPEND it announces (a worker paused right there wakes up past its lease and appends nothing).
 *
 * <p>Thread-safe as its delegate is.
 */
final class FencedTarget extends ForwardingMailStore {
    private final BooleanSupplier held;
    private final Runnable onRefusal;

    FencedTarget(MailStore delegate, BooleanSupplier held, Runnable onRefusal) {
        super(delegate);
        this.held = held;
        this.onRefusal = onRefusal;
    }

    @Override
    public MailFolder openFolder(FolderPath path) throws MailStoreException {
        return new Folder(delegate().openFolder(path));
    }

    private void check(String what) throws MailStoreException {
        if (!held.getAsBoolean()) {
            onRefusal.run();
            throw new StoreFailureException(
                    ErrorContext.of(account()),
                    "the run's lease on this mailbox has run out or moved to another worker; " + what
                            + " refused (the worker that holds it now goes on)",
                    null);
        }
    }

    private final class Folder extends ForwardingMailFolder {
        Folder(MailFolder delegate) {
            super(delegate);
        }

        @Override
        public Optional<MessageUid> append(AppendRequest request) throws MailStoreException {
            check("append");
            return delegate().append(request);
        }

        @Override
        public List<Optional<MessageUid>> appendAll(List<AppendRequest> requests) throws MailStoreException {
            check("append");
            return delegate().appendAll(requests);
        }

        @Override
        public void delete(Collection<MessageUid> uids) throws MailStoreException {
            check("delete");
            delegate().delete(uids);
        }
    }
}
