package org.mailsync.migration;

import java.util.function.UnaryOperator;

/**
 * How the address a user types at the new server's login maps to the legacy server's login and
 * to the local account name.
 *
 * <p>Implementations are thread-safe and pure: the same address always maps the same way.
 */
public interface UsernameMapping {
    /** The login to give the legacy server. */
    String legacyLogin(String address);

    /** The account's name on the new server, the key of its migration state. */
    String localAccount(String address);

    /** The full address for both. */
    static UsernameMapping identity() {
        return of(UnaryOperator.identity(), UnaryOperator.identity());
    }

    /** The local part ({@code alice} of {@code alice@example.org}) on the legacy server, the full address locally. */
    static UsernameMapping localPartOnLegacy() {
        return of(a -> a.substring(0, a.lastIndexOf('@')), UnaryOperator.identity());
    }

    /** A mapping from two functions. */
    static UsernameMapping of(UnaryOperator<String> legacyLogin, UnaryOperator<String> localAccount) {
        return new UsernameMapping() {
            @Override
            public String legacyLogin(String address) {
                return legacyLogin.apply(address);
            }

            @Override
            public String localAccount(String address) {
                return localAccount.apply(address);
            }
        };
    }
}
