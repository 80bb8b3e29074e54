package org.mailsync.migration;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.mailsync.MailStoreException;

/**
 * The users' passwords that migrations without master credentials need for their passes: held in
 * memory only, as copies of their own, from a login until the account is done, failed or the
 * service closes. Each copy is zeroed when it is forgotten or replaced, and each use gets a copy
 * that is zeroed right after. Nothing here prints or logs a password.
 *
 * <p>Thread-safe.
 */
final class PasswordHolder {
    private final Map<String, char[]> passwords = new ConcurrentHashMap<>();

    /** What to do with a password copy; the copy is zeroed when this returns. */
    @FunctionalInterface
    interface Use<T> {
        T with(char[] password) throws MailStoreException;
    }

    /** Holds a copy of {@code password} for {@code account} (the caller's array stays the caller's). */
    void keep(String account, char[] password) {
        zero(passwords.put(account, password.clone()));
    }

    /** Holds a copy unless the account has one already; true if it was kept. */
    boolean keepIfAbsent(String account, char[] password) {
        boolean[] kept = {false};
        passwords.computeIfAbsent(account, a -> {
            kept[0] = true;
            return password.clone();
        });
        return kept[0];
    }

    /** Whether a password is held for the account. */
    boolean holds(String account) {
        return passwords.containsKey(account);
    }

    /**
     * Runs {@code use} with a copy of the account's password and zeroes the copy after; null,
     * without running it, when no password is held.
     */
    <T> @Nullable T withCopy(String account, Use<T> use) throws MailStoreException {
        char[][] copy = {null};
        // Copied under the map's lock, so a concurrent forget() cannot zero it half-way.
        passwords.computeIfPresent(account, (a, held) -> {
            copy[0] = held.clone();
            return held;
        });
        char[] password = copy[0];
        if (password == null) {
            return null;
        }
        try {
            return use.with(password);
        } finally {
            zero(password);
        }
    }

    /** Forgets and zeroes the account's password, if one is held. */
    void forget(String account) {
        zero(passwords.remove(account));
    }

    /** Forgets and zeroes every password. */
    void forgetAll() {
        for (String account : new HashSet<>(passwords.keySet())) {
            forget(account);
        }
    }

    private static void zero(char @Nullable [] password) {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public String toString() {
        return "PasswordHolder[" + passwords.size() + " held]";
    }
}
