package org.mailsync.migration.spi;

import java.io.IOException;
import org.mailsync.spi.MailStore;

/**
 * The new server's own mailboxes, as the vendor's storage exposes them.
 *
 * <p>Implementations are thread-safe.
 */
public interface LocalMailboxes {
    /** Whether the account exists on the new server (however it came to be). */
    boolean exists(String account) throws IOException;

    /** Opens an existing account's mailbox for writing; the caller closes it. */
    MailStore open(String account) throws IOException;
}
