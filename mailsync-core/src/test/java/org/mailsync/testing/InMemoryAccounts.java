package org.mailsync.testing;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.mailsync.memory.InMemoryStore;
import org.mailsync.migration.spi.AccountProvisioner;
import org.mailsync.migration.spi.LocalMailboxes;
import org.mailsync.spi.MailStore;

/**
 * A new server's side for auto-migration tests: accounts made by the provisioner, each an
 * in-memory mailbox; passwords kept as given so tests can check them. Thread-safe.
 */
public final class InMemoryAccounts implements LocalMailboxes, AccountProvisioner {
    /** The local mailboxes, by account. */
    public final Map<String, InMemoryStore> stores = new ConcurrentHashMap<>();

    /** The passwords the provisioner was given, by account. */
    public final Map<String, String> passwords = new ConcurrentHashMap<>();

    @Override
    public boolean exists(String account) {
        return stores.containsKey(account);
    }

    @Override
    public MailStore open(String account) throws IOException {
        InMemoryStore store = stores.get(account);
        if (store == null) {
            throw new IOException("no account " + account);
        }
        return store.reopen();
    }

    @Override
    public Optional<String> provision(String account, Optional<char[]> password) {
        password.ifPresent(p -> passwords.put(account, new String(p)));
        stores.put(account, InMemoryStore.create("local:" + account));
        return Optional.empty();
    }

    @Override
    public Optional<String> setPassword(String account, char[] password) {
        passwords.put(account, new String(password));
        return Optional.empty();
    }
}
