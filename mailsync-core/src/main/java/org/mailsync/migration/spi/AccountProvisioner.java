package org.mailsync.migration.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * Creates accounts on the new server, and applies the vendor's own policies to them (a password
 * policy, a quota, a licence count). A refusal is an answer, not an error: it carries a reason
 * that the vendor can show the user.
 *
 * <p>Implementations are thread-safe; auto-migration never provisions one account from two threads
 * at once.
 */
public interface AccountProvisioner {
    /**
     * Creates the account. {@code password} is the password the legacy server just accepted; it
     * is empty when the account is pre-staged in bulk, before its user logged in (the account then
     * gets its password at the first login, through {@link #setPassword}). The array belongs to the
     * caller: copy or hash it, never keep it.
     *
     * @return empty if created, else why not
     * @throws IOException if the vendor's system failed (the login then reports the legacy server
     *     as accepted but the account as not created)
     */
    Optional<String> provision(String account, Optional<char[]> password) throws IOException;

    /**
     * Sets the password of an account that was pre-staged without one, at its user's first login.
     *
     * @return empty if set, else why not (a password policy)
     */
    Optional<String> setPassword(String account, char[] password) throws IOException;
}
