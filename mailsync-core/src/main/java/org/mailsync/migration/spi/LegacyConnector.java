package org.mailsync.migration.spi;

import org.mailsync.MailStoreException;
import org.mailsync.migration.LegacyEndpoint;
import org.mailsync.spi.MailStore;

/**
 * Opens the legacy server's mailbox of one user, as a {@link MailStore}. Core knows no protocol,
 * so the vendor wires this to the IMAP store in a few lines (see the module's documentation).
 *
 * <p>Implementations are thread-safe: login checks and migrations call it from several threads.
 * The caller closes every store it gets.
 */
public interface LegacyConnector {
    /**
     * Logs in as the user with the user's own password: the login check, and the migration when
     * no master credentials are configured. The password array belongs to the caller; do not keep it.
     *
     * @throws org.mailsync.AuthenticationException if the server refuses the credentials
     * @throws org.mailsync.ConnectionException if the server cannot be reached, or throttles
     */
    MailStore open(LegacyEndpoint endpoint, String login, char[] password) throws MailStoreException;

    /**
     * Opens the user's mailbox with master (admin) credentials, for bulk pre-staging and for
     * resuming migrations after a restart without the user's password: on Dovecot a master user
     * login or SASL PLAIN with {@code login} as the authorization identity.
     *
     * @throws org.mailsync.AuthenticationException if the server refuses the master credentials
     *     or does not know the user
     * @throws org.mailsync.ConnectionException if the server cannot be reached, or throttles
     */
    MailStore openAsMaster(LegacyEndpoint endpoint, String login, String masterLogin, char[] masterPassword)
            throws MailStoreException;
}
