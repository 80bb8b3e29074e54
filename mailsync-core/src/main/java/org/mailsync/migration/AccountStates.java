package org.mailsync.migration;

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
 * interleave: each takes the account's state lock, held only while the state changes and is saved.
 * An account's provisioning lock is held longer, across I/O: while a login checks the password and
 * provisions the account, or a pre-staging job provisions it, so that the two never both do. It
 * is taken before the state lock, never after.
 *
 * <p>Both kinds of lock are {@link StripedLocks}, {@value #DEFAULT_STRIPES} of each: as many locks
 * for a million accounts as for ten. Two accounts may share a stripe and then wait for each other
 * (a state change never waits for a login's legacy check, as they use different arrays).
 *
 * <p>Thread-safe.
 */
final class AccountStates {
    private static final Logger log = LoggerFactory.getLogger(AccountStates.class);

    /** Stripes of an {@link AutoMigration}: a few tens of kilobytes, few collisions among concurrent logins. */
    static final int DEFAULT_STRIPES = 1024;

    private final Map<String, AccountState> states = new ConcurrentHashMap<>();
    private final StripedLocks stateLocks;
    private final StripedLocks provisioningLocks;
    private final MigrationStateStore store;
    private final MigrationListener listener;

    AccountStates(MigrationStateStore store, MigrationListener listener, int stripes) {
        this.store = store;
        this.listener = listener;
        this.stateLocks = new StripedLocks(stripes);
        this.provisioningLocks = new StripedLocks(stripes);
    }

    /** Loads every saved state (at start, before anything else uses this). */
    void loadAll() throws IOException {
        for (AccountState st : store.loadAll()) {
            states.put(st.account(), st);
        }
    }

    /**
     * The account's state, or null if it has none: from memory, or from a {@link
     * MigrationStateStore#shared() shared} store itself (the memory when the store cannot be read).
     */
    @Nullable
    AccountState get(String account) {
        if (store.shared()) {
            try {
                AccountState now = store.current(account).orElse(null);
                if (now == null) {
                    states.remove(account);
                } else {
                    states.put(account, now);
                }
                return now;
            } catch (IOException | RuntimeException e) {
                log.warn("cannot read the migration state of {}; using the last one read: {}", account, e.toString());
            }
        }
        return states.get(account);
    }

    /**
     * Every state: a live, unmodifiable view (weakly consistent while states change); from a shared
     * store, read afresh first.
     */
    Collection<AccountState> all() {
        if (store.shared()) {
            try {
                for (AccountState st : store.loadAll()) {
                    states.put(st.account(), st);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cannot read the migration states; using the last ones read: {}", e.toString());
            }
        }
        return Collections.unmodifiableCollection(states.values());
    }

    /**
     * The account's provisioning lock: held by a login from its legacy check to its provisioning,
     * and by a pre-staging job while it provisions; may be held across I/O.
     */
    ReentrantLock provisioningLock(String account) {
        return provisioningLocks.lockFor(account);
    }

    /** The account's state lock, held by {@link #update} (for tests). */
    ReentrantLock stateLock(String account) {
        return stateLocks.lockFor(account);
    }

    /** How many locks of each kind there are, whatever the number of accounts. */
    int stripes() {
        return stateLocks.size();
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
        ReentrantLock lock = stateLocks.lockFor(account);
        lock.lock();
        try {
            AccountState before = states.get(account);
            if (store.shared()) {
                // Another node may have changed it: the store applies the change to its newest state.
                AccountState after = store.change(account, fresh == null ? null : fresh.get(), change);
                states.put(account, after);
                listener.stateChanged(before == null ? after : before, after);
                return after;
            }
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
