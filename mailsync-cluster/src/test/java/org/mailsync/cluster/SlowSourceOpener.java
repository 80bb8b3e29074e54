package org.mailsync.cluster;

import java.util.List;
import java.util.Optional;
import org.mailsync.FolderPath;
import org.mailsync.MailStoreException;
import org.mailsync.MessageUid;
import org.mailsync.RawMessage;
import org.mailsync.cluster.spi.MailboxOpener;
import org.mailsync.spi.ForwardingMailFolder;
import org.mailsync.spi.ForwardingMailStore;
import org.mailsync.spi.MailFolder;
import org.mailsync.spi.MailStore;

/**
 * Opens mailboxes as the default opener does, but reads the sources of users whose name starts
 * with {@code slow} one message per {@code delayMillis}: a pass over such a mailbox lasts long
 * enough for a test to kill or stop its worker in the middle of it.
 */
final class SlowSourceOpener implements MailboxOpener {
    private final MailboxOpener delegate;
    private final long delayMillis;

    SlowSourceOpener(MailboxOpener delegate, long delayMillis) {
        this.delegate = delegate;
        this.delayMillis = delayMillis;
    }

    @Override
    public MailStore open(Mailbox mailbox, char[] password, int maxConnections, boolean target)
            throws MailStoreException {
        MailStore store = delegate.open(mailbox, password, maxConnections, target);
        if (target || !mailbox.user().startsWith("slow")) {
            return store;
        }
        return new ForwardingMailStore(store) {
            @Override
            public MailFolder openFolder(FolderPath path) throws MailStoreException {
                return new ForwardingMailFolder(delegate().openFolder(path)) {
                    @Override
                    public Optional<RawMessage> read(MessageUid uid) throws MailStoreException {
                        pause(1);
                        return delegate().read(uid);
                    }

                    @Override
                    public void readAll(List<MessageUid> uids, MessageConsumer<RawMessage> consumer)
                            throws MailStoreException {
                        pause(uids.size());
                        delegate().readAll(uids, consumer);
                    }
                };
            }
        };
    }

    private void pause(int messages) {
        try {
            Thread.sleep(delayMillis * messages);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
