package org.mailsync.cluster;

import java.time.Duration;
import org.mailsync.MailStoreException;
import org.mailsync.cluster.spi.MailboxOpener;
import org.mailsync.imap.ImapStore;
import org.mailsync.spi.MailStore;

/**
 * The default {@link MailboxOpener}: IMAP stores ({@code imap://}, {@code imaps://}, {@code
 * imap+starttls://}) with the system's trusted certificates.
 *
 * <p>Immutable and thread-safe.
 */
public final class ImapMailboxOpener implements MailboxOpener {
    /** The opener with 30 s connect and read timeouts. */
    public static final ImapMailboxOpener DEFAULT = new ImapMailboxOpener();

    private ImapMailboxOpener() {}

    @Override
    public MailStore open(Mailbox mailbox, char[] password, int maxConnections, boolean target)
            throws MailStoreException {
        return ImapStore.builder()
                .endpoint(mailbox.uri())
                .username(mailbox.user())
                .password(password)
                .maxConnections(maxConnections)
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ofSeconds(60))
                .connect();
    }
}
