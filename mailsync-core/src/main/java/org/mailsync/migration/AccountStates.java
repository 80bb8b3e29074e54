package org.mailsync.migration;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.mailsync.migration.spi.MigrationStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every account's migration state: held in memory, saved through the {@link MigrationStateStore}
 * on each change and announced to the {@link MigrationListener}. One account's changes never
 * interleave: each takes the account's lock.
 *
 * <p>The locks are striped: a fixed array, the account's hash picking one, so that a service that
 * sees a million accounts holds as many locks as it did for ten (a map of a lock per account only
 * ever grew). Two accounts may share a stripe and then wait for each other; with {@value
 * #DEFAULT_STRIPES} stripes that is rare, and never a deadlock, as no code holds two stripes.
 *
 * <p>Thread-safe.
 */
final class AccountStates {
    private static final Logger log = LoggerFactory.getLogger(AccountStates.class);

    /** Stripes of an {@link AutoMigration}: a few tens of kilobytes, few collisions among concurrent logins. */
    static final int DEFAULT_STRIPES = 1024;

    private final Map<String, AccountState> states = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks;
    private final MigrationStateStore store;
    private final MigrationListener listener;

    AccountStates(MigrationStateStore store, MigrationListener listener, int stripes) {
        checkArgument(stripes > 0 && Integer.bitCount(stripes) == 1, "stripes must be a power of two, not %s", stripes);
        this.store = store;
        this.listener = listener;
        this.locks = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Loads every saved state (at start, before anything else uses this). */
    void loadAll() throws IOException {
        for (AccountState st : store.loadAll()) {
            states.put(st.account(), st);
        }
    }

    /** The account's state, or null if it has none. */
    @Nullable
    AccountState get(String account) {
        return states.get(account);
    }

    /** Every state: a live, unmodifiable view (weakly consistent while states change). */
    Collection<AccountState> all() {
        return Collections.unmodifiableCollection(states.values());
    }

    /** The lock of the account's stripe; held across a change that must not interleave with another. */
    ReentrantLock lockFor(String account) {
        int h = account.hashCode();
        return locks[(h ^ (h >>> 16)) & (locks.length - 1)];
    }

    /** How many locks there are, whatever the number of accounts. */
    int stripes() {
        return locks.length;
    }

    /**
     * Changes, saves and announces an account's state, under its lock.
     *
     * @param fresh the state to start from when the account has none yet; null when it must have one
     * @throws IOException if saving failed: the change is kept in memory all the same, so this
     *     process goes on consistently (a restart resumes from the last saved state)
     */
    AccountState update(String account, @Nullable Supplier<AccountState> fresh, UnaryOperator<AccountState> change)
            throws IOException {
        ReentrantLock lock = lockFor(account);
        lock.lock();
        try {
            AccountState before = states.get(account);
            if (before == null) {
                checkState(fresh != null, "no migration state for %s", account);
                before = fresh.get();
            }
            AccountState after = change.apply(before);
            states.put(account, after);
            store.save(after);
            listener.stateChanged(before, after);
            return after;
        } finally {
            lock.unlock();
        }
    }

    /** {@link #update} of an account that has a state, logging a failure to save it instead of throwing. */
    void updateQuietly(String account, UnaryOperator<AccountState> change) {
        try {
            update(account, null, change);
        } catch (IOException | RuntimeException e) {
            log.error("cannot save the migration state of {}", account, e);
        }
    }
}
