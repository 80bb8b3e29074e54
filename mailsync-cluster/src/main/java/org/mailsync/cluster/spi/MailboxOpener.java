package org.mailsync.cluster.spi;

import org.mailsync.MailStoreException;
import org.mailsync.cluster.Mailbox;
import org.mailsync.spi.MailStore;

/**
 * Opens the mailboxes an account row names, on a worker. The default opens IMAP stores ({@link
 * org.mailsync.cluster.ClusterWorker.Builder#opener}); a deployment may open others, or wrap them.
 *
 * <p>Implementations are thread-safe: a worker runs several passes at once.
 */
public interface MailboxOpener {
    /**
     * Opens and logs in.
     *
     * @param password the unsealed password; the array is the caller's and is cleared afterwards
     * @param maxConnections the most connections the store may open
     * @param target whether this is the pass's target
     */
    MailStore open(Mailbox mailbox, char[] password, int maxConnections, boolean target) throws MailStoreException;
}
